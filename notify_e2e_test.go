package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/textproto"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/config"
	"github.com/govpulse/govpulse/collector/simulate"
	"github.com/govpulse/govpulse/collector/source"
	"github.com/govpulse/govpulse/dashboards"
	"github.com/govpulse/govpulse/dashboards/rules"
)

// amSinks are where the test variant of the generated Alertmanager
// configuration delivers: an HTTP sink (chat hooks at /chat/<receiver>,
// webhooks at /webhook/<receiver>) and an SMTP server.
type amSinks struct {
	http, smtp string
	// leadersWebhook adds the optional JSON webhook to the leaders' receiver.
	leadersWebhook bool
}

// testAlertmanagerFiles generates the Alertmanager configuration and
// templates for cfg as `govpulse generate` does, then changes only values:
// every address is a sink on this machine, every route's timings are tm, and
// the office-hours and digest windows are open at every hour (the test runs
// on the wall clock, which may be at night). The routing tree, the
// receivers and the templates are the generated ones.
func testAlertmanagerFiles(t *testing.T, cfg *config.Config, s amSinks, tm rules.Timing) []dashboards.File {
	t.Helper()
	in := dashboards.Input{Config: cfg, Lang: dashboards.Vi}
	b, err := notifyBoards(in)
	if err != nil {
		t.Fatal(err)
	}
	o, err := rules.DefaultAlertmanagerOptions(in, b)
	if err != nil {
		t.Fatal(err)
	}
	o.SMTPSmarthost, o.SMTPNoTLS = s.smtp, true
	o.LeadersChatURL, o.ITChatURL, o.ITWebhookURL = s.http+"/chat/"+rules.ReceiverLeaders, s.http+"/chat/"+rules.ReceiverIT, s.http+"/webhook/"+rules.ReceiverIT
	if s.leadersWebhook {
		o.LeadersWebhookURL = s.http + "/webhook/" + rules.ReceiverLeaders
	}
	o.Leaders, o.Digest, o.Agency, o.IT = tm, tm, tm, tm
	o.AlwaysOpen = true
	files, err := rules.AlertmanagerFiles(o)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestNotifyBoards: the boards notifications link to are found among the
// generated boards, once each, and the agency board has the variable the
// link sets.
func TestNotifyBoards(t *testing.T) {
	in, err := generateInput("", string(dashboards.Vi))
	if err != nil {
		t.Fatal(err)
	}
	b, err := notifyBoards(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, uid := range []string{b.Overview, b.Agency, b.Health} {
		if _, err := os.Stat(filepath.Join("deploy", "grafana", "dashboards", strings.TrimPrefix(uid, "govpulse-")+".json")); err != nil {
			t.Errorf("board %s: %v", uid, err)
		}
	}
	if b.AgencyVar != catalog.LabelAgency || b.Overview == b.Agency || b.Agency == b.Health {
		t.Errorf("boards %+v", b)
	}
}

// mailMsg is one e-mail the SMTP sink received, decoded as a reader sees it.
type mailMsg struct {
	to                  []string
	subject, text, html string
}

// mailSink is a minimal SMTP server on 127.0.0.1 (no TLS, no auth) that
// keeps every message.
type mailSink struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []mailMsg
	errs []error
}

func startMailSink(t *testing.T) *mailSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m := &mailSink{ln: ln}
	var wg sync.WaitGroup
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				m.serve(c)
			}()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		wg.Wait()
	})
	return m
}

func (m *mailSink) serve(c net.Conn) {
	defer func() { _ = c.Close() }()
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	tp := textproto.NewConn(c)
	_ = tp.PrintfLine("220 sink ESMTP")
	var to []string
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		switch cmd := strings.ToUpper(strings.SplitN(line, " ", 2)[0]); cmd {
		case "EHLO", "HELO":
			_ = tp.PrintfLine("250-sink")
			_ = tp.PrintfLine("250 8BITMIME")
		case "MAIL":
			to = nil
			_ = tp.PrintfLine("250 ok")
		case "RCPT":
			_, addr, _ := strings.Cut(line, ":")
			to = append(to, strings.ToLower(strings.Trim(addr, " <>")))
			_ = tp.PrintfLine("250 ok")
		case "DATA":
			_ = tp.PrintfLine("354 go ahead")
			data, err := io.ReadAll(tp.DotReader())
			if err != nil {
				return
			}
			msg, err := decodeMail(data)
			m.mu.Lock()
			if err != nil {
				m.errs = append(m.errs, err)
			} else {
				msg.to = to
				m.msgs = append(m.msgs, msg)
			}
			m.mu.Unlock()
			_ = tp.PrintfLine("250 ok")
		case "QUIT":
			_ = tp.PrintfLine("221 bye")
			return
		default:
			_ = tp.PrintfLine("250 ok")
		}
	}
}

