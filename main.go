// Command govpulse collects a Vietnamese province's administrative-reform and
// digital-transformation KPIs and exports them as Prometheus metrics.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() { os.Exit(mainCode()) }

// mainCode runs govpulse and returns its exit code; apart from main so that
// its deferred cleanup runs before the process exits.
func mainCode() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "govpulse:", err)
		return 1
	}
	return 0
}
