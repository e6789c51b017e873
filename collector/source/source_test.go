package source

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
)

func TestReason(t *testing.T) {
	cases := map[string]struct {
		err  error
		want string
	}{
		"nil":      {nil, ""},
		"typed":    {Errorf(catalog.ReasonHTTP429, "slow down"), catalog.ReasonHTTP429},
		"wrapped":  {fmt.Errorf("cannot fetch: %w", Errorf(catalog.ReasonDecode, "bad")), catalog.ReasonDecode},
		"deadline": {fmt.Errorf("x: %w", context.DeadlineExceeded), catalog.ReasonTimeout},
		"unknown":  {fmt.Errorf("boom"), catalog.ReasonOther},
	}
	for name, c := range cases {
		if got := Reason(c.err); got != c.want {
			t.Errorf("%s: Reason = %q, want %q", name, got, c.want)
		}
	}
}

func TestCurrentPeriods(t *testing.T) {
	loc := time.FixedZone("ICT", 7*3600)
	// 17:30 UTC on 31 Mar is already 1 Apr in Vietnam: a new month and quarter.
	now := time.Date(2026, 3, 31, 17, 30, 0, 0, time.UTC)
	got := CurrentPeriods(now, loc)
	want := []string{"month 2026-04-01..2026-04-01", "quarter 2026-04-01..2026-04-01", "year 2026-01-01..2026-04-01"}
	for i, p := range got {
		if p.String() != want[i] {
			t.Errorf("period %d = %s, want %s", i, p, want[i])
		}
	}
}

func TestProvinceCode(t *testing.T) {
	ag := map[string]Agency{
		"000.00.00.H47": {Code: "000.00.00.H47", Level: catalog.LevelProvince},
		"000.00.31.H47": {Code: "000.00.31.H47", Level: catalog.LevelDistrict},
	}
	f := func(code string, agencies map[string]Agency, want, wantErr string) {
		t.Helper()
		got, err := ProvinceCode(code, agencies)
		if got != want || (err == nil) != (wantErr == "") || (err != nil && err.Error() != wantErr) {
			t.Errorf("ProvinceCode(%q) = %q, %v; want %q, %q", code, got, err, want, wantErr)
		}
	}
	f("", ag, "000.00.00.H47", "")
	f("000.00.31.H47", ag, "000.00.31.H47", "")
	f("000.00.99.H47", ag, "", `province "000.00.99.H47" is not in the agency list`)
	delete(ag, "000.00.00.H47")
	f("", ag, "", "province code not set and the agency list has 0 agencies of level tinh (): set it")
}