// decodeMail decodes the subject (RFC 2047) and the text and HTML parts
// (quoted-printable or base64) of a message.
func decodeMail(data []byte) (mailMsg, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return mailMsg{}, err
	}
	var out mailMsg
	if out.subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return out, err
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") {
		return out, fmt.Errorf("content type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		var r io.Reader = p // multipart decodes quoted-printable itself
		if p.Header.Get("Content-Transfer-Encoding") == "quoted-printable" {
			r = quotedprintable.NewReader(p)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			return out, err
		}
		switch {
		case strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain"):
			out.text = string(b)
		case strings.HasPrefix(p.Header.Get("Content-Type"), "text/html"):
			out.html = string(b)
		}
	}
}

// to returns the messages sent to addr.
func (m *mailSink) to(addr string) []mailMsg {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []mailMsg
	for _, msg := range m.msgs {
		if slices.Contains(msg.to, addr) {
			out = append(out, msg)
		}
	}
	return out
}

// chatPost is one post to a chat hook (Slack's incoming-webhook payload) or
// a webhook (Alertmanager's JSON).
type chatPost struct {
	Attachments []struct {
		Title     string `json:"title"`
		TitleLink string `json:"title_link"`
		Text      string `json:"text"`
	} `json:"attachments"`
	Alerts          []json.RawMessage `json:"alerts"`
	TruncatedAlerts int               `json:"truncatedAlerts"`
	size            int
}

// httpSink keeps every post by path.
type httpSink struct {
	mu    sync.Mutex
	posts map[string][]chatPost
}

func (h *httpSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	var p chatPost
	if err == nil {
		err = json.Unmarshal(b, &p)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	p.size = len(b)
	h.mu.Lock()
	if h.posts == nil {
		h.posts = map[string][]chatPost{}
	}
	h.posts[r.URL.Path] = append(h.posts[r.URL.Path], p)
	h.mu.Unlock()
	_, _ = w.Write([]byte("ok"))
}

func (h *httpSink) at(path string) []chatPost {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.posts[path])
}

