package main

import (
	"context"
	"fmt"
	"io"

	"github.com/govpulse/govpulse/collector/config"
)

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
	fmt.Fprintf(stdout, "%s: OK: %d sources, %d agencies, %d fields\n", *file, len(cfg.Sources), len(cfg.Agencies), len(cfg.Fields))
	return nil
}
