package indices

import (
	"context"
	"log/slog"
	"sort"
	"strconv"
	"sync"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/sheet"
	"github.com/govpulse/govpulse/collector/source"
)

// Source is the yearly indices source.
type Source struct {
	name string
	cfg  Config
	env  source.Env
	log  *slog.Logger

	mu sync.Mutex
	// files holds each path's last good records, so files are parsed only
	// when they change and a bad version is logged and counted once while
	// the previous good one keeps being served.
	files sheet.Watched[[]record]
}

// New builds the source. cfg must have passed SetDefaults and Validate. The
// indices are files only, so unlike the HTTP sources it takes no client.
func New(name string, cfg Config, env source.Env) (*Source, error) {
	s := &Source{name: name, cfg: cfg, env: env, log: env.Logger}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

// Collect reads the files that changed since the last run and exports every
// record of every file, and the targets.
func (s *Source) Collect(ctx context.Context) (*source.Result, error) {
	paths, err := expand(s.cfg.Files)
	if err != nil {
		return nil, source.Errorf(catalog.ReasonInvalid, "%v", err)
	}
	if len(paths) == 0 {
		return nil, source.Errorf(catalog.ReasonInvalid, "no index file matches %v", s.cfg.Files)
	}
	res := &source.Result{}
	lastYear := s.env.Now().In(s.env.Location).Year()

	s.mu.Lock()
	defer s.mu.Unlock()
	use, err := s.files.Refresh(ctx, paths, func(p string) ([]record, error) {
		return readFile(p, s.cfg.MaxFileBytes, lastYear)
	}, func(p string, recs []record, err error) {
		res.Read++ // files are accepted or rejected whole: a file is the record
		if err != nil {
			res.Reject(sheet.ReasonOf(err), 1)
			s.log.Warn("index file rejected; its previous version, if any, is still used", sheet.RejectAttrs(p, err)...)
			return
		}
		s.log.Info("index file read", "file", p, "records", len(recs))
	})
	if err != nil {
		return nil, err
	}
	if len(use) == 0 {
		return nil, source.CountedErrorf(res.Counts(), catalog.ReasonInvalid, "none of the %d index files is valid (see the warnings logged when each was rejected)", len(paths))
	}
	// Oldest first, so a newer file's figure replaces an older one's.
	merged := map[recordKey]record{}
	for _, v := range use {
		for _, r := range v.Data {
			merged[r.key()] = r
		}
	}
	s.emit(res, merged)
	return res, nil
}

// emit writes the records, the latest year of each index, the names of the
// components of every index in use, and the targets.
func (s *Source) emit(res *source.Result, merged map[recordKey]record) {
	keys := make([]recordKey, 0, len(merged))
	for k := range merged {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.index != b.index {
			return a.index < b.index
		}
		if a.component != b.component {
			return a.component < b.component
		}
		return a.year < b.year
	})
	latest := map[string]int{}
	for _, k := range keys {
		r := merged[k]
		year := strconv.Itoa(r.year)
		def, _ := catalog.IndexByCode(r.index)
		if r.hasScore {
			m := catalog.IndexScoreRatio
			if def.Scale == catalog.IndexScalePoints {
				m = catalog.IndexScorePoints
			}
			res.Add(m, r.score, r.index, r.component, year)
		}
		if r.rank > 0 {
			res.Add(catalog.IndexRank, float64(r.rank), r.index, r.component, year)
		}
		if r.ranked > 0 {
			res.Add(catalog.IndexRankedProvinces, float64(r.ranked), r.index, r.component, year)
		}
		latest[r.index] = max(latest[r.index], r.year)
	}
	inUse := map[string]bool{}
	for idx := range latest {
		inUse[idx] = true
	}
	for _, t := range s.cfg.Targets {
		inUse[t.Index] = true
	}
	for _, def := range catalog.Indices {
		if y, ok := latest[def.Code]; ok {
			res.Add(catalog.IndexLatestYear, float64(y), def.Code, strconv.Itoa(y))
		}
		if !inUse[def.Code] {
			continue
		}
		total, _ := def.Component(catalog.ComponentTotal)
		res.Add(catalog.IndexComponentInfo, 1, def.Code, total.Code, total.Name)
		for _, c := range def.Components {
			res.Add(catalog.IndexComponentInfo, 1, def.Code, c.Code, c.Name)
		}
	}
	for _, t := range s.cfg.Targets {
		res.Add(catalog.IndexTargetRank, float64(t.RankMax), t.Index, strconv.Itoa(t.ByYear))
	}
}
