package simulate

import "github.com/govpulse/govpulse/collector/catalog"

// CCHCScores returns a yearly CCHC (PAR-style) score per department and
// district, as a ratio: the input of the head-of-agency rating. Seeded, spread
// over every rating tier (about 0.60–0.97) so the demo shows all four.
func (s *Sim) CCHCScores() map[string]float64 {
	out := map[string]float64{}
	for _, a := range s.Agencies() {
		if a.Level != catalog.LevelDept && a.Level != catalog.LevelDistrict {
			continue
		}
		u := unit(mix(s.seed ^ strHash("cchc:"+a.Code)))
		// Round to 0.1 percentage point, as provinces publish them.
		out[a.Code] = float64(int(600+u*370)) / 1000
	}
	return out
}
