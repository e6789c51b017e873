package simulate

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
)

const simProvince = "000.00.00.H15"

type portalAnswer[T any] struct {
	Code string `json:"code"`
	Data struct {
		Overview   *T  `json:"overview"`
		Parent     *T  `json:"parent"`
		Evaluation []T `json:"evaluation"`
		Children   []T `json:"children"`
		TotalPages int `json:"totalPages"`
	} `json:"data"`
}

// ask posts body to path and decodes a 200 answer.
func ask[T any](t *testing.T, s *Sim, path, body string) portalAnswer[T] {
	t.Helper()
	srv := newServer(t, s)
	resp, b := post(t, srv, path, body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s %s: %d %s", path, body, resp.StatusCode, b)
	}
	var a portalAnswer[T]
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	if a.Code != "OK" {
		t.Fatalf("POST %s: code %q", path, a.Code)
	}
	return a
}

func monthBody(now time.Time, root string) string {
	return fmt.Sprintf(`{"timeType":"month","year":%d,"month":%d,"rootDepartmentCode":%q,"currentPage":1,"pageSize":1000}`, now.Year(), int(now.Month()), root)
}

func groupSum(t *testing.T, r PortalScore) float64 {
	t.Helper()
	sum := 0.0
	for code, v := range r.GroupScores {
		var def catalog.QD766Group
		for c, pc := range portalGroupCodes {
			if pc == code {
				def, _ = catalog.QD766GroupByCode(c)
			}
		}
		if def.Code == "" || v == nil || *v < 0 || *v > def.Max {
			t.Errorf("%s: group %s = %v out of range", r.DepartmentCode, code, v)
			continue
		}
		sum += *v
	}
	if len(r.GroupScores) != 6 {
		t.Errorf("%s: %d groups", r.DepartmentCode, len(r.GroupScores))
	}
	if math.Abs(sum-r.TotalScore) > 0.011 {
		t.Errorf("%s: groups add up to %v, total %v", r.DepartmentCode, sum, r.TotalScore)
	}
	return sum
}

func TestPortalCoversEveryAgency(t *testing.T) {
	s := newSim(t, 47, testNow)
	want := map[string]bool{}
	for _, a := range s.Agencies() {
		want[a.Code] = true
	}
	check := func(name string, codes []string, withProvince bool) {
		t.Helper()
		seen := map[string]bool{}
		for _, c := range codes {
			if !want[c] || seen[c] {
				t.Errorf("%s: unexpected or repeated unit %s", name, c)
			}
			seen[c] = true
		}
		for c := range want {
			if !seen[c] && (withProvince || c != simProvince) {
				t.Errorf("%s: agency %s missing", name, c)
			}
		}
	}
	sc := ask[PortalScore](t, s, PortalScoresPath, monthBody(testNow, simProvince))
	var codes []string
	for _, r := range sc.Data.Evaluation {
		codes = append(codes, r.DepartmentCode)
		groupSum(t, r)
	}
	check("scores", codes, false)
	if sc.Data.Overview == nil || sc.Data.Overview.DepartmentCode != simProvince {
		t.Errorf("scores overview = %+v", sc.Data.Overview)
	}

	sy := ask[PortalSync](t, s, PortalSyncPath, monthBody(testNow, simProvince))
	codes = nil
	for _, r := range sy.Data.Children {
		codes = append(codes, r.DepartmentCode)
	}
	check("sync", codes, true)

	sv := ask[PortalServices](t, s, PortalServicesPath, `{"rootDepartmentCode":"000.00.00.H15"}`)
	codes = nil
	for _, r := range sv.Data.Children {
		codes = append(codes, r.DepartmentCode)
		if r.FullIntegratedCount > r.FullCount || r.PartialIntegratedCount > r.PartialCount || r.FullCount+r.PartialCount > r.AuthorityCount {
			t.Errorf("services of %s inconsistent: %+v", r.DepartmentCode, r)
		}
	}
	check("services", codes, true)
}

