package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary files to the config loader: it never panics
// (Parse recovers, so a recovered panic is a failure here too), and it
// returns either a config or an *Error with at least one problem, none at a
// negative line. Relative paths resolve in testdata/, so the seeds' CSV
// files are found and their readers are fuzzed too.
func FuzzParse(f *testing.F) {
	var seeds []string
	for _, pattern := range []string{"testdata/*.yml", "../../deploy/*.yml"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, m...)
	}
	if len(seeds) == 0 {
		f.Fatal("no seed files")
	}
	for _, name := range seeds {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("sources: [{name: x, type: onestop, schedule: '@every 0s', http: {url: ':'}}]\n"))
	f.Add([]byte("&a [*a, *a]\n"))
	f.Add([]byte("province: !!binary AAAA\nsources: {}\n"))
	file := filepath.Join("testdata", "fuzz.yml")
	f.Fuzz(func(t *testing.T, b []byte) {
		cfg, err := Parse(file, b)
		if err == nil {
			if cfg == nil {
				t.Fatal("no config and no error")
			}
			return
		}
		if cfg != nil {
			t.Fatalf("a config and the error %v", err)
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("error %T %q is not an *Error", err, err)
		}
		if e.File != file {
			t.Fatalf("error names %q, not %q", e.File, file)
		}
		if len(e.Problems) == 0 {
			t.Fatal("an *Error with no problem")
		}
		for _, p := range e.Problems {
			if strings.Contains(p.Msg, "BUG:") {
				t.Fatalf("Parse panicked: %s", p.Msg)
			}
			// A syntax error yaml.v3 gives without a line is at line 0.
			if p.Line < 0 {
				t.Fatalf("problem %q at line %d", p.Msg, p.Line)
			}
		}
	})
}
