// Package peakheap measures the most heap a piece of code holds while it
// runs, for benchmarks that report memory bounds (b.ReportMetric) and tests
// that hold them. The Go runtime keeps no high-water mark, so a goroutine
// samples the heap's object bytes (live and not yet swept) every Interval;
// runtime/metrics reads them without stopping the world.
package peakheap

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"time"
)

// Interval is the sampling period: short against the milliseconds a large
// decode takes, long enough to leave the measured code the CPU.
const Interval = 200 * time.Microsecond

const heapObjects = "/memory/classes/heap/objects:bytes"

// Measure runs fn and returns the largest heap object bytes seen while it ran,
// counting from a collected heap, so what the caller held before counts too.
func Measure(fn func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: heapObjects}}
	read := func() uint64 {
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return sample[0].Value.Uint64()
	}
	peak := read()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(Interval)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				v := read()
				mu.Lock()
				peak = max(peak, v)
				mu.Unlock()
			}
		}
	}()
	fn()
	close(stop)
	wg.Wait()
	return max(peak, read())
}

// MB is n bytes in mebibytes, the unit the benchmarks report.
func MB(n uint64) float64 { return float64(n) / (1 << 20) }
