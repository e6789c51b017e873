package sheet

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWatched: a file is read when it changes, a bad version keeps the last
// good one, a removed file is forgotten, and the good versions come oldest
// first.
func TestWatched(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	write := func(p, body string, mod time.Time) {
		t.Helper()
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mod, mod); err != nil {
			t.Fatal(err)
		}
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	write(a, "a1", t0.Add(time.Hour))
	write(b, "b1", t0)
	var w Watched[string]
	reads := 0
	read := func(p string) (string, error) {
		reads++
		body, err := os.ReadFile(p)
		if strings.HasPrefix(string(body), "bad") {
			return "", errors.New("bad file")
		}
		return string(body), err
	}
	var failed []string
	refresh := func(paths ...string) string {
		t.Helper()
		got, err := w.Refresh(context.Background(), paths, read, func(p string, _ string, err error) {
			if err != nil {
				failed = append(failed, filepath.Base(p))
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		var s []string
		for _, g := range got {
			s = append(s, g.Data)
		}
		return strings.Join(s, ",")
	}
	steps := []struct {
		name  string
		do    func()
		paths []string
		want  string
		reads int
	}{
		{"first read, oldest first", func() {}, []string{a, b}, "b1,a1", 2},
		{"nothing changed", func() {}, []string{a, b}, "b1,a1", 2},
		{"a turns bad: its last good version stays", func() { write(a, "bad!", t0.Add(2*time.Hour)) }, []string{a, b}, "b1,a1", 3},
		{"the bad version is read once", func() {}, []string{a, b}, "b1,a1", 3},
		{"a mended, newer than b", func() { write(a, "a2", t0.Add(3*time.Hour)) }, []string{a, b}, "b1,a2", 4},
		{"b left out of the listing", func() {}, []string{a}, "a2", 4},
		{"b back: read again", func() {}, []string{a, b}, "b1,a2", 5},
		{"a removed from the disk", func() { _ = os.Remove(a) }, []string{a, b}, "b1", 5},
	}
	for _, s := range steps {
		s.do()
		if got := refresh(s.paths...); got != s.want || reads != s.reads {
			t.Errorf("%s: %q after %d reads, want %q after %d", s.name, got, reads, s.want, s.reads)
		}
	}
	if strings.Join(failed, ",") != "a" {
		t.Errorf("failures told: %v", failed)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := w.Refresh(ctx, []string{b}, read, func(string, string, error) {}); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled refresh: %v", err)
	}
}
