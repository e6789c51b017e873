package catalog

// Thresholds are the province's late-rate rules (domain.md §1). Deployments
// override them in config; these are the defaults and the only place the
// numbers are written.
type Thresholds struct {
	// LateRateWarning: late dossiers must stay below this share (the 5% rule).
	LateRateWarning float64 `yaml:"late_rate_warning"`
	// LateRateCritical: at or above this share an official cannot be rated
	// "hoàn thành tốt nhiệm vụ" or better (the 10% rule).
	LateRateCritical float64 `yaml:"late_rate_critical"`
	// LateMinVolume is the fewest resolved dossiers in the period for a late rate
	// to be judged, so that 1 late out of 2 pages nobody.
	LateMinVolume int `yaml:"late_min_volume"`
	// LateRateDefinition names the definition the province's rule uses.
	LateRateDefinition string `yaml:"late_rate_definition"`
	// DueSoonSurgeFactor and DueSoonMinCount define a surge of dossiers due
	// within one working day: at least DueSoonMinCount of them, and more than
	// DueSoonSurgeFactor times the agency's average of the past week.
	DueSoonSurgeFactor float64 `yaml:"due_soon_surge_factor"`
	DueSoonMinCount    int     `yaml:"due_soon_min_count"`
}

// DefaultThresholds are the province's published rules.
var DefaultThresholds = Thresholds{
	LateRateWarning:    0.05,
	LateRateCritical:   0.10,
	LateMinVolume:      20,
	LateRateDefinition: LateResolvedOnly,
	DueSoonSurgeFactor: 2,
	DueSoonMinCount:    10,
}

// SetDefaults fills every zero field from DefaultThresholds: the one place
// the defaulting is written (config and the rating source both call it).
func (t *Thresholds) SetDefaults() {
	d := DefaultThresholds
	if t.LateRateWarning == 0 {
		t.LateRateWarning = d.LateRateWarning
	}
	if t.LateRateCritical == 0 {
		t.LateRateCritical = d.LateRateCritical
	}
	if t.LateMinVolume == 0 {
		t.LateMinVolume = d.LateMinVolume
	}
	if t.LateRateDefinition == "" {
		t.LateRateDefinition = d.LateRateDefinition
	}
	if t.DueSoonSurgeFactor == 0 {
		t.DueSoonSurgeFactor = d.DueSoonSurgeFactor
	}
	if t.DueSoonMinCount == 0 {
		t.DueSoonMinCount = d.DueSoonMinCount
	}
}

// Late-rate definitions in use (domain.md §2). Every late-rate series names one.
const (
	LateResolvedOnly = "resolved_only"
	LateBacklog      = "backlog"
	LateDueBased     = "due_based"
	LateQD766        = "qd766"
)

// LateRateDefinition documents one definition.
type LateRateDefinition struct {
	Name string
	// Vi and En describe the formula for dashboards and the README.
	Vi, En string
}

// LateRateDefinitions lists every definition, the default first.
var LateRateDefinitions = []LateRateDefinition{
	{LateResolvedOnly, "Hồ sơ giải quyết quá hạn / tổng hồ sơ đã giải quyết", "late resolved / all resolved"},
	{LateBacklog, "(Hồ sơ đang giải quyết quá hạn + đã giải quyết quá hạn) / (tiếp nhận mới + kỳ trước chuyển qua)", "(overdue in progress + late resolved) / (received in period + carried over)"},
	{LateDueBased, "(Đã giải quyết quá hạn + đang giải quyết quá hạn) / hồ sơ đã đến hạn", "(late resolved + overdue in progress) / dossiers that fell due"},
	{LateQD766, "1 − (giải quyết đúng hạn + đang giải quyết trong hạn) / hồ sơ xử lý trong kỳ (QĐ 766, chỉ tiêu 2.1)", "1 − (resolved on time or early + in progress within deadline) / dossiers handled (Decision 766, indicator 2.1)"},
}

// LateRateDefinitionNames returns the definition names.
func LateRateDefinitionNames() []string {
	out := make([]string, len(LateRateDefinitions))
	for i, d := range LateRateDefinitions {
		out[i] = d.Name
	}
	return out
}
