package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLineageFile: the lineage file is read with the agencies file, resolved
// to today's agencies, and every problem names the file, its line and the
// YAML key that names it.
func TestLineageFile(t *testing.T) {
	load := func(t *testing.T, lineage string) (*Config, error) {
		t.Helper()
		dir := t.TempDir()
		agencies := "code,name,level,parent,unit_code,email\n" +
			"000.00.00.H17,UBND thành phố Đà Nẵng,tinh,,,\n" +
			"000.01.60.H17,Phường Hải Vân,xa,000.00.00.H17,20176,\n" +
			"000.02.60.H17,Phường Liên Chiểu,xa,000.00.00.H17,20185,lienchieu@danang.gov.vn\n"
		for name, body := range map[string]string{"agencies.csv": agencies, "lineage.csv": lineage} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		return Parse(filepath.Join(dir, "govpulse.yml"), []byte("agencies_file: agencies.csv\nlineage_file: lineage.csv\nsources: [{name: rating, type: rating}]\n"))
	}
	cfg, err := load(t, "old_code,old_name,old_level,new_code,date,old_unit_code,share\n"+
		"000.03.36.H17,Xã Hòa Liên,xa,000.01.60.H17,2025-07-01,20209,0.2\n"+
		"000.03.36.H17,Xã Hòa Liên,xa,000.02.60.H17,2025-07-01,20209,0.8\n"+
		"000.00.00.H47,UBND tỉnh Quảng Nam,tinh,000.00.00.H17,2025-07-01,,\n")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Agencies[1].UnitCode != "20176" || cfg.Agencies[2].Email != "lienchieu@danang.gov.vn" {
		t.Errorf("agencies: %+v", cfg.Agencies)
	}
	if len(cfg.Formers) != 2 {
		t.Fatalf("formers: %+v", cfg.Formers)
	}
	hl := cfg.Formers[1]
	if hl.Unit.Code != "000.03.36.H17" || hl.Unit.UnitCode != "20209" || len(hl.Successors) != 2 || hl.Successors[0].Share != 0.2 {
		t.Errorf("Hòa Liên: %+v", hl)
	}
	if want := time.Date(2025, 7, 1, 0, 0, 0, 0, time.FixedZone("", 7*3600)); !hl.End.Equal(want) {
		t.Errorf("Hòa Liên ends %v, want %v (midnight in the province's zone)", hl.End, want)
	}

	for _, tc := range []struct{ name, body, want string }{
		{"header", "old,new\n", "lineage.csv:1: header must start with old_code,old_name,old_level,new_code,date"},
		{"date", "old_code,old_name,old_level,new_code,date\n000.03.36.H17,Xã Hòa Liên,xa,000.01.60.H17,1/7/2025\n",
			`govpulse.yml:2: lineage_file: lineage.csv:2: former unit 000.03.36.H17: date "1/7/2025" is not a day such as 2025-07-01`},
		{"share", "old_code,old_name,old_level,new_code,date,share\n000.03.36.H17,Xã Hòa Liên,xa,000.01.60.H17,2025-07-01,một nửa\n",
			`lineage.csv:2: former unit 000.03.36.H17: share "một nửa" is not a number`},
		{"unknown successor", "old_code,old_name,old_level,new_code,date\nx\n000.03.36.H17,Xã Hòa Liên,xa,000.09.60.H17,2025-07-01\n",
			"lineage.csv:2: want 5 columns, got 1"},
		{"resolve", "old_code,old_name,old_level,new_code,date\n000.03.36.H17,Xã Hòa Liên,xa,000.01.60.H17,2025-07-01\n000.04.36.H17,Xã Hòa Bắc,xa,000.09.60.H17,2025-07-01\n",
			"govpulse.yml:2: lineage_file: lineage.csv:3: former unit 000.04.36.H17: successor 000.09.60.H17 is neither an agency in force nor a former unit of this file"},
		{"missing", "", "lineage.csv"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := tc.body
			if tc.name == "missing" {
				body = "\"unterminated\n"
			}
			_, err := load(t, body)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// TestDistrictLevelWarns: a district in today's agency list still loads (a
// config of before July 2025) and is named in a warning.
func TestDistrictLevelWarns(t *testing.T) {
	cfg, err := Parse("govpulse.yml", []byte("agencies:\n  - {code: 000.00.00.H47, name: UBND tỉnh Quảng Nam, level: tinh}\n  - {code: 000.00.31.H47, name: UBND thành phố Tam Kỳ, level: huyen, parent: 000.00.00.H47}\nsources: [{name: rating, type: rating}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Warnings) != 1 || !strings.Contains(cfg.Warnings[0], "govpulse.yml:3: agencies[1]: agency 000.00.31.H47: level huyen: there are no districts since 1 July 2025") {
		t.Errorf("warnings %q", cfg.Warnings)
	}
}

// TestLineageSeedLoads: the fuzz seed is a valid file (a chain and a split),
// so fuzzing starts from inputs that reach the resolver.
func TestLineageSeedLoads(t *testing.T) {
	cfg, err := Parse("testdata/govpulse.yml", []byte("agencies_file: agencies.csv\nlineage_file: lineage.csv\nsources: [{name: rating, type: rating}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Formers) != 2 {
		t.Fatalf("formers %+v", cfg.Formers)
	}
}