// TestNotificationsEndToEnd measures what each receiver gets from the
// generated rules and Alertmanager configuration: `serve --demo` (pinned to a
// busy day) and a second govpulse whose only source cannot reach its
// upstream (an IT fault) → a real Prometheus evaluating the generated rules
// → a real Alertmanager with the generated configuration (timings shortened,
// windows open, the routing tree as generated) → a chat/webhook sink and an
// SMTP sink on 127.0.0.1. It checks that every receiver gets one
// notification per group — the leaders one per kind of alert, each agency
// with a contact one for all its alerts, IT one for the fault — and nothing
// more over ten further group intervals, and it checks the text a reader
// sees. The per-day figures follow from the measured groups and the
// generated production timings (logged, and in the README).
func TestNotificationsEndToEnd(t *testing.T) {
	promBin := needBinary(t, "prometheus")
	amBin := needBinary(t, "prometheus-alertmanager")
	start := time.Now()
	deadline := start.Add(180 * time.Second)

	// The demo province as serve --demo runs it, at a busy time.
	clock := testClock(t, busyTime)
	sim := simulate.New(simulate.Options{Seed: 47, Now: clock})
	cfg, err := generatedDemoConfig()
	if err != nil {
		t.Fatal(err)
	}
	th := cfg.Thresholds
	names := map[string]string{}
	for _, a := range cfg.Agencies {
		names[a.Code] = a.Name
	}
	counts := monthCounts(sim, clock())
	warn, crit := judged(counts, th, th.LateRateWarning), judged(counts, th, th.LateRateCritical)
	if len(crit) == 0 {
		t.Fatal("no agency over the critical threshold")
	}
	// Contacts for two agencies: one over the critical threshold, one under
	// the warning threshold with overdue dossiers (its only alert).
	overdue := map[string]int{}
	p := source.CurrentPeriods(clock(), simulate.ICT)[0]
	for _, r := range sim.Report(p.From, p.To) {
		overdue[r.Agency] += r.InProgress.Overdue
	}
	var quiet string
	var codes []string
	for c := range counts {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		m := counts[c]
		if m.all >= th.LateMinVolume && m.rate() < th.LateRateWarning-catalog.LateRateHysteresis && overdue[c] > 0 {
			quiet = c
			break
		}
	}
	if quiet == "" {
		t.Fatal("no agency under the warning threshold with overdue dossiers")
	}
	loud := crit[0]
	contacts := map[string]string{loud: "vanphong@loud.example.org", quiet: "vanphong@quiet.example.org"}
	for i, a := range cfg.Agencies {
		if e, ok := contacts[a.Code]; ok {
			cfg.Agencies[i].Email = e
		}
	}
	const grafana = "https://grafana.danang.example.org"
	cfg.Notifications.GrafanaURL = grafana
	warnOnly := len(warn) > len(crit)
	wantLeaders := 2 // the critical list and the digest
	if warnOnly {
		wantLeaders++ // and the warning list (agencies at or above 5% but under 10%)
	}
	t.Logf("%d agencies at or above the warning threshold, %d at or above the critical; contacts: %s (%s), %s (%s)",
		len(warn), len(crit), loud, names[loud], quiet, names[quiet])

	logs := &syncWriter{w: &bytes.Buffer{}}
	demo := startServe(t, logs, "--demo", "--demo.time="+busyTime)
	t.Cleanup(func() { _ = demo.stop(t) })

	// A second govpulse whose only source cannot reach its upstream.
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.yml")
	if err := os.WriteFile(broken, []byte("agencies: [{code: \"000.99.99.H15\", name: \"Đơn vị thử nghiệm\", level: tinh}]\n"+
		"state_dir: "+strconv.Quote(filepath.Join(dir, "state"))+"\n"+
		"sources:\n  - name: onestop_test\n    type: onestop\n    schedule: \"@every 5s\"\n    timeout: 2s\n    http: {url: \"http://127.0.0.1:1\", retries: 0}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	faulty := startServe(t, logs, "--config.file", broken)
	t.Cleanup(func() { _ = faulty.stop(t) })

	// Cleanups run last first: Alertmanager and Prometheus stop before the
	// sinks and the govpulse servers they talk to.
	hooks := &httpSink{}
	hookSrv := httptest.NewServer(hooks)
	t.Cleanup(hookSrv.Close)
	mails := startMailSink(t)

	ruleFiles, err := rules.RuleFiles(rules.Options{Thresholds: th, Lang: dashboards.Vi, For: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var rulePaths []string
	for _, f := range ruleFiles {
		rulePaths = append(rulePaths, filepath.Join(dir, filepath.FromSlash(f.Path)))
	}
	amAddr, promAddr := freeAddr(t), freeAddr(t)
	promCfg, err := rules.PrometheusConfig(rules.PrometheusOptions{
		ScrapeInterval: time.Second, EvaluationInterval: time.Second,
		Targets: []string{demo.addr, faulty.addr}, Alertmanagers: []string{amAddr}, RuleFiles: rulePaths,
	})
	if err != nil {
		t.Fatal(err)
	}
	// The test's timings, scaled down from production's (group_wait 5m,
	// group_interval 1h for people): the first notification of a group waits
	// long enough to take the alerts that fire together at start.
	groupInterval := 2 * time.Second
	amFiles := testAlertmanagerFiles(t, cfg, amSinks{http: hookSrv.URL, smtp: mails.ln.Addr().String()},
		rules.Timing{GroupWait: 10 * time.Second, GroupInterval: groupInterval, RepeatInterval: time.Hour})
	if err := dashboards.Write(dir, append(append(ruleFiles, promCfg), amFiles...)); err != nil {
		t.Fatal(err)
	}
	startBinary(t, amBin, "--config.file="+filepath.Join(dir, filepath.FromSlash(rules.AlertmanagerFile)), "--storage.path="+filepath.Join(dir, "am"),
		"--web.listen-address="+amAddr, "--cluster.listen-address=", "--log.level=warn")
	startBinary(t, promBin, "--config.file="+filepath.Join(dir, filepath.FromSlash(promCfg.Path)), "--storage.tsdb.path="+filepath.Join(dir, "prom"),
		"--web.listen-address="+promAddr, "--log.level=warn")
	pollUntil(t, deadline, "Alertmanager ready", func() bool { return httpOK("http://" + amAddr + "/-/ready") })
	pollUntil(t, deadline, "Prometheus ready", func() bool { return httpOK("http://" + promAddr + "/-/ready") })

	leadersMail, itMail := "lanhdao@example.org", "cntt@example.org"
	type count struct{ leadersMail, leadersChat, itMail, itChat, itHook, loud, quiet int }
	now := func() count {
		return count{len(mails.to(leadersMail)), len(hooks.at("/chat/leaders")), len(mails.to(itMail)), len(hooks.at("/chat/it")),
			len(hooks.at("/webhook/it")), len(mails.to(contacts[loud])), len(mails.to(contacts[quiet]))}
	}
	want := count{wantLeaders, wantLeaders, 1, 1, 1, 1, 1}
	for c := now(); c.leadersMail < want.leadersMail || c.leadersChat < want.leadersChat || c.itMail < 1 || c.itChat < 1 || c.itHook < 1 || c.loud < 1 || c.quiet < 1; c = now() {
		if time.Now().After(deadline) {
			t.Errorf("timed out waiting for notifications %+v; got %+v", want, c)
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	firstAt := time.Since(start)
	// Ten more group intervals: a group whose alerts do not change is not
	// notified again before its repeat interval.
	time.Sleep(10 * groupInterval)
	got := now()
	t.Logf("notifications %+v after %s and ten more group intervals (%s)", got, firstAt.Round(100*time.Millisecond), 10*groupInterval)
	if got != want {
		t.Errorf("notifications %+v, want one per group: %+v", got, want)
	}

	// What the leaders read.
	pct := regexp.MustCompile(`[0-9]+,[0-9]{2}%`)
	var digest mailMsg
	for _, m := range mails.to(leadersMail) {
		for _, w := range []string{`<html lang="vi">`, grafana + "/d/"} {
			if !strings.Contains(m.html, w) {
				t.Errorf("leaders' HTML mail %q lacks %q", m.subject, w)
			}
		}
		switch {
		case strings.Contains(m.subject, "Tổng hợp hồ sơ đang giải quyết quá hạn"):
			digest = m
		case strings.HasPrefix(m.subject, "[Cảnh báo nghiêm trọng] Tỷ lệ hồ sơ quá hạn từ 10% trở lên"):
			if !pct.MatchString(m.text) || !strings.Contains(m.text, names[crit[0]]) || !strings.Contains(m.text, grafana+"/d/govpulse-don-vi?var-level=$__all&var-field=$__all&var-agency="+crit[0]) {
				t.Errorf("critical list:\n%s", m.text)
			}
		case strings.HasPrefix(m.subject, "[Cảnh báo] Tỷ lệ hồ sơ quá hạn không đạt yêu cầu dưới 5%"):
			if !pct.MatchString(m.text) {
				t.Errorf("warning list:\n%s", m.text)
			}
		default:
			t.Errorf("leaders' mail %q", m.subject)
		}
		if strings.Contains(m.text+m.subject, "trễ") || strings.Contains(m.text, "alertmanager") {
			t.Errorf("leaders' mail %q:\n%s", m.subject, m.text)
		}
	}
	// The digest: the province's total and the agencies with the most, most first.
	if !strings.Contains(digest.text, "Toàn tỉnh có ") {
		t.Errorf("digest:\n%s", digest.text)
	}
	item := regexp.MustCompile(`(?m)^- (.+): ([0-9.]+) hồ sơ$`)
	items := item.FindAllStringSubmatch(digest.text, -1)
	if len(items) == 0 || len(items) > catalog.OverdueDigestTop {
		t.Errorf("digest lists %d agencies:\n%s", len(items), digest.text)
	}
	for i := 1; i < len(items); i++ {
		a, _ := strconv.Atoi(strings.ReplaceAll(items[i-1][2], ".", ""))
		b, _ := strconv.Atoi(strings.ReplaceAll(items[i][2], ".", ""))
		if a < b {
			t.Errorf("digest not sorted: %s before %s", items[i-1][0], items[i][0])
		}
	}
	if len(hooks.at("/chat/leaders")) > 0 && !strings.Contains(hooks.at("/chat/leaders")[0].Attachments[0].Text, "• ") {
		t.Errorf("leaders' chat: %+v", hooks.at("/chat/leaders")[0])
	}
	// What the agencies read: their own alerts in one notification.
	if m := mails.to(contacts[loud]); len(m) > 0 {
		if !strings.HasPrefix(m[0].subject, "[Cảnh báo nghiêm trọng] "+names[loud]+": ") || !strings.Contains(m[0].text, "hồ sơ đang giải quyết quá hạn") {
			t.Errorf("%s's mail %q:\n%s", loud, m[0].subject, m[0].text)
		}
	}
	if m := mails.to(contacts[quiet]); len(m) > 0 && !strings.HasPrefix(m[0].subject, "[Cảnh báo] "+names[quiet]+": ") {
		t.Errorf("%s's mail %q:\n%s", quiet, m[0].subject, m[0].text)
	}
	// What IT reads: the fault, and that the source never succeeded.
	if m := mails.to(itMail); len(m) > 0 {
		if !strings.Contains(m[0].subject, "Nguồn dữ liệu onestop_test không thu thập được") || !strings.Contains(m[0].text, "Lần thu thập thành công gần nhất: chưa có lần nào") ||
			!strings.Contains(m[0].text, grafana+"/d/govpulse-he-thong") {
			t.Errorf("IT's mail %q:\n%s", m[0].subject, m[0].text)
		}
	}
	if h := hooks.at("/webhook/it"); len(h) > 0 && (len(h[0].Alerts) != 1 || h[0].size > 64<<10) {
		t.Errorf("IT's webhook: %d alerts, %d bytes", len(h[0].Alerts), h[0].size)
	}

	// Per day, with the generated production timings: a group that stays as
	// it is repeats after its repeat interval, only inside its route's
	// windows. Office-hours routes (repeat 20h) send once per working day;
	// IT (repeat 4h, no window) six times a day while the fault lasts.
	in := dashboards.Input{Config: cfg, Lang: dashboards.Vi}
	b, err := notifyBoards(in)
	if err != nil {
		t.Fatal(err)
	}
	prod, err := rules.DefaultAlertmanagerOptions(in, b)
	if err != nil {
		t.Fatal(err)
	}
	perWorkingDay := func(tm rules.Timing, windowHours time.Duration) int {
		if tm.RepeatInterval >= windowHours {
			return 1
		}
		return int(windowHours / tm.RepeatInterval)
	}
	officeDay := 10 * time.Hour // 07:00–17:00
	day := 24 * time.Hour
	leadersDay := (wantLeaders-1)*perWorkingDay(prod.Leaders, officeDay) + perWorkingDay(prod.Digest, time.Hour)
	agencyDay := perWorkingDay(prod.Agency, officeDay)
	itDay := int(day / prod.IT.RepeatInterval)
	t.Logf("per simulated day with the production timings: leaders %d notifications per channel (e-mail, chat) on a working day, 0 on a day off; "+
		"each agency with a contact %d on a working day; IT %d per fault a day (e-mail, chat, webhook each), day and night", leadersDay, agencyDay, itDay)
	if leadersDay != wantLeaders || agencyDay != 1 || itDay != 6 {
		t.Errorf("per day: leaders %d, agency %d, IT %d", leadersDay, agencyDay, itDay)
	}
	if t.Failed() {
		for p, posts := range hooks.posts {
			for _, h := range posts {
				t.Logf("post to %s: %d alerts %+v", p, len(h.Alerts), h.Attachments)
			}
		}
		logs.mu.Lock()
		t.Logf("govpulse logs:\n%s", logs.w)
		logs.mu.Unlock()
		mails.mu.Lock()
		for _, m := range mails.msgs {
			t.Logf("mail to %v: %s\n%s", m.to, m.subject, m.text)
		}
		t.Logf("mail errors: %v", mails.errs)
		mails.mu.Unlock()
	}
}