// The national ranking has the 63 provinces before the merger (old Đà Nẵng
// and old Quảng Nam both simulated) and the 34 after it; every simulated
// province's total lands on its calibrated 80–83.
func TestPortalProvinceScore(t *testing.T) {
	for _, seed := range []int64{1, 2, 47, 2024} {
		for _, tc := range []struct {
			now      time.Time
			ranked   int
			roots    []string
			province string
		}{
			{testNow, 34, []string{simProvince}, "UBND thành phố Đà Nẵng"},
			{time.Date(2026, 2, 10, 9, 0, 0, 0, ICT), 34, []string{simProvince}, "UBND thành phố Đà Nẵng"},
			{time.Date(2026, 7, 28, 16, 0, 0, 0, ICT), 34, []string{simProvince}, "UBND thành phố Đà Nẵng"},
			{time.Date(2025, 5, 20, 9, 0, 0, 0, ICT), 63, []string{simProvince, "000.00.00.H47"}, "UBND tỉnh Quảng Nam"},
		} {
			now := tc.now
			s := newSim(t, seed, now)
			a := ask[PortalScore](t, s, PortalScoresPath, monthBody(now, ""))
			if n := len(a.Data.Evaluation); n != tc.ranked {
				t.Fatalf("%s: national ranking has %d provinces, want %d", now.Format(time.DateOnly), n, tc.ranked)
			}
			names := map[string]bool{}
			for _, r := range a.Data.Evaluation {
				groupSum(t, r)
				if names[r.DepartmentName] {
					t.Errorf("%s: %s ranked twice", now.Format(time.DateOnly), r.DepartmentName)
				}
				names[r.DepartmentName] = true
			}
			if !names[tc.province] {
				t.Errorf("%s: %s is not ranked", now.Format(time.DateOnly), tc.province)
			}
			for _, root := range tc.roots {
				var mine *PortalScore
				rank := 1
				for i, r := range a.Data.Evaluation {
					if r.DepartmentCode == root {
						mine = &a.Data.Evaluation[i]
					}
				}
				if mine == nil {
					t.Fatalf("%s: the simulated province %s is not ranked", now.Format(time.DateOnly), root)
				}
				for _, r := range a.Data.Evaluation {
					if r.TotalScore > mine.TotalScore {
						rank++
					}
				}
				if mine.TotalScore < 80 || mine.TotalScore > 83 {
					t.Errorf("seed %d %s: %s total %v, want 80–83 (rank %d/%d)", seed, now.Format(time.DateOnly), root, mine.TotalScore, rank, tc.ranked)
				}
				// The units' overview is the same figure.
				u := ask[PortalScore](t, s, PortalScoresPath, monthBody(now, root))
				if u.Data.Overview.TotalScore != mine.TotalScore {
					t.Errorf("overview %v != national row %v", u.Data.Overview.TotalScore, mine.TotalScore)
				}
			}
		}
	}
}

func TestPortalIntegrationRate(t *testing.T) {
	for _, seed := range []int64{1, 47, 99} {
		s := newSim(t, seed, testNow)
		a := ask[PortalServices](t, s, PortalServicesPath, `{"rootDepartmentCode":"000.00.00.H15"}`)
		var full, fullInt, sum PortalServices
		for _, r := range a.Data.Children {
			full.FullCount += r.FullCount
			fullInt.FullIntegratedCount += r.FullIntegratedCount
			sum.AuthorityCount += r.AuthorityCount
		}
		rate := float64(fullInt.FullIntegratedCount) / float64(full.FullCount)
		if rate < 0.85 || rate > 0.89 {
			t.Errorf("seed %d: full-online integration rate %.3f, want about 0.869", seed, rate)
		}
		if p := a.Data.Parent; p == nil || p.FullCount != full.FullCount || p.AuthorityCount != sum.AuthorityCount {
			t.Errorf("seed %d: parent %+v is not the sum of the children", seed, p)
		}
	}
}

func TestPortalSyncMatchesReport(t *testing.T) {
	s := newSim(t, 47, testNow)
	for _, p := range periods(testNow) {
		body := fmt.Sprintf(`{"timeType":%q,"year":%d,"rootDepartmentCode":%q}`, p.Name, p.From.Year(), simProvince)
		switch p.Name {
		case "month":
			body = monthBody(testNow, simProvince)
		case "quarter":
			body = fmt.Sprintf(`{"timeType":"quarter","year":%d,"quarter":%d,"rootDepartmentCode":%q}`, p.From.Year(), (int(p.From.Month())-1)/3+1, simProvince)
		}
		received := map[string]int{}
		for _, r := range s.Report(p.From, p.To) {
			received[r.Agency] += r.Received.Total()
		}
		a := ask[PortalSync](t, s, PortalSyncPath, body)
		var local, synced int
		for _, r := range a.Data.Children {
			if r.TotalReceived != received[r.DepartmentCode] {
				t.Errorf("%s %s: local received %d, report says %d", p.Name, r.DepartmentCode, r.TotalReceived, received[r.DepartmentCode])
			}
			if r.TotalSynced > r.TotalNationalReceived || r.TotalNationalReceived > r.TotalReceived {
				t.Errorf("%s %s: synced %d national %d local %d", p.Name, r.DepartmentCode, r.TotalSynced, r.TotalNationalReceived, r.TotalReceived)
			}
			local += r.TotalReceived
			synced += r.TotalSynced
		}
		if rate := float64(synced) / float64(local); rate < 0.96 || rate >= 1 {
			t.Errorf("%s: province sync rate %.4f, want slightly below 1", p.Name, rate)
		}
		if a.Data.Parent.TotalReceived != local {
			t.Errorf("%s: parent %d != sum of children %d", p.Name, a.Data.Parent.TotalReceived, local)
		}
	}
}

