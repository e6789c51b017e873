package boards

import (
	"regexp"
	"strings"
	"testing"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/dashboards"
)

// TestEveryQueryOfItsProvince: every board but the national one picks a
// province first, and each of its queries (panels and pickers) reads that
// province only, and no root unit's code is written into any board: it is
// found in the data (the agency of level tinh).
func TestEveryQueryOfItsProvince(t *testing.T) {
	in := input(catalog.DefaultThresholds, dashboards.Vi)
	bs, err := Boards(in)
	if err != nil {
		t.Fatal(err)
	}
	picked := catalog.LabelProvince + `=~"$` + ProvinceVar
	code := regexp.MustCompile(`[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}`)
	variable := regexp.MustCompile(`\$[A-Za-z_{]`) // not label_replace's $1
	// The lineage's own metrics are joined to the picked province's counts
	// (on province, agency): they need no matcher of their own.
	joined := map[string]bool{catalog.AgencyLineageShare.Name: true, catalog.AgencyLineageEnd.Name: true}
	national := 0
	for _, b := range bs {
		var exprs []string
		for _, r := range b.Rows {
			for _, p := range r.Panels {
				for _, q := range p.Queries {
					exprs = append(exprs, q.Expr)
				}
			}
		}
		for _, e := range exprs {
			if code.MatchString(e) {
				t.Errorf("%s: %q names an agency code", b.UID, e)
			}
		}
		if b.UID == NationalBoardUID {
			national++
			if len(b.Variables) != 0 {
				t.Errorf("%s shows every province, but has variables %v", b.UID, b.Variables)
			}
			for _, e := range exprs {
				if variable.MatchString(e) || !strings.Contains(e, "by ("+catalog.LabelProvince+", "+catalog.LabelName+")") {
					t.Errorf("%s: %q is not one named row per province", b.UID, e)
				}
			}
			continue
		}
		if len(b.Variables) == 0 || b.Variables[0].Name != ProvinceVar || b.Variables[0].All {
			t.Errorf("%s: the first variable is not the province picker without All: %+v", b.UID, b.Variables)
			continue
		}
		for _, v := range b.Variables[1:] {
			if v.Query != "" {
				exprs = append(exprs, v.Query)
			}
		}
		for _, e := range exprs {
			// Every selector of a govpulse series picks the province.
			for _, m := range catalog.All() {
				if joined[m.Name] {
					continue
				}
				for _, at := range indexAll(e, m.Name) {
					rest := e[at+len(m.Name):]
					if len(rest) > 0 && isNameChar(rest[0]) {
						continue // a longer name
					}
					if !strings.HasPrefix(rest, "{") || !strings.Contains(rest[:strings.Index(rest, "}")+1], picked) {
						t.Errorf("%s: %s in %q does not pick the province", b.UID, m.Name, e)
					}
				}
			}
		}
	}
	if national != 1 {
		t.Errorf("%d national boards", national)
	}
}

// indexAll returns where name starts in s, as a whole metric name.
func indexAll(s, name string) []int {
	var out []int
	for i := 0; ; {
		j := strings.Index(s[i:], name)
		if j < 0 {
			return out
		}
		at := i + j
		if at == 0 || !isNameChar(s[at-1]) {
			out = append(out, at)
		}
		i = at + len(name)
	}
}

func isNameChar(c byte) bool {
	return c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}
