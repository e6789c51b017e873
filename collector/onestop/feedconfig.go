package onestop

import (
	"fmt"
	"github.com/govpulse/govpulse/collector/source"
	"regexp"
	"strings"
	"time"
)

// FeedConfig is the `feed:` block of a one-stop source in format feed: the
// dossier sync feed (see feed.go for the wire format).
type FeedConfig struct {
	// Path is appended to the source's http.url.
	Path string `yaml:"path"`
	// Query holds constant query parameters (tenant ids and the like).
	Query map[string]string `yaml:"query"`
	// SinceParam receives the cursor: the previous page's next_cursor, or at
	// the start an RFC 3339 time (default updated_since).
	SinceParam string `yaml:"since_param"`
	// LimitParam receives Limit, the page size (default limit, 1000). Keep
	// Limit at or below the server's own page cap: more records sharing one
	// update time than a page holds stall an inclusive cursor (docs/feed.md).
	LimitParam string `yaml:"limit_param"`
	Limit      int    `yaml:"limit"`
	// MaxRejectedShare is the largest share of a page's records that may be
	// rejected (default DefaultMaxRejectedShare); a page past it fails the
	// run and the cursor stays before it.
	MaxRejectedShare *float64 `yaml:"max_rejected_share"`
	// MaxPages bounds one run (default 500); a feed further behind carries on
	// at the next run from the saved cursor.
	MaxPages int `yaml:"max_pages"`
	// InitialSince is where a source without state starts reading. Default: 1
	// January of the previous year, so dossiers received last year and still
	// in progress are known (they are this year's carried-over dossiers).
	InitialSince time.Time `yaml:"initial_since"`
	// CheckpointInterval is the least time between two saves of the state
	// file during a run (default 30s; 0 saves after every page). The state is
	// always saved at the end of a run; a crash loses at most the pages read
	// since the last save, which the next run reads again.
	CheckpointInterval *time.Duration `yaml:"checkpoint_interval"`
	// Holidays are yearly holiday files (deploy/holidays/*.yml); empty means the
	// copies built into govpulse. Relative paths are relative to the config
	// file's directory.
	Holidays []string `yaml:"holidays"`
	// OfficialLate enables tthc_official_late_dossiers{agency,official}: the
	// dossiers each official handled late this month, read from the process
	// log. Off by default: it exports officials' account codes, which is a
	// decision for the province (see the privacy note in feed.go).
	OfficialLate bool `yaml:"official_late"`
	// OfficialPattern narrows the account codes accepted as officials (a Go
	// regexp matched against the whole code), e.g. `^[a-z0-9]+\.cb[0-9]+$`.
	// Every code must also fit catalog.OfficialCodePattern and hold a letter.
	// A province whose account codes are people's names should not enable
	// official_late without it.
	OfficialPattern string `yaml:"official_pattern"`
	// PeriodReport (default true) exports the period report computed from the
	// feed. Set it to false when another onestop source already exports the
	// report from the system's statistics API: this one then adds only what
	// the feed alone knows (due soon, processing time, digitised, paid online,
	// officials).
	PeriodReport *bool `yaml:"period_report"`
}

// Feed defaults, written once.
const (
	DefaultFeedPath           = "/dongbo/hoso"
	DefaultFeedSinceParam     = "updated_since"
	DefaultFeedLimitParam     = "limit"
	DefaultFeedLimit          = 1000
	DefaultFeedMaxPages       = 500
	DefaultCheckpointInterval = 30 * time.Second
	maxFeedLimit              = 100000
)

// SetDefaults fills unset fields.
func (f *FeedConfig) SetDefaults() {
	if f.Path == "" {
		f.Path = DefaultFeedPath
	}
	if f.SinceParam == "" {
		f.SinceParam = DefaultFeedSinceParam
	}
	if f.LimitParam == "" {
		f.LimitParam = DefaultFeedLimitParam
	}
	if f.Limit == 0 {
		f.Limit = DefaultFeedLimit
	}
	if f.MaxPages == 0 {
		f.MaxPages = DefaultFeedMaxPages
	}
	if f.CheckpointInterval == nil {
		d := DefaultCheckpointInterval
		f.CheckpointInterval = &d
	}
}

// Validate reports every problem, with paths relative to the onestop block.
func (f *FeedConfig) Validate() source.Problems {
	var errs source.Problems
	add := func(path, format string, args ...any) { errs.Add("feed."+path, format, args...) }
	if !strings.HasPrefix(f.Path, "/") {
		add("path", "must start with /, got %q", f.Path)
	}
	if f.SinceParam == f.LimitParam {
		add("limit_param", "must differ from since_param %q", f.SinceParam)
	}
	if r := f.MaxRejectedShare; r != nil && !(*r >= 0 && *r <= 1) {
		add("max_rejected_share", "must be a share between 0 and 1, got %v", *r)
	}
	for _, k := range sortedKeys(f.Query) {
		if k == f.SinceParam || k == f.LimitParam {
			add("query."+k, "is set by govpulse (since_param or limit_param)")
		}
	}
	if f.Limit <= 0 || f.Limit > maxFeedLimit {
		add("limit", "must be between 1 and %d, got %d", maxFeedLimit, f.Limit)
	}
	if f.MaxPages <= 0 {
		add("max_pages", "must be positive, got %d", f.MaxPages)
	}
	if f.CheckpointInterval != nil && *f.CheckpointInterval < 0 {
		add("checkpoint_interval", "must not be negative")
	}
	if f.OfficialPattern != "" {
		if _, err := regexp.Compile(f.OfficialPattern); err != nil {
			add("official_pattern", "not a regular expression: %v", err)
		}
	}
	for i, h := range f.Holidays {
		if strings.TrimSpace(h) == "" {
			add(fmt.Sprintf("holidays[%d]", i), "empty path")
		}
	}
	return errs
}

// maxRejectedShare is the configured share, or the default.
func (f *FeedConfig) maxRejectedShare() float64 {
	if f.MaxRejectedShare != nil {
		return *f.MaxRejectedShare
	}
	return DefaultMaxRejectedShare
}
