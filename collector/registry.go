package collector

import (
	"fmt"
	"log/slog"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/config"
	"github.com/govpulse/govpulse/collector/httpc"
	"github.com/govpulse/govpulse/collector/indices"
	"github.com/govpulse/govpulse/collector/lineage"
	"github.com/govpulse/govpulse/collector/manual"
	"github.com/govpulse/govpulse/collector/onestop"
	"github.com/govpulse/govpulse/collector/portal"
	"github.com/govpulse/govpulse/collector/rating"
	"github.com/govpulse/govpulse/collector/source"
	"github.com/govpulse/govpulse/collector/vneid"
)

// Factory builds a source from its validated config. limits are the rate
// limits of the config the source belongs to: its HTTP client shares a host's
// bucket with the config's other sources (httpc.NewShared).
type Factory func(sc config.Source, env source.Env, limits *httpc.Limits) (source.Source, error)

// Registry maps a source type to its factory: the one place a source is
// registered (no init() magic).
var Registry = map[string]Factory{
	catalog.SourceOnestop: func(sc config.Source, env source.Env, limits *httpc.Limits) (source.Source, error) {
		c, err := httpc.NewShared(sc.HTTP, env.Logger, limits)
		if err != nil {
			return nil, err
		}
		return onestop.New(sc.Name, *sc.Onestop, c, env)
	},
	catalog.SourcePortal: func(sc config.Source, env source.Env, limits *httpc.Limits) (source.Source, error) {
		c, err := httpc.NewShared(sc.HTTP, env.Logger, limits)
		if err != nil {
			return nil, err
		}
		return portal.New(sc.Name, *sc.Portal, c, env)
	},
	catalog.SourceVNeID: func(sc config.Source, env source.Env, limits *httpc.Limits) (source.Source, error) {
		if sc.VNeID.Mode != vneid.ModeHTTP {
			return vneid.New(sc.Name, *sc.VNeID, nil, env)
		}
		c, err := httpc.NewShared(sc.HTTP, env.Logger, limits)
		if err != nil {
			return nil, err
		}
		return vneid.New(sc.Name, *sc.VNeID, c, env)
	},
	catalog.SourceIndices: func(sc config.Source, env source.Env, limits *httpc.Limits) (source.Source, error) {
		return indices.New(sc.Name, *sc.Indices, env)
	},
	catalog.SourceRating: func(sc config.Source, env source.Env, limits *httpc.Limits) (source.Source, error) {
		return rating.New(sc.Name, *sc.Rating, env)
	},
	catalog.SourceManual: func(sc config.Source, env source.Env, limits *httpc.Limits) (source.Source, error) {
		return manual.New(sc.Name, *sc.Manual, env)
	},
}

// Build returns the configured sources by name. Every call has its own rate
// limits, shared by the sources it builds: a reloaded config's rate_limit
// replaces the old one's, higher or lower.
func Build(cfg *config.Config, env source.Env) (map[string]source.Source, error) {
	return build(cfg, env, httpc.NewLimits())
}

func build(cfg *config.Config, env source.Env, limits *httpc.Limits) (map[string]source.Source, error) {
	out := make(map[string]source.Source, len(cfg.Sources))
	for _, sc := range cfg.Sources {
		f, ok := Registry[sc.Type]
		if !ok {
			return nil, fmt.Errorf("BUG: source type %q passed validation but has no factory", sc.Type)
		}
		e := env
		e.Logger = env.Logger.With(slog.String("source", sc.Name))
		s, err := f(sc, e, limits)
		if err != nil {
			return nil, fmt.Errorf("cannot build source %q: %w", sc.Name, err)
		}
		out[sc.Name] = s
	}
	return out, nil
}

// Units returns the unit lists as an internal result: the *_info metrics.
func Units(cfg *config.Config) *source.Result {
	res := &source.Result{}
	for _, a := range cfg.Agencies {
		res.Add(catalog.AgencyInfo, 1, a.Code, a.Name, a.Level, a.Parent, a.UnitCode)
	}
	lineage.Samples(res, cfg.Formers)
	for _, f := range cfg.Fields {
		res.Add(catalog.FieldInfo, 1, f.Code, f.Name)
	}
	return res
}

// Env builds the source environment from config.
func Env(cfg *config.Config, logger *slog.Logger) (source.Env, error) {
	loc, err := loadLocation(cfg.Province.Timezone)
	if err != nil {
		return source.Env{}, err
	}
	env := source.Env{
		Logger:   logger,
		Now:      nowFunc,
		Location: loc,
		Agencies: make(map[string]source.Agency, len(cfg.Agencies)),
		Fields:   make(map[string]source.Field, len(cfg.Fields)),
		StateDir: cfg.StateDir,
	}
	for _, a := range cfg.Agencies {
		env.Agencies[a.Code] = a
	}
	for _, f := range cfg.Fields {
		env.Fields[f.Code] = f
	}
	if len(cfg.Formers) > 0 {
		env.Former = make(map[string]source.Agency, len(cfg.Formers))
		for _, f := range cfg.Formers {
			env.Former[f.Unit.Code] = f.Unit
		}
	}
	return env, nil
}
