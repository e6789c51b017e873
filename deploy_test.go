package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	composecli "github.com/compose-spec/compose-go/v2/cli"
	composetypes "github.com/compose-spec/compose-go/v2/types"
	"gopkg.in/yaml.v3"

	"github.com/govpulse/govpulse/collector/config"
	"github.com/govpulse/govpulse/collector/simulate"
	"github.com/govpulse/govpulse/dashboards/boards"
)

// deployClock is the simulator's clock the deploy/ unit files are written
// at: the new city, with every link of the 2025 reorganisation behind it.
var deployClock = time.Date(2026, 12, 1, 12, 0, 0, 0, simulate.ICT)

// deploySim is the simulated province the deploy/ files come from.
func deploySim() *simulate.Sim {
	return simulate.New(simulate.Options{Seed: 47, Now: func() time.Time { return deployClock }})
}

// TestDeployUnitLists keeps deploy/agencies.csv, deploy/fields.csv and
// deploy/lineage.csv equal to the simulated province's units and lineage at
// deployClock (go test . -update rewrites them), and the demo config reads
// them: every former unit resolves to agencies in force.
func TestDeployUnitLists(t *testing.T) {
	sim := deploySim()
	var a, f, l bytes.Buffer
	if err := simulate.WriteAgenciesCSV(&a, sim.Agencies()); err != nil {
		t.Fatal(err)
	}
	if err := simulate.WriteFieldsCSV(&f, sim.Fields()); err != nil {
		t.Fatal(err)
	}
	if err := simulate.WriteLineageCSV(&l, sim.Lineage()); err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string][]byte{"deploy/agencies.csv": a.Bytes(), "deploy/fields.csv": f.Bytes(), "deploy/lineage.csv": l.Bytes()} {
		if *updateReadme {
			if err := os.WriteFile(file, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the simulated province: run go test . -run TestDeploy -update", file)
		}
	}
	if *updateReadme {
		return
	}
	t.Setenv("GOVPULSE_ONESTOP_CLIENT_SECRET", "example")
	t.Setenv("GOVPULSE_PORTAL_TOKEN", "example")
	for _, file := range []string{"deploy/govpulse.demo.yml", "deploy/govpulse.compose.yml"} {
		cfg, err := config.Load(file)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Province.Code != "48" || len(cfg.Agencies) != len(sim.Agencies()) || len(cfg.Formers) != 336 {
			t.Errorf("%s: province %s, %d agencies, %d former units; want 48, %d, 336", file, cfg.Province.Code, len(cfg.Agencies), len(cfg.Formers), len(sim.Agencies()))
		}
	}
}

// TestDemoPopulation: the demo's population aged 14+ is the total of the
// embedded population file, which is the simulated city's.
func TestDemoPopulation(t *testing.T) {
	total := 0
	for _, n := range deploySim().VNeIDPopulation14Plus() {
		total += n
	}
	if total != demoPopulation14Plus {
		t.Errorf("demoPopulation14Plus %d, the simulated city's population aged 14+ %d", demoPopulation14Plus, total)
	}
}

// TestDeployConfigsAreValid runs `govpulse check` on every shipped config.
func TestDeployConfigsAreValid(t *testing.T) {
	t.Setenv("GOVPULSE_ONESTOP_CLIENT_SECRET", "example")
	t.Setenv("GOVPULSE_PORTAL_TOKEN", "example")
	files, _ := filepath.Glob("deploy/*.yml")
	if len(files) < 2 {
		t.Fatalf("found %d configs in deploy/", len(files))
	}
	for _, f := range files {
		if strings.HasPrefix(filepath.Base(f), "docker-compose") {
			continue
		}
		var out, errb bytes.Buffer
		if err := run(t.Context(), []string{"check", "--config.file", f}, &out, &errb); err != nil {
			t.Errorf("%s: %v", f, err)
		}
		if !strings.Contains(out.String(), "OK") {
			t.Errorf("%s: check printed %q", f, out.String())
		}
	}
}

// TestCheckFailsWithFileLineField is the newcomer's experience of a typo.
func TestCheckFailsWithFileLineField(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "govpulse.yml")
	os.WriteFile(file, []byte("agencies:\n  - {code: 000.00.00.H47, name: UBND tỉnh, level: tinh}\nsources:\n  - name: onestop\n    type: onestop\n    schedule: \"*/5 * *\"\n    http: {url: \"http://127.0.0.1:1\"}\n"), 0o644)
	err := run(t.Context(), []string{"check", "--config.file", file}, &bytes.Buffer{}, &bytes.Buffer{})
	want := file + `:6: sources[0].schedule: cannot parse "*/5 * *": expected exactly 5 fields, found 3: [*/5 * *]`
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant  %s", err, want)
	}
	if _, err := config.Load(file); err == nil {
		t.Fatal("config.Load accepted it")
	}
}

