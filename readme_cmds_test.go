package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
)

// readmeCommand is one shell command the README shows: a line of a ```sh
// block (continued by a trailing | or \), or the first cell of a row of a
// command table.
type readmeCommand struct {
	line int
	cmd  string
}

var tableCommand = regexp.MustCompile("^\\| `(govpulse [^`]*)` \\|")

// readmeCommands returns the README's shell commands in document order.
func readmeCommands(readme []byte) []readmeCommand {
	var out []readmeCommand
	sc := bufio.NewScanner(bytes.NewReader(readme))
	inSh, inOther := false, false
	var cur readmeCommand
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "```") && !inSh && !inOther:
			inSh, inOther = l == "```sh", l != "```sh"
			continue
		case strings.HasPrefix(l, "```"):
			inSh, inOther = false, false
			continue
		}
		if inOther {
			continue
		}
		if !inSh {
			if m := tableCommand.FindStringSubmatch(l); m != nil {
				out = append(out, readmeCommand{n, m[1]})
			}
			continue
		}
		t := strings.TrimSpace(l)
		if cur.cmd == "" && (t == "" || strings.HasPrefix(t, "#")) {
			continue
		}
		if cur.cmd == "" {
			cur.line = n
		}
		cur.cmd += l + "\n"
		body := strings.TrimSpace(stripComment(l))
		if !strings.HasSuffix(body, "|") && !strings.HasSuffix(body, "\\") {
			out = append(out, cur)
			cur = readmeCommand{}
		}
	}
	return out
}

// stripComment drops a trailing "# comment" (outside quotes) from a line.
func stripComment(l string) string {
	q := rune(0)
	for i, r := range l {
		switch {
		case q != 0 && r == q:
			q = 0
		case q == 0 && (r == '\'' || r == '"'):
			q = r
		case q == 0 && r == '#' && (i == 0 || l[i-1] == ' '):
			return l[:i]
		}
	}
	return l
}

// TestReadmeShellCommands runs every shell command the README shows, as written,
// against the simulated province, in a copy of this checkout (git metadata
// included, so that the install stamps a revision): the two set-up commands,
// the install, the command table, backfill into a real promtool and
// VictoriaMetrics, generate, and the promtool checks. What cannot run here:
//   - `go test` lines (the suite itself, and benchmarks documented apart);
//   - nothing else: Docker commands are not shown as sh blocks.
//
// Long-running commands (serve, simulate) are started in the background and
// probed; `simulate` keeps serving 127.0.0.1:9471 for the commands after it
// (deploy/govpulse.demo.yml collects from it). `govpulse.yml`, the user's
// config, is deploy/govpulse.demo.yml. Deployment paths and hosts are the
// user's: /etc/govpulse/govpulse.yml is deploy/govpulse.example.yml (with no
// secrets set: generate needs none), /etc/prometheus/govpulse
// and /var/lib/prometheus/metrics2 are temporary directories, and
// http://vm:8428 is a VictoriaMetrics this test starts on loopback.
func TestReadmeShellCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	promtool := needBinary(t, "promtool")
	vmBin := needBinary(t, "victoria-metrics")
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	cmds := readmeCommands(readme)
	if len(cmds) < 12 {
		t.Fatalf("only %d commands found in the README", len(cmds))
	}

	work := t.TempDir()
	copyCheckout(t, work)
	writeDemoAsUserConfig(t, work)
	bin := filepath.Join(t.TempDir(), "bin")
	vmURL := startVictoriaMetrics(t, vmBin)
	etc := t.TempDir()
	placeholders := strings.NewReplacer(
		"/etc/govpulse/govpulse.yml", filepath.Join(work, "deploy", "govpulse.example.yml"),
		"/etc/prometheus/govpulse", filepath.Join(etc, "prometheus-govpulse"),
		"/var/lib/prometheus/metrics2", filepath.Join(etc, "metrics2"),
		"http://vm:8428", vmURL,
	)
	env := append(os.Environ(), "GOBIN="+bin, "PATH="+bin+string(os.PathListSeparator)+filepath.Dir(promtool)+string(os.PathListSeparator)+os.Getenv("PATH"),
		demoTimeEnv+"="+testTime())

	// The binary every govpulse line runs: the README's install, first.
	install := exec.Command("go", "install", "-buildvcs=true", ".")
	install.Dir, install.Env = work, env
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("go install: %v\n%s", err, out)
	}

	ran := 0
	for _, c := range cmds {
		cmd := placeholders.Replace(c.cmd)
		name := fmt.Sprintf("README.md:%d: %s", c.line, strings.TrimSpace(strings.SplitN(c.cmd, "\n", 2)[0]))
		switch {
		case goTest.MatchString(cmd):
			t.Logf("%s: not run (the test suite itself)", name)
			continue
		case longRunning(cmd):
			runBackground(t, name, cmd, work, env)
		default:
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			sh := exec.CommandContext(ctx, "bash", "-e", "-o", "pipefail", "-c", cmd)
			sh.Dir, sh.Env = work, env
			out, err := sh.CombinedOutput()
			cancel()
			if err != nil {
				t.Errorf("%s: %v\n%s", name, err, out)
				continue
			}
			if strings.Contains(c.cmd, "http://vm:8428/api/v1/import") {
				// What was imported becomes searchable within seconds; the
				// README's next commands read it at once.
				flushVM(vmURL)
			}
		}
		ran++
	}
	t.Logf("%d README commands ran", ran)

	// The install stamped the checkout's revision.
	out, err := exec.Command(filepath.Join(bin, "govpulse"), "--version").Output()
	rev := exec.Command("git", "rev-parse", "HEAD")
	rev.Dir = work
	head, herr := rev.Output()
	if err != nil || herr != nil || !strings.Contains(string(out), strings.TrimSpace(string(head))) {
		t.Errorf("govpulse --version = %q (%v), want the revision %s (%v)", out, err, head, herr)
	}
}

