package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/govpulse/govpulse/collector/simulate"
)

func runSimulate(ctx context.Context, args []string, _, stderr io.Writer) error {
	fs := newFlagSet("simulate", stderr)
	addr := fs.String("web.listen-address", "127.0.0.1:9471", "address the simulated upstream APIs listen on")
	seed := fs.Int64("seed", 47, "seed of the simulated province's numbers")
	at := addClockFlag(fs, "time")
	lf := addLogFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	clock, err := clockAt(*at)
	if err != nil {
		return fmt.Errorf("--time: %w", err)
	}
	logger := lf.logger(stderr)
	logger.Info("serving the simulated province", "address", *addr, "time", clock().Format(time.RFC3339))
	return simulate.New(simulate.Options{Seed: *seed, Now: clock}).Serve(ctx, *addr, logger)
}