// TestVictoriaMetricsScrapeConfig checks the compose stack's VictoriaMetrics
// scrape file with the real binary.
func TestVictoriaMetricsScrapeConfig(t *testing.T) {
	vm := needBinary(t, "victoria-metrics")
	out, err := exec.Command(vm, "-promscrape.config=deploy/victoriametrics/scrape.yml", "-dryRun").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "is ok") {
		t.Fatalf("victoria-metrics -dryRun: %v\n%s", err, out)
	}
}

// TestComposeMountsExist: every file the compose stack bind-mounts is in deploy/.
func TestComposeMountsExist(t *testing.T) {
	b, err := os.ReadFile("deploy/docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			Volumes []string `yaml:"volumes"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &compose); err != nil {
		t.Fatal(err)
	}
	n := 0
	for name, svc := range compose.Services {
		for _, v := range svc.Volumes {
			host, _, _ := strings.Cut(v, ":")
			if !strings.HasPrefix(host, ".") {
				continue // a named volume
			}
			n++
			if _, err := os.Stat(filepath.Join("deploy", host)); err != nil {
				t.Errorf("service %s mounts %s: %v", name, host, err)
			}
		}
	}
	if n < 8 {
		t.Fatalf("only %d bind mounts found", n)
	}
}

// TestDeployScoresFile keeps deploy/cchc-scores.csv equal to the simulated
// province's illustrative CCHC scores at deployClock (go test . -update
// rewrites it).
func TestDeployScoresFile(t *testing.T) {
	scores := deploySim().CCHCScores()
	codes := make([]string, 0, len(scores))
	for c := range scores {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	var b bytes.Buffer
	b.WriteString("agency,score\n")
	for _, c := range codes {
		fmt.Fprintf(&b, "%s,%.3f\n", c, scores[c])
	}
	const file = "deploy/cchc-scores.csv"
	if *updateReadme {
		if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(file)
	if err != nil || !bytes.Equal(got, b.Bytes()) {
		t.Fatalf("%s differs from the simulated province (%v): run go test . -run TestDeployScores -update", file, err)
	}
}

// TestStopTimeoutsCoverShutdown: compose's stop_grace_period for govpulse and
// the systemd unit's TimeoutStopSec exceed serve's shutdown bound, so neither
// kills govpulse in the middle of a clean shutdown, and the README states
// the bound.
func TestStopTimeoutsCoverShutdown(t *testing.T) {
	b, err := os.ReadFile("deploy/docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			StopGracePeriod string `yaml:"stop_grace_period"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &compose); err != nil {
		t.Fatal(err)
	}
	grace, err := time.ParseDuration(compose.Services["govpulse"].StopGracePeriod)
	if err != nil {
		t.Fatalf("compose: govpulse's stop_grace_period: %v (compose's default, 10 s, is below the bound %s)", err, shutdownBound)
	}
	if grace <= shutdownBound {
		t.Errorf("compose: stop_grace_period %s does not exceed the shutdown bound %s", grace, shutdownBound)
	}

	unit, err := os.ReadFile("deploy/systemd/govpulse.service")
	if err != nil {
		t.Fatal(err)
	}
	var stop time.Duration
	for line := range strings.Lines(string(unit)) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "TimeoutStopSec="); ok {
			if stop, err = systemdSpan(v); err != nil {
				t.Fatalf("systemd: TimeoutStopSec=%s: %v", v, err)
			}
		}
	}
	if stop <= shutdownBound {
		t.Errorf("systemd: TimeoutStopSec %s does not exceed the shutdown bound %s (unset is 90 s, but say it)", stop, shutdownBound)
	}

	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("within %d s", int(shutdownBound.Seconds())); !strings.Contains(string(readme), want) {
		t.Errorf("README does not state the shutdown bound (%q)", want)
	}
}

