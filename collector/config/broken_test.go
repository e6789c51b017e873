package config

import (
	"strings"
	"testing"
)

// base is a valid config: each case below breaks it in one or a few ways.
const base = `agencies: [{code: 000.00.00.H47, name: UBND tỉnh, level: tinh}]
sources:
  - name: onestop
    type: onestop
    http: {url: "http://127.0.0.1:1"}
`

// TestBrokenConfigs: every problem of a file, in the user's words, with its
// line, in one run.
func TestBrokenConfigs(t *testing.T) {
	f := func(name, yml string, want ...string) {
		t.Helper()
		_, err := Parse("govpulse.yml", []byte(yml))
		if err == nil {
			t.Errorf("%s: accepted", name)
			return
		}
		if got := err.Error(); got != strings.Join(want, "\n") {
			t.Errorf("%s:\n got: %s\nwant: %s", name, strings.ReplaceAll(got, "\n", "\n      "), strings.Join(want, "\n      "))
		}
	}
	src := func(extra string) string { return base + extra }

	f("empty file", "",
		"govpulse.yml:1: sources: no sources: a config collects from at least one (see deploy/govpulse.example.yml)")
	f("only comments", "# nothing yet\n",
		"govpulse.yml:1: sources: no sources: a config collects from at least one (see deploy/govpulse.example.yml)")
	f("no sources", "agencies: [{code: 000.00.00.H47, name: UBND tỉnh, level: tinh}]\n",
		"govpulse.yml:1: sources: no sources: a config collects from at least one (see deploy/govpulse.example.yml)")
	f("empty sources list", "agencies: [{code: 000.00.00.H47, name: UBND tỉnh, level: tinh}]\nsources: []\n",
		"govpulse.yml:2: sources: no sources: a config collects from at least one (see deploy/govpulse.example.yml)")
	f("top-level unknown key", "provnce: {code: \"49\"}\n"+base,
		`govpulse.yml:1: provnce: unknown key "provnce" (did you mean province?); known here: agencies, agencies_file, fields, fields_file, lineage_file, max_series_per_metric, notifications, province, sources, state_dir, thresholds`)
	f("nested unknown key", src("    shedule: \"@every 1m\"\n"),
		`govpulse.yml:6: sources[0].shedule: unknown key "shedule" (did you mean schedule?); known here: http, indices, manual, name, onestop, portal, rating, schedule, timeout, type, vneid`)
	f("unknown key in http", strings.Replace(base, `http: {url: "http://127.0.0.1:1"}`, `http: {url: "http://127.0.0.1:1", timeot: 30s}`, 1),
		`govpulse.yml:5: sources[0].http.timeot: unknown key "timeot" (did you mean timeout?); known here: bearer_token, bearer_token_env, bearer_token_file, burst, ca_file, headers, insecure_skip_verify, max_body_bytes, oauth2, rate_limit, retries, retry_max_wait, retry_wait, timeout, url`)
	f("fractional int", "thresholds: {late_min_volume: 20.9}\n"+base,
		"govpulse.yml:1: thresholds.late_min_volume: must be a whole number, got 20.9")
	f("fractional retries", strings.Replace(base, `http: {url: "http://127.0.0.1:1"}`, `http: {url: "http://127.0.0.1:1", retries: 2.7}`, 1),
		"govpulse.yml:5: sources[0].http.retries: must be a whole number, got 2.7")
	f("string for an int", "max_series_per_metric: lots\n"+base,
		`govpulse.yml:1: max_series_per_metric: must be a whole number, got "lots"`)
	f("string for a ratio", "thresholds: {late_rate_warning: 5%}\n"+base,
		`govpulse.yml:1: thresholds.late_rate_warning: must be a number, got "5%"`)
	f("bool as a quoted string", strings.Replace(base, `http: {url: "http://127.0.0.1:1"}`, `http: {url: "http://127.0.0.1:1", insecure_skip_verify: "true"}`, 1),
		`govpulse.yml:5: sources[0].http.insecure_skip_verify: must be true or false, got "true"`)
	f("duration without a unit", src("    timeout: 30\n"),
		"govpulse.yml:6: sources[0].timeout: must be a duration such as 30s, 5m or 1h, got 30")
	f("bad duration", src("    timeout: 2m30\n"),
		`govpulse.yml:6: sources[0].timeout: must be a duration such as 30s, 5m or 1h, got "2m30"`)
	f("list where a block goes", "province: [49]\n"+base,
		"govpulse.yml:1: province: must be a block of keys and values, got a list")
	f("block where a list goes", "agencies: {code: x}\nsources: [{name: rating, type: rating}]\n",
		"govpulse.yml:1: agencies: must be a list, got a block of keys")
	f("sources not a list", "agencies: [{code: 000.00.00.H47, name: UBND tỉnh, level: tinh}]\nsources: onestop\n",
		`govpulse.yml:2: sources: must be a list, got "onestop"`)
	f("two type errors and a value error, all reported",
		"thresholds: {late_min_volume: 20.9, late_rate_critical: high, late_rate_warning: 2}\n"+base,
		"govpulse.yml:1: thresholds.late_min_volume: must be a whole number, got 20.9",
		`govpulse.yml:1: thresholds.late_rate_critical: must be a number, got "high"`,
		"govpulse.yml:1: thresholds.late_rate_warning: must be a ratio between 0 and 1 (0.05 means 5%), got 2")
	f("a type error does not hide a later invalid value",
		"max_series_per_metric: 1.5\n"+strings.Replace(base, "type: onestop", "type: motcua", 1),
		"govpulse.yml:1: max_series_per_metric: must be a whole number, got 1.5",
		`govpulse.yml:5: sources[0].type: unknown source type "motcua"; known: onestop, portal, vneid, indices, rating, manual`)
	f("only a time zone", src("    schedule: CRON_TZ=Asia/Ho_Chi_Minh\n"),
		`govpulse.yml:6: sources[0].schedule: "CRON_TZ=Asia/Ho_Chi_Minh" is only a time zone: add the schedule, e.g. "CRON_TZ=Asia/Ho_Chi_Minh */5 * * * *"`)
	f("only TZ", src("    schedule: TZ=UTC\n"),
		`govpulse.yml:6: sources[0].schedule: "TZ=UTC" is only a time zone: add the schedule, e.g. "CRON_TZ=Asia/Ho_Chi_Minh */5 * * * *"`)
	f("unknown schedule zone", src("    schedule: CRON_TZ=Mars/Base */5 * * * *\n"),
		`govpulse.yml:6: sources[0].schedule: unknown time zone "Mars/Base" in "CRON_TZ=Mars/Base */5 * * * *"`)
	f("six-field cron", src("    schedule: \"0 */5 * * * *\"\n"),
		`govpulse.yml:6: sources[0].schedule: cannot parse "0 */5 * * * *": expected exactly 5 fields, found 6: [0 */5 * * * *]`)
	f("due_based cannot be computed", "thresholds: {late_rate_definition: due_based}\n"+base+"  - {name: rating, type: rating}\n",
		"govpulse.yml:1: thresholds.late_rate_definition: due_based cannot be computed from the one-stop period report (it does not count the dossiers that fell due); use resolved_only, backlog or qd766")
	f("timeout longer than the schedule", src("    schedule: \"@every 1m\"\n    timeout: 5m\n"),
		"govpulse.yml:7: sources[0].timeout: 5m0s must be shorter than the schedule's interval 1m0s, or runs would pile up")
	f("no agencies", "sources: [{name: rating, type: rating}]\n",
		"govpulse.yml:1: agencies: no agencies: set agencies or agencies_file; only listed codes are exported")
	f("agency without a name, bad level", "agencies: [{code: 000.00.00.H47, level: province}]\nsources: [{name: rating, type: rating}]\n",
		`govpulse.yml:1: agencies[0]: agency 000.00.00.H47: level "province" is not one of tinh, so, huyen, xa`,
		"govpulse.yml:1: agencies[0]: agency 000.00.00.H47 has no name")
	f("block of the wrong type", src("    portal: {}\n"),
		"govpulse.yml:6: sources[0].portal: only valid for type portal")
	f("credentials in the URL", strings.Replace(base, "http://127.0.0.1:1", "http://user:pass@127.0.0.1:1", 1),
		"govpulse.yml:5: sources[0].http.url: must not contain credentials; use bearer_token or oauth2")
	f("YAML syntax", "sources: [\n",
		"govpulse.yml:1: did not find expected node content")
}

// A secret not readable where the config is loaded is a warning, with its
// line: the daemon's environment may have what this shell lacks.
func TestUnreadableSecretWarns(t *testing.T) {
	yml := strings.Replace(base, `http: {url: "http://127.0.0.1:1"}`, "http:\n      url: http://127.0.0.1:1\n      bearer_token_env: GOVPULSE_TEST_NEVER_SET", 1)
	cfg, err := Parse("govpulse.yml", []byte(yml))
	if err != nil {
		t.Fatal(err)
	}
	want := `govpulse.yml:7: sources[0].http.bearer_token_env: environment variable "GOVPULSE_TEST_NEVER_SET" is not set or empty; the source's runs fail until it is readable`
	if len(cfg.Warnings) != 1 || cfg.Warnings[0] != want {
		t.Errorf("warnings %q, want %q", cfg.Warnings, want)
	}
}
