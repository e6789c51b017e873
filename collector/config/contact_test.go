package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAgencyEmailColumn: the agencies file may have an email column after
// code,name,level,parent; it is optional per row and per file, checked, and
// written as Alertmanager's to: reads it.
func TestAgencyEmailColumn(t *testing.T) {
	load := func(t *testing.T, csv string) (*Config, error) {
		t.Helper()
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "agencies.csv"), []byte(csv), 0o600); err != nil {
			t.Fatal(err)
		}
		return Parse(filepath.Join(dir, "govpulse.yml"), []byte("agencies_file: agencies.csv\nsources: [{name: rating, type: rating}]\n"))
	}
	cfg, err := load(t, "code,name,level,parent,email\n"+
		"000.00.00.H47,UBND tỉnh,tinh,,\n"+
		"000.00.03.H47,Sở Tư pháp,so,000.00.00.H47, vanphong@stp.quangnam.gov.vn \n"+
		"000.00.05.H47,Sở Kế hoạch và Đầu tư,so,000.00.00.H47,\"a@skhdt.quangnam.gov.vn; b@skhdt.quangnam.gov.vn\"\n"+
		"000.00.06.H47,Sở Tài chính,so,000.00.00.H47\n")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"", "vanphong@stp.quangnam.gov.vn", "a@skhdt.quangnam.gov.vn, b@skhdt.quangnam.gov.vn", ""}
	for i, a := range cfg.Agencies {
		if a.Email != want[i] {
			t.Errorf("%s: email %q, want %q", a.Code, a.Email, want[i])
		}
	}

	cfg, err = load(t, "code,name,level,parent\n000.00.00.H47,UBND tỉnh,tinh,\n")
	if err != nil || cfg.Agencies[0].Email != "" {
		t.Fatalf("a file without the column: %v %+v", err, cfg)
	}
	// A fifth column of another name is not a contact.
	cfg, err = load(t, "code,name,level,parent,ghi_chu\n000.00.00.H47,UBND tỉnh,tinh,,x@y.vn\n")
	if err != nil || cfg.Agencies[0].Email != "" {
		t.Fatalf("another fifth column: %v %+v", err, cfg)
	}

	_, err = load(t, "code,name,level,parent,email\n000.00.00.H47,UBND tỉnh,tinh,,\n000.00.03.H47,Sở Tư pháp,so,000.00.00.H47,Văn phòng Sở <vp@stp.vn>\n000.00.04.H47,Sở Nội vụ,so,000.00.00.H47,không có\n")
	if err == nil {
		t.Fatal("bad addresses accepted")
	}
	for _, w := range []string{
		`agencies.csv:3: agency 000.00.03.H47: email "Văn phòng Sở <vp@stp.vn>" is not an e-mail address`,
		`agencies.csv:4: agency 000.00.04.H47: email "không có" is not an e-mail address`,
	} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error does not say %q:\n%v", w, err)
		}
	}
}

func TestInlineAgencyEmail(t *testing.T) {
	cfg, err := Parse("govpulse.yml", []byte("agencies: [{code: 000.00.00.H47, name: UBND tỉnh, level: tinh, email: 'vp@ubnd.vn;cchc@ubnd.vn'}]\nsources: [{name: rating, type: rating}]\n"))
	if err != nil || cfg.Agencies[0].Email != "vp@ubnd.vn, cchc@ubnd.vn" {
		t.Fatalf("%v %+v", err, cfg)
	}
	_, err = Parse("govpulse.yml", []byte("agencies: [{code: 000.00.00.H47, name: UBND tỉnh, level: tinh, email: ';'}]\nsources: [{name: rating, type: rating}]\n"))
	if err == nil || !strings.Contains(err.Error(), `govpulse.yml:1: agencies[0]: agency 000.00.00.H47: email ";" holds no e-mail address`) {
		t.Fatalf("err = %v", err)
	}
}

func TestGrafanaURL(t *testing.T) {
	base := "agencies: [{code: 000.00.00.H47, name: UBND tỉnh, level: tinh}]\nsources: [{name: rating, type: rating}]\n"
	cfg, err := Parse("govpulse.yml", []byte(base))
	if err != nil || cfg.Notifications.GrafanaURL != DefaultGrafanaURL {
		t.Fatalf("default: %v %+v", err, cfg)
	}
	cfg, err = Parse("govpulse.yml", []byte("notifications: {grafana_url: 'https://grafana.quangnam.gov.vn/cchc/'}\n"+base))
	if err != nil || cfg.Notifications.GrafanaURL != "https://grafana.quangnam.gov.vn/cchc" {
		t.Fatalf("trailing slash: %v %+v", err, cfg)
	}
	for _, bad := range []string{"grafana:3000", "ftp://grafana", "https://u:p@grafana", "https://grafana/?orgId=1"} {
		_, err := Parse("govpulse.yml", []byte("notifications: {grafana_url: '"+bad+"'}\n"+base))
		if err == nil || !strings.Contains(err.Error(), "govpulse.yml:1: notifications.grafana_url: must be Grafana's address") {
			t.Errorf("%s: err = %v", bad, err)
		}
	}
}