// systemdSpan reads the time spans a unit file writes: bare seconds, or
// numbers with s, min, h, ms units (e.g. 30, 30s, 1min 30s).
func systemdSpan(v string) (time.Duration, error) {
	var total time.Duration
	for _, f := range strings.Fields(v) {
		f = strings.Replace(f, "min", "m", 1)
		if _, err := strconv.Atoi(f); err == nil {
			f += "s"
		}
		d, err := time.ParseDuration(f)
		if err != nil {
			return 0, err
		}
		total += d
	}
	if total == 0 {
		return 0, fmt.Errorf("no time span")
	}
	return total, nil
}

// loadCompose reads deploy/docker-compose.yml with compose-go, the loader
// `docker compose` itself uses (schema validation, interpolation, merge keys,
// profiles), with env as the only environment: neither the test's nor a
// .env file.
func loadCompose(t *testing.T, env map[string]string, profiles ...string) (*composetypes.Project, error) {
	t.Helper()
	var list []string
	for k, v := range env {
		list = append(list, k+"="+v)
	}
	opts, err := composecli.NewProjectOptions([]string{"deploy/docker-compose.yml"},
		composecli.WithName("govpulse"), composecli.WithEnv(list), composecli.WithProfiles(profiles))
	if err != nil {
		t.Fatal(err)
	}
	return opts.LoadProject(t.Context())
}

// dockerfileStateDir returns the directory the Dockerfile copies in owned by
// the runtime user (nonroot, 65532), and that user.
func dockerfileStateDir(t *testing.T) (dir, user string) {
	t.Helper()
	b, err := os.ReadFile("deploy/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(b)) {
		f := strings.Fields(line)
		switch {
		case len(f) == 2 && f[0] == "USER":
			user = f[1]
		case len(f) >= 4 && f[0] == "COPY" && slices.Contains(f, "--chown=65532:65532"):
			dir = f[len(f)-1]
		}
	}
	return dir, user
}

