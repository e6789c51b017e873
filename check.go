package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"

	"github.com/govpulse/govpulse/collector"
	"github.com/govpulse/govpulse/collector/config"
	"github.com/govpulse/govpulse/collector/source"
)

// runCheck validates a config as serve would start it: parsed, validated,
// and every source built (nothing runs, nothing is fetched), so that what
// check accepts, serve starts.
func runCheck(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("check", stderr)
	file := fs.String("config.file", "govpulse.yml", "configuration file to validate")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := config.Load(*file)
	if err != nil {
		return err
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintln(stderr, "warning:", w)
	}
	srcs, err := buildSources(cfg)
	if err != nil {
		return err
	}
	// Sources that read files of their own (manual KPIs) check them against
	// the agency list, which their config block does not see.
	names := make([]string, 0, len(srcs))
	for n := range srcs {
		names = append(names, n)
	}
	sort.Strings(names)
	var bad []error
	for _, n := range names {
		if fc, ok := srcs[n].(interface{ CheckFiles() error }); ok {
			if err := fc.CheckFiles(); err != nil {
				bad = append(bad, fmt.Errorf("source %s: %w", n, err))
			}
		}
	}
	if err := errors.Join(bad...); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: OK: %d sources, %d agencies, %d fields\n", *file, len(cfg.Sources), len(cfg.Agencies), len(cfg.Fields))
	return nil
}

// buildSources builds cfg's sources the way the scheduler does and drops
// them: the errors serve would start with.
func buildSources(cfg *config.Config) (map[string]source.Source, error) {
	env, err := collector.Env(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	return collector.Build(cfg, env)
}
