package onestop

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Temporary files of saves interrupted by a kill (between CreateTemp and the
// rename) are removed when the source starts: its own only, once, and the
// good state is loaded as before.
func TestFeedStateLeftoverTemps(t *testing.T) {
	srv := serveFile(t, "feed-sample.json") // the records, then empty pages
	dir := t.TempDir()
	cfg := feedCfg(t, 1000, nil)
	want := runFresh(t, cfg, srv.URL, dir)
	state := filepath.Join(dir, "feed.feed.state")

	ours := []string{"feed.feed.state.tmp-123456", "feed.feed.state.tmp-4294967295"}
	others := map[string]string{
		"other.feed.state.tmp-123456":  "another source's save in progress",
		"other.feed.state":             "another source's state",
		"feed.feed.state.bad":          "a damaged state kept aside",
		"feed.feed.state.tmp-":         "not a name CreateTemp gives",
		"feed.feed.state.tmp-12x":      "not a name CreateTemp gives",
		"feed.feed.state.tmp-1.bak":    "not a name CreateTemp gives",
		"xfeed.feed.state.tmp-1":       "another source's, by prefix",
		"feed.feed.state.tmp-99/keep":  "a directory of that name, and its content",
		"notes.txt":                    "the operator's",
		"feed.feed.state.tmp-77.extra": "not a name CreateTemp gives",
	}
	write := func(name, body string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range ours {
		write(name, "govpulse-feed-state\nhalf a save")
	}
	for name, body := range others {
		write(name, body)
	}
	good, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}

	// A failure to remove is a warning: the files stay, nothing else breaks.
	var logs syncBuffer
	env := feedEnv(dir)
	env.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	s := newFeedSource(t, cfg, srv.URL, env)
	s.feed.sweepTemps(func(string) error { return errors.New("read-only file system") })
	if l := logs.String(); !strings.Contains(l, "level=WARN msg=\"cannot remove temporary files of interrupted state saves\"") ||
		!strings.Contains(l, "files=2") || !strings.Contains(l, "read-only file system") {
		t.Fatalf("no warning for the files not removed:\n%s", l)
	}
	for _, name := range ours {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}

	// The source's first run removes them, says so once, and loads the
	// state: the server now sends nothing, so every figure comes from it.
	logs = syncBuffer{}
	res, err := s.Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sameResults(t, res, want)
	for _, name := range ours {
		if _, err := os.Stat(filepath.Join(dir, name)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s not removed: %v", name, err)
		}
	}
	for name, body := range others {
		if b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name))); err != nil || string(b) != body {
			t.Errorf("%s touched: %q, %v", name, b, err)
		}
	}
	if b, err := os.ReadFile(state); err != nil || string(b) != string(good) {
		t.Fatalf("state file changed (%d bytes, was %d): %v", len(b), len(good), err)
	}
	const info = `level=INFO msg="removed temporary files of interrupted state saves"`
	if l := logs.String(); strings.Count(l, info) != 1 || !strings.Contains(l, "files=2") {
		t.Fatalf("want one info line with files=2:\n%s", l)
	}
	if strings.Contains(logs.String(), "no feed state yet") || strings.Contains(logs.String(), "unreadable") {
		t.Fatalf("the state was not loaded:\n%s", logs.String())
	}

	// Once per source: a later temporary file (as if a save were under way)
	// is left alone when the state is loaded again (as after a failed page),
	// and nothing more is logged.
	write(ours[0], "a save under way")
	s.feed.agg = nil
	if _, err := s.Collect(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, ours[0])); err != nil {
		t.Errorf("a later run removed %s: %v", ours[0], err)
	}
	if strings.Count(logs.String(), info) != 1 {
		t.Errorf("logged again:\n%s", logs.String())
	}

	// Without leftovers a start logs nothing about them; without a state
	// directory there is nothing to sweep.
	os.Remove(filepath.Join(dir, ours[0]))
	logs = syncBuffer{}
	if _, err := newFeedSource(t, cfg, srv.URL, env).Collect(context.Background()); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logs.String(), "temporary files") {
		t.Errorf("logged without leftovers:\n%s", logs.String())
	}
	if _, err := newFeedSource(t, cfg, srv.URL, feedEnv("")).Collect(context.Background()); err != nil {
		t.Fatal(err)
	}

	// leftoverTemps names exactly the two kinds of file save leaves.
	write(ours[0], "x")
	write(ours[1], "x")
	got, err := leftoverTemps(state)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range got {
		names = append(names, filepath.Base(p))
	}
	slices.Sort(names)
	if strings.Join(names, ",") != strings.Join(ours, ",") {
		t.Errorf("leftoverTemps = %v, want %v", names, ours)
	}
}

// A fresh state directory that does not exist yet is not an error.
func TestFeedStateLeftoverTempsNoDir(t *testing.T) {
	var logs syncBuffer
	env := feedEnv(filepath.Join(t.TempDir(), "not", "yet"))
	env.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	srv := serveFile(t, "feed-sample.json")
	if _, err := newFeedSource(t, feedCfg(t, 1000, nil), srv.URL, env).Collect(context.Background()); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logs.String(), "level=WARN") && strings.Contains(logs.String(), "temporary files") {
		t.Errorf("warned about a missing directory:\n%s", logs.String())
	}
}