// TestDeployCompose checks what can be checked of the compose stack without
// a Docker engine: it loads (schema, interpolation), binds every port to
// 127.0.0.1 unless GOVPULSE_BIND says otherwise, has no default Grafana
// password nor anonymous admin, restarts and health-checks every service,
// runs one alerting pipeline unless a profile adds Grafana's, mounts the
// state volume where the image and the config put the state directory, and
// gives govpulse time to shut down.
func TestDeployCompose(t *testing.T) {
	const pw = "test-password-not-a-default"
	// No default admin password: without one, compose refuses the file.
	if _, err := loadCompose(t, nil); err == nil || !strings.Contains(err.Error(), "GRAFANA_ADMIN_PASSWORD") {
		t.Errorf("no GRAFANA_ADMIN_PASSWORD: err = %v, want compose to refuse", err)
	}
	p, err := loadCompose(t, map[string]string{"GRAFANA_ADMIN_PASSWORD": pw})
	if err != nil {
		t.Fatal(err)
	}
	all := p.AllServices()
	if len(all) < 7 {
		t.Fatalf("%d services", len(all))
	}
	alertingFile, err := filepath.Abs(filepath.Join("deploy", boards.AlertingFile))
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range all {
		_, enabled := p.Services[name]
		for _, port := range s.Ports {
			if port.HostIP != "127.0.0.1" {
				t.Errorf("%s publishes %s on %q, want 127.0.0.1 by default", name, port.Published, port.HostIP)
			}
		}
		// Every service here runs until stopped.
		if s.Restart != composetypes.RestartPolicyUnlessStopped {
			t.Errorf("%s: restart %q, want unless-stopped", name, s.Restart)
		}
		if s.HealthCheck == nil || s.HealthCheck.Disable || len(s.HealthCheck.Test) < 2 || s.HealthCheck.Interval == nil {
			t.Errorf("%s: no health check (%+v)", name, s.HealthCheck)
		} else if s.Build != nil {
			// Built from deploy/Dockerfile: distroless, so the probe is govpulse itself.
			if test := s.HealthCheck.Test; test[0] != "CMD" || test[1] != "/usr/local/bin/govpulse" || commands[test[2]] == nil {
				t.Errorf("%s: health check %q is not a govpulse command", name, test)
			}
		}
		env := s.Environment
		if v := env["GF_SECURITY_ADMIN_PASSWORD"]; v != nil && *v != pw {
			t.Errorf("%s: GF_SECURITY_ADMIN_PASSWORD is %q, not GRAFANA_ADMIN_PASSWORD", name, *v)
		}
		if strings.HasPrefix(s.Image, "grafana/") {
			if env["GF_SECURITY_ADMIN_PASSWORD"] == nil {
				t.Errorf("%s: no GF_SECURITY_ADMIN_PASSWORD: Grafana's default is admin", name)
			}
			if v := env["GF_AUTH_ANONYMOUS_ENABLED"]; v == nil || *v != "false" {
				t.Errorf("%s: GF_AUTH_ANONYMOUS_ENABLED is not false: anonymous access must be off by default", name)
			}
			if v := env["GF_AUTH_ANONYMOUS_ORG_ROLE"]; v != nil && *v != "Viewer" {
				t.Errorf("%s: anonymous role %s, want Viewer", name, *v)
			}
		}
		// Grafana-managed alerting only under a profile: no service that
		// starts by default sees the alerting provisioning.
		for _, v := range s.Volumes {
			inAlerting := v.Type == composetypes.VolumeTypeBind && strings.HasPrefix(alertingFile, v.Source+string(filepath.Separator))
			if enabled && (inAlerting || strings.HasPrefix(v.Target, "/etc/grafana/provisioning/alerting") || v.Target == "/etc/grafana/provisioning") {
				t.Errorf("%s starts by default and mounts %s at %s: Grafana-managed alerting beside Alertmanager", name, v.Source, v.Target)
			}
		}
	}
	// The profile adds Grafana-managed alerting, with the generated file.
	pa, err := loadCompose(t, map[string]string{"GRAFANA_ADMIN_PASSWORD": pw}, "grafana-alerting")
	if err != nil {
		t.Fatal(err)
	}
	var alerting []string
	for name, s := range pa.Services {
		for _, v := range s.Volumes {
			if v.Target == "/etc/grafana/provisioning/alerting" && strings.HasPrefix(alertingFile, v.Source+string(filepath.Separator)) {
				alerting = append(alerting, name)
				if _, byDefault := p.Services[name]; byDefault || len(s.Profiles) == 0 {
					t.Errorf("%s provisions Grafana alerting without a profile", name)
				}
			}
		}
	}
	if len(alerting) != 1 {
		t.Errorf("with --profile grafana-alerting, %v provision %s; want one service", alerting, boards.AlertingFile)
	}

	// GOVPULSE_BIND opens the ports deliberately.
	open, err := loadCompose(t, map[string]string{"GRAFANA_ADMIN_PASSWORD": pw, "GOVPULSE_BIND": "0.0.0.0"}, "grafana-alerting")
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range open.AllServices() {
		for _, port := range s.Ports {
			if port.HostIP != "0.0.0.0" {
				t.Errorf("GOVPULSE_BIND=0.0.0.0: %s publishes %s on %q", name, port.Published, port.HostIP)
			}
		}
	}

	// The state volume: a named volume at the directory the image makes
	// (owned by its user) and the config writes to.
	dir, user := dockerfileStateDir(t)
	if dir == "" || user != "nonroot" {
		t.Fatalf("Dockerfile: state directory %q copied --chown=65532:65532, runtime user %q (want nonroot)", dir, user)
	}
	cfg, err := config.Load("deploy/govpulse.compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.StateDir != dir {
		t.Errorf("govpulse.compose.yml state_dir %q, the image's state directory %q", cfg.StateDir, dir)
	}
	gp, ok := p.Services["govpulse"]
	if !ok {
		t.Fatal("no govpulse service")
	}
	var state *composetypes.ServiceVolumeConfig
	for i, v := range gp.Volumes {
		if v.Target == dir {
			state = &gp.Volumes[i]
		}
	}
	if state == nil || state.Type != composetypes.VolumeTypeVolume || state.ReadOnly {
		t.Errorf("govpulse: no writable named volume at %s (%+v)", dir, state)
	}
	if gp.StopGracePeriod == nil || time.Duration(*gp.StopGracePeriod) <= shutdownBound {
		t.Errorf("govpulse: stop_grace_period %v does not exceed the shutdown bound %s", gp.StopGracePeriod, shutdownBound)
	}
}

