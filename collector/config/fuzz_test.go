package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/govpulse/govpulse/collector/catalog"
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

// unitsConfig is a minimal valid config naming the agencies and fields files.
const unitsConfig = "province: {code: \"49\", name: Quảng Nam}\nagencies_file: agencies.csv\nfields_file: fields.csv\n" +
	"sources:\n  - name: rating\n    type: rating\n    schedule: \"@every 1h\"\n"

// FuzzUnitFiles feeds arbitrary agencies and fields CSV files to the config
// loader: no panic, a config or an *Error, and a config's agencies and fields
// have valid, distinct codes, each agency's parent among them.
func FuzzUnitFiles(f *testing.F) {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	fields := read("fields.csv")
	for _, name := range []string{"agencies.csv", "agencies-bad.csv"} {
		f.Add(read(name), fields)
	}
	f.Add(read("agencies.csv"), []byte("code,name\nDD,x\nDD,y\n\"a\n"))
	f.Add([]byte("\ufeffcode,name,level,parent,extra\n000.00.00.H47,a,tinh,,1\n000.00.31.H47,b,huyen,000.00.99.H47\n"), []byte("name,code\n"))
	dir := f.TempDir()
	file := filepath.Join(dir, "govpulse.yml")
	f.Fuzz(func(t *testing.T, agencies, fields []byte) {
		if err := os.WriteFile(filepath.Join(dir, "agencies.csv"), agencies, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "fields.csv"), fields, 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := Parse(file, []byte(unitsConfig))
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || len(e.Problems) == 0 {
				t.Fatalf("error %T %v is not an *Error with problems", err, err)
			}
			for _, p := range e.Problems {
				if strings.Contains(p.Msg, "BUG:") {
					t.Fatalf("Parse panicked: %s", p.Msg)
				}
			}
			return
		}
		codes := map[string]bool{}
		for _, a := range cfg.Agencies {
			if codes[a.Code] || !catalog.AgencyCodePattern.MatchString(a.Code) {
				t.Fatalf("agency code %q passed (repeated or invalid)", a.Code)
			}
			codes[a.Code] = true
		}
		for _, a := range cfg.Agencies {
			if a.Parent != "" && !codes[a.Parent] {
				t.Fatalf("agency %s has the unknown parent %q", a.Code, a.Parent)
			}
		}
		seen := map[string]bool{}
		for _, fl := range cfg.Fields {
			if seen[fl.Code] || !catalog.FieldCodePattern.MatchString(fl.Code) {
				t.Fatalf("field code %q passed (repeated or invalid)", fl.Code)
			}
			seen[fl.Code] = true
		}
	})
}

// FuzzLineageFile feeds arbitrary lineage files to the config loader: no
// panic, a config or an *Error with lines, and a loaded lineage resolves
// every former unit to agencies in force with shares in (0, 1] that sum to at
// most 1, each former unit ending before any former unit it went into.
func FuzzLineageFile(f *testing.F) {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	agencies := read("agencies.csv")
	f.Add(read("lineage.csv"))
	f.Add([]byte("old_code,old_name,old_level,new_code,date\n000.09.31.H47,a,xa,000.08.31.H47,2025-03-01\n000.08.31.H47,b,xa,000.09.31.H47,2025-03-01\n"))
	f.Add([]byte("old_code,old_name,old_level,new_code,date,share\n000.09.31.H47,a,xa,000.00.00.H47,2025-07-01,NaN\n"))
	dir := f.TempDir()
	file := filepath.Join(dir, "govpulse.yml")
	if err := os.WriteFile(filepath.Join(dir, "agencies.csv"), agencies, 0o600); err != nil {
		f.Fatal(err)
	}
	conf := []byte("agencies_file: agencies.csv\nlineage_file: lineage.csv\nsources: [{name: rating, type: rating}]\n")
	f.Fuzz(func(t *testing.T, lineage []byte) {
		if err := os.WriteFile(filepath.Join(dir, "lineage.csv"), lineage, 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := Parse(file, conf)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || len(e.Problems) == 0 {
				t.Fatalf("error %T %v is not an *Error with problems", err, err)
			}
			for _, p := range e.Problems {
				if strings.Contains(p.Msg, "BUG:") {
					t.Fatalf("Parse panicked: %s", p.Msg)
				}
				if p.Path == "lineage_file" && !strings.Contains(p.Msg, "lineage.csv") {
					t.Fatalf("a lineage problem that names no file: %s", p.Msg)
				}
			}
			return
		}
		now := map[string]bool{}
		for _, a := range cfg.Agencies {
			now[a.Code] = true
		}
		for _, fm := range cfg.Formers {
			sum := 0.0
			for _, s := range fm.Successors {
				if !now[s.Code] || !(s.Share > 0 && s.Share <= 1+1e-6) {
					t.Fatalf("former unit %s resolves to %s share %v", fm.Unit.Code, s.Code, s.Share)
				}
				sum += s.Share
			}
			if sum > 1+1e-6 || len(fm.Successors) == 0 || len(fm.Successors) > catalog.LineageMaxParts {
				t.Fatalf("former unit %s: successors %v", fm.Unit.Code, fm.Successors)
			}
		}
	})
}