func TestPortalPaging(t *testing.T) {
	s := newSim(t, 47, testNow)
	seen := map[string]bool{}
	pages := 0
	for pg := 1; ; pg++ {
		a := ask[PortalSync](t, s, PortalSyncPath, fmt.Sprintf(`{"timeType":"year","year":2026,"rootDepartmentCode":%q,"currentPage":%d,"pageSize":100}`, simProvince, pg))
		for _, r := range a.Data.Children {
			seen[r.DepartmentCode] = true
		}
		pages = a.Data.TotalPages
		if pg >= pages {
			break
		}
	}
	if want := len(s.Agencies()); len(seen) != want || pages != (want+99)/100 {
		t.Errorf("paged through %d units in %d pages, want %d units", len(seen), pages, want)
	}
}

func TestPortalBadRequests(t *testing.T) {
	s := newSim(t, 47, testNow)
	srv := newServer(t, s)
	for name, c := range map[string]struct{ path, body string }{
		"not JSON":              {PortalScoresPath, `timeType=month`},
		"unknown field":         {PortalScoresPath, `{"timeType":"month","year":2026,"month":11,"province":"H47"}`},
		"another province":      {PortalScoresPath, `{"timeType":"month","year":2026,"month":11,"rootDepartmentCode":"000.00.00.H56"}`},
		"sync without root":     {PortalSyncPath, `{"timeType":"month","year":2026,"month":11}`},
		"week":                  {PortalSyncPath, `{"timeType":"week","year":2026,"rootDepartmentCode":"000.00.00.H15"}`},
		"month 13":              {PortalScoresPath, `{"timeType":"month","year":2026,"month":13}`},
		"quarter with a month":  {PortalScoresPath, `{"timeType":"quarter","year":2026,"quarter":2,"month":4}`},
		"year 1":                {PortalScoresPath, `{"timeType":"year","year":1}`},
		"services with period":  {PortalServicesPath, `{"timeType":"year","year":2026,"rootDepartmentCode":"000.00.00.H15"}`},
		"page size too large":   {PortalServicesPath, `{"rootDepartmentCode":"000.00.00.H15","pageSize":100000}`},
		"negative current page": {PortalServicesPath, `{"rootDepartmentCode":"000.00.00.H15","currentPage":-1}`},
	} {
		if resp, b := post(t, srv, c.path, c.body); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d %s", name, resp.StatusCode, b)
		}
	}
	if resp, _ := get(t, srv, PortalScoresPath, nil); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: status %d, want 405", resp.StatusCode)
	}
}

func TestPortalFaults(t *testing.T) {
	s := newSim(t, 47, testNow)
	srv := newServer(t, s)
	if err := s.SetFaults(Faults{Mode: FaultError500}); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{PortalScoresPath, PortalSyncPath, PortalServicesPath} {
		if resp, _ := post(t, srv, path, `{"rootDepartmentCode":"000.00.00.H15"}`); resp.StatusCode != http.StatusInternalServerError {
			t.Errorf("%s: status %d under error500", path, resp.StatusCode)
		}
	}
	if err := s.SetFaults(Faults{Mode: FaultMalformed}); err != nil {
		t.Fatal(err)
	}
	resp, b := post(t, srv, PortalServicesPath, `{"rootDepartmentCode":"000.00.00.H15"}`)
	if resp.StatusCode != http.StatusOK || json.Valid(b) {
		t.Errorf("malformed: status %d, valid JSON %v", resp.StatusCode, json.Valid(b))
	}
}
