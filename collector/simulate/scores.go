package simulate

import "github.com/govpulse/govpulse/collector/catalog"

// CCHCScores returns a yearly CCHC (PAR-style) score per unit rated like a
// head of agency, as a ratio: the input of the head-of-agency rating. The
// rated units are those in force on the clock's day that handle dossiers:
// departments and, under the province, the local level — districts before
// the 2025 merger, the new city's communes after. Seeded, spread over every
// rating tier (about 0.60–0.97) so the demo shows all four.
func (s *Sim) CCHCScores() map[string]float64 {
	out := map[string]float64{}
	handles := map[*unit]bool{}
	for _, r := range s.world.rows {
		handles[r.unit] = true
	}
	for _, u := range s.world.unitsAt(s.clockDay()) {
		local := u.Level == catalog.LevelDistrict || u.Level == catalog.LevelCommune && u.Parent == cityPPC
		if u.Level != catalog.LevelDept && !local || !handles[u] {
			continue
		}
		x := frac(mix(s.seed ^ strHash("cchc:"+u.Code)))
		// Round to 0.1 percentage point, as provinces publish them.
		out[u.Code] = float64(int(600+x*370)) / 1000
	}
	return out
}