// TestDeployComposeRawPassword: the file itself holds no Grafana password,
// only a required variable (read without interpolation).
func TestDeployComposeRawPassword(t *testing.T) {
	opts, err := composecli.NewProjectOptions([]string{"deploy/docker-compose.yml"},
		composecli.WithName("govpulse"), composecli.WithInterpolation(false))
	if err != nil {
		t.Fatal(err)
	}
	model, err := opts.LoadModel(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	services, _ := model["services"].(map[string]any)
	n := 0
	for name, s := range services {
		env, _ := s.(map[string]any)["environment"].(map[string]any)
		v, ok := env["GF_SECURITY_ADMIN_PASSWORD"]
		if !ok {
			continue
		}
		n++
		if s, _ := v.(string); !strings.HasPrefix(s, "${GRAFANA_ADMIN_PASSWORD:?") {
			t.Errorf("%s: GF_SECURITY_ADMIN_PASSWORD is %v, want ${GRAFANA_ADMIN_PASSWORD:?…} (required, no default)", name, v)
		}
	}
	if n == 0 {
		t.Error("no service sets GF_SECURITY_ADMIN_PASSWORD")
	}
}

const unitFile = "deploy/systemd/govpulse.service"

// unitSettings returns the values of key= in the unit, in order.
func unitSettings(t *testing.T, key string) []string {
	t.Helper()
	b, err := os.ReadFile(unitFile)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), key+"="); ok {
			out = append(out, v)
		}
	}
	return out
}

var exposureLine = regexp.MustCompile(`Overall exposure level for \S+: ([0-9]+\.[0-9])`)

// TestDeploySystemdExposure: systemd-analyze security rates the unit's
// sandbox 2.0 or better ("OK"), and the sandbox leaves govpulse its network:
// it listens on TCP and calls the upstream APIs.
func TestDeploySystemdExposure(t *testing.T) {
	for _, key := range []string{"PrivateNetwork", "IPAddressDeny"} {
		if v := unitSettings(t, key); len(v) > 0 {
			t.Errorf("%s=%v: govpulse must listen and reach its upstreams", key, v)
		}
	}
	families := strings.Fields(strings.Join(unitSettings(t, "RestrictAddressFamilies"), " "))
	if !slices.Contains(families, "AF_INET") || !slices.Contains(families, "AF_INET6") || slices.Contains(families, "~AF_INET") {
		t.Errorf("RestrictAddressFamilies=%v: govpulse needs AF_INET and AF_INET6", families)
	}
	sa := needBinary(t, "systemd-analyze")
	// --threshold=20: exit non-zero when the exposure is above 2.0.
	out, err := exec.Command(sa, "security", "--offline=true", "--threshold=20", "--no-pager", unitFile).CombinedOutput()
	m := exposureLine.FindSubmatch(out)
	if m == nil {
		t.Fatalf("systemd-analyze security: %v, no overall exposure level in:\n%s", err, out)
	}
	level, perr := strconv.ParseFloat(string(m[1]), 64)
	if perr != nil || level > 2.0 || err != nil {
		t.Errorf("exposure %s (%v), want 2.0 or less; systemd-analyze: %v\n%s", m[1], perr, err, out)
	}
	t.Logf("exposure level %.1f", level)
}

