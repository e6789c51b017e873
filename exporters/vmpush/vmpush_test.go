package vmpush

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"
)

// startVM starts a real VictoriaMetrics on 127.0.0.1 with a temporary data
// dir, and stops it when the test ends. In CI a missing binary fails.
func startVM(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("victoria-metrics")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("victoria-metrics not found in CI: .ci/run must install it")
		}
		t.Skip("victoria-metrics not installed")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "-storageDataPath="+t.TempDir(), "-httpListenAddr="+addr, "-retentionPeriod=100y", "-loggerLevel=ERROR",
		// Instant queries hide the last 30 s by default: the test reads what it just pushed.
		"-search.latencyOffset=0s", "-search.disableCache")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("victoria-metrics output:\n%s", logs.String())
		}
	})
	base := "http://" + addr
	deadline := time.Now().Add(20 * time.Second)
	for {
		if resp, err := http.Get(base + "/health"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return base
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("victoria-metrics did not become healthy")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func query(t *testing.T, base, q string) []map[string]string {
	t.Helper()
	resp, err := http.Get(base + "/api/v1/query?query=" + url.QueryEscape(q))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Data struct {
			Result []struct {
				Metric map[string]string `json:"metric"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, r := range body.Data.Result {
		out = append(out, r.Metric)
	}
	return out
}

const exposition = `# HELP govpulse_source_up 1 if the source's last run succeeded.
# TYPE govpulse_source_up gauge
govpulse_source_up{source="onestop"} 1
# HELP tthc_agency_info Agency.
# TYPE tthc_agency_info gauge
tthc_agency_info{agency="000.00.31.H47",level="huyen",name="UBND thành phố Tam Kỳ",parent="000.00.00.H47"} 1
`

// TestTwoInstancesFeedOneVictoriaMetrics: two govpulse instances (two
// provinces) push to one real VictoriaMetrics, told apart by their extra
// labels; names with diacritics arrive intact.
func TestTwoInstancesFeedOneVictoriaMetrics(t *testing.T) {
	base := startVM(t)
	write := func(w io.Writer) { io.WriteString(w, exposition) }
	for _, prov := range []string{"48", "49"} {
		c := Config{URL: base + "/api/v1/import/prometheus", ExtraLabels: `province="` + prov + `"`}
		if err := c.Validate(); err != nil {
			t.Fatal(err)
		}
		if err := Push(context.Background(), c, write); err != nil {
			t.Fatalf("push: %v", err)
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		http.Get(base + "/internal/force_flush")
		got := query(t, base, `govpulse_source_up{source="onestop"}`)
		var provs []string
		for _, m := range got {
			provs = append(provs, m["province"])
		}
		sort.Strings(provs)
		if strings.Join(provs, ",") == "48,49" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("VictoriaMetrics has %v", got)
		}
		time.Sleep(100 * time.Millisecond)
	}
	info := query(t, base, `tthc_agency_info{province="49"}`)
	if len(info) != 1 || info[0]["name"] != "UBND thành phố Tam Kỳ" {
		t.Fatalf("agency info: %v", info)
	}
}

// TestRunLogsAnOutageOnce: an unreachable VictoriaMetrics is logged once,
// and Run returns when its context ends.
func TestRunLogsAnOutageOnce(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := "http://" + l.Addr().String() + "/api/v1/import/prometheus"
	l.Close()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	done := make(chan struct{})
	go func() {
		Run(ctx, Config{URL: dead, Interval: 20 * time.Millisecond}, func(w io.Writer) { io.WriteString(w, exposition) }, nil, logger)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	if n := strings.Count(logs.String(), "level=ERROR"); n != 1 {
		t.Fatalf("outage logged %d times:\n%s", n, logs.String())
	}
}

func TestValidate(t *testing.T) {
	const ok = "http://vm:8428/api/v1/import/prometheus"
	for u, valid := range map[string]bool{ok: true, "vm:8428": false, "": false, "ftp://vm/x": false} {
		if err := (Config{URL: u}).Validate(); (err == nil) != valid {
			t.Errorf("Validate(%q) = %v", u, err)
		}
	}
	for l, valid := range map[string]bool{`province="49"`: true, `province="49",replica="a"`: true, `province=49`: false, `province="49",`: false, `1x="a"`: false, `a="b"c`: false} {
		if err := (Config{URL: ok, ExtraLabels: l}).Validate(); (err == nil) != valid {
			t.Errorf("Validate(extra labels %q) = %v", l, err)
		}
	}
}
