//go:build unix

package prom

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user + system, every thread) used so far: a
// scrape's Gather runs collectors on other goroutines, so wall time per op
// under-counts what a scrape costs on a 2-core machine.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