// goTest matches a `go test` command, after any environment assignments.
var goTest = regexp.MustCompile(`^\s*(\w+=\S*\s+)*go test\s`)

// longRunning reports whether cmd serves until stopped.
func longRunning(cmd string) bool {
	return regexp.MustCompile(`(^|\s)(govpulse|go run \.) (serve|simulate)(\s|$)`).MatchString(cmd)
}

var listenFlag = regexp.MustCompile(`--web\.listen-address[ =](\S+)`)

// runBackground starts a serving command and waits until it answers on its
// address. A simulate keeps running until the test ends (later commands
// collect from it); a serve is stopped once it has served metrics, so that
// the next serve can take the same port.
func runBackground(t *testing.T, name, cmd, dir string, env []string) {
	t.Helper()
	addr := "127.0.0.1:9470"
	if m := listenFlag.FindStringSubmatch(cmd); m != nil {
		addr = m[1]
	}
	isServe := strings.Contains(cmd, " serve")
	sh := exec.Command("bash", "-c", "exec "+strings.TrimSpace(cmd))
	sh.Dir, sh.Env = dir, env
	var logs syncWriter
	logs.w = &bytes.Buffer{}
	sh.Stdout, sh.Stderr = &logs, &logs
	sh.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := sh.Start(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	stop := func() {
		_ = syscall.Kill(-sh.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = sh.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = syscall.Kill(-sh.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}
	probe := "http://" + addr + "/"
	want := "govpulse"
	if isServe {
		probe, want = "http://"+addr+"/metrics", catalog.SourceUp.Name+"{"
	}
	deadline := time.Now().Add(90 * time.Second) // go run compiles first
	for !strings.Contains(httpBody(probe), want) {
		if time.Now().After(deadline) {
			stop()
			t.Fatalf("%s: nothing served at %s within 90 s; output:\n%s", name, probe, logs.w)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if isServe {
		stop()
		return
	}
	t.Cleanup(stop)
}

// copyCheckout copies the files git knows (tracked, and untracked but not
// ignored) and the git directory into dir.
func copyCheckout(t *testing.T, dir string) {
	t.Helper()
	out, err := exec.Command("git", "ls-files", "-z", "-co", "--exclude-standard").Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	// The common git directory: in a linked worktree the worktree's own
	// is only a pointer. The copy's HEAD is then set to this checkout's.
	gitDir, err := exec.Command("git", "rev-parse", "--path-format=absolute", "--git-common-dir").Output()
	if err != nil {
		t.Fatal(err)
	}
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}
	if err := exec.Command("cp", "-r", strings.TrimSpace(string(gitDir)), filepath.Join(dir, ".git")).Run(); err != nil {
		t.Fatalf("copy .git: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".git", "HEAD"), head, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		if _, err := os.Stat(f); err != nil {
			continue // deleted in the working tree
		}
		copyFile(t, f, filepath.Join(dir, f))
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// writeDemoAsUserConfig writes govpulse.yml at the checkout's top: the demo
// config, its relative file paths moved into deploy/.
var demoRelPath = regexp.MustCompile(`(?m)((?:agencies_file|fields_file|lineage_file|population_file|scores_file|\bdir): |files: \[)([a-z])`)

func writeDemoAsUserConfig(t *testing.T, dir string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "deploy", "govpulse.demo.yml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := demoRelPath.ReplaceAll(b, []byte("${1}deploy/${2}"))
	if err := os.WriteFile(filepath.Join(dir, "govpulse.yml"), cfg, 0o644); err != nil {
		t.Fatal(err)
	}
}

// startVictoriaMetrics runs a VictoriaMetrics on loopback for the README's
// http://vm:8428.
func startVictoriaMetrics(t *testing.T, bin string) string {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(bin, "-httpListenAddr="+addr, "-storageDataPath="+t.TempDir(), "-retentionPeriod=100y")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	base := "http://" + addr
	pollUntil(t, time.Now().Add(30*time.Second), "VictoriaMetrics healthy", func() bool { return httpOK(base + "/health") })
	return base
}
