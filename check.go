package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/govpulse/govpulse/collector"
	"github.com/govpulse/govpulse/collector/config"
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
	if err := buildSources(cfg); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: OK: %d sources, %d agencies, %d fields\n", *file, len(cfg.Sources), len(cfg.Agencies), len(cfg.Fields))
	return nil
}

// buildSources builds cfg's sources the way the scheduler does and drops
// them: the errors serve would start with.
func buildSources(cfg *config.Config) error {
	env, err := collector.Env(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	_, err = collector.Build(cfg, env)
	return err
}