// TestDeploySystemdSyscallFilter runs the daemon (serve --demo: every source,
// state files written, /metrics and the health endpoints served, SIGHUP, a
// clean SIGTERM shutdown) and check under strace, and asserts that every
// system call they make is one the unit's SystemCallFilter= allows: the
// filter answers EPERM to the others, which govpulse would not survive well.
func TestDeploySystemdSyscallFilter(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	sa := needBinary(t, "systemd-analyze")
	strace := needBinary(t, "strace")
	allowed, denied := map[string]bool{}, map[string]bool{}
	var expand func(group string, into map[string]bool)
	expand = func(group string, into map[string]bool) {
		if !strings.HasPrefix(group, "@") {
			into[group] = true
			return
		}
		out, err := exec.Command(sa, "syscall-filter", "--no-pager", group).Output()
		if err != nil {
			t.Fatalf("systemd-analyze syscall-filter %s: %v", group, err)
		}
		for i, line := range strings.Split(string(out), "\n") {
			f := strings.TrimSpace(line)
			if i == 0 || f == "" || strings.HasPrefix(f, "#") {
				continue
			}
			expand(f, into)
		}
	}
	filters := unitSettings(t, "SystemCallFilter")
	if len(filters) == 0 {
		t.Fatal("the unit has no SystemCallFilter=")
	}
	for _, f := range filters {
		into := allowed
		if rest, ok := strings.CutPrefix(f, "~"); ok {
			f, into = rest, denied
		}
		for _, g := range strings.Fields(f) {
			expand(g, into)
		}
	}
	if len(allowed) < 100 {
		t.Fatalf("only %d system calls allowed: %v", len(allowed), filters)
	}

	bin := filepath.Join(t.TempDir(), "govpulse")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	traces := t.TempDir()
	addr := freeAddr(t)
	serve := exec.Command(strace, "-f", "-qq", "-o", filepath.Join(traces, "serve"), bin,
		"serve", "--demo", "--web.listen-address="+addr)
	serve.Env = append(os.Environ(), demoTimeEnv+"="+testTime())
	var logs bytes.Buffer
	serve.Stdout, serve.Stderr = &logs, &logs
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- serve.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(httpBody("http://"+addr+"/metrics"), "govpulse_source_up{") || !strings.Contains(httpBody("http://"+addr+"/-/ready"), "OK") {
		if time.Now().After(deadline) {
			_ = serve.Process.Kill()
			t.Fatalf("serve --demo under strace served nothing within 60 s:\n%s", logs.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	_ = httpBody("http://" + addr + "/-/healthy")
	// The tracer's pid is strace's: signal the traced daemon, its child.
	pid := serve.Process.Pid
	if kids, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid)); err == nil && len(strings.Fields(string(kids))) > 0 {
		pid, _ = strconv.Atoi(strings.Fields(string(kids))[0])
	}
	_ = syscall.Kill(pid, syscall.SIGHUP)
	time.Sleep(500 * time.Millisecond)
	_ = syscall.Kill(pid, syscall.SIGTERM)
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve --demo under strace: %v\n%s", err, logs.String())
		}
	case <-time.After(shutdownBound + 10*time.Second):
		_ = serve.Process.Kill()
		t.Fatalf("serve --demo did not stop:\n%s", logs.String())
	}
	check := exec.Command(strace, "-f", "-qq", "-o", filepath.Join(traces, "check"), bin, "check", "--config.file", "deploy/govpulse.example.yml")
	check.Env = append(os.Environ(), "GOVPULSE_ONESTOP_CLIENT_SECRET=example", "GOVPULSE_PORTAL_TOKEN=example")
	if out, err := check.CombinedOutput(); err != nil {
		t.Fatalf("check under strace: %v\n%s", err, out)
	}

	call := regexp.MustCompile(`^\d+\s+([a-z0-9_]+)\(`)
	used := map[string]bool{}
	for _, f := range []string{"serve", "check"} {
		b, err := os.ReadFile(filepath.Join(traces, f))
		if err != nil {
			t.Fatal(err)
		}
		for line := range strings.Lines(string(b)) {
			if m := call.FindStringSubmatch(line); m != nil {
				used[m[1]] = true
			}
		}
	}
	if len(used) < 20 {
		t.Fatalf("only %d system calls traced: %v", len(used), used)
	}
	var refused []string
	for c := range used {
		if !allowed[c] || denied[c] {
			refused = append(refused, c)
		}
	}
	sort.Strings(refused)
	if len(refused) > 0 {
		t.Fatalf("govpulse calls %v, which SystemCallFilter=%v refuses", refused, filters)
	}
	t.Logf("%d distinct system calls traced, all allowed", len(used))
}

// TestDemoConfigInEveryEra: the demo config is valid with the simulator's
// clock in each shape of the map, its lineage resolved to the units in
// force: none before the department mergers, their 15 links until the
// merger, the 336 former units after it.
func TestDemoConfigInEveryEra(t *testing.T) {
	for _, tc := range []struct {
		now              time.Time
		agencies, former int
	}{
		{time.Date(2024, 11, 20, 10, 0, 0, 0, simulate.ICT), 348, 0},
		{time.Date(2025, 4, 21, 10, 0, 0, 0, simulate.ICT), 337, 15},
		{deployClock, 112, 336},
	} {
		sim := simulate.New(simulate.Options{Seed: 47, Now: func() time.Time { return tc.now }})
		files := t.TempDir()
		if err := writeDemoFiles(files); err != nil {
			t.Fatal(err)
		}
		cfg, err := demoConfig(sim, "http://127.0.0.1:1", files)
		if err != nil {
			t.Fatalf("%s: %v", tc.now.Format(time.DateOnly), err)
		}
		if len(cfg.Agencies) != tc.agencies || len(cfg.Formers) != tc.former {
			t.Errorf("%s: %d agencies, %d former units; want %d, %d", tc.now.Format(time.DateOnly), len(cfg.Agencies), len(cfg.Formers), tc.agencies, tc.former)
		}
	}
}
