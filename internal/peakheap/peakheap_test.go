package peakheap

import "testing"

var sink []byte

// TestMeasureSeesAnAllocation: a 64 MiB buffer held while fn runs is seen,
// and dropping it before the next measurement is seen too.
func TestMeasureSeesAnAllocation(t *testing.T) {
	big := Measure(func() {
		sink = make([]byte, 64<<20)
		for i := range sink {
			sink[i] = byte(i)
		}
	})
	sink = nil
	if MB(big) < 64 {
		t.Fatalf("peak %.1f MB while holding 64 MiB", MB(big))
	}
	small := Measure(func() { sink = make([]byte, 1<<10) })
	if MB(small) > 32 {
		t.Fatalf("peak %.1f MB after the 64 MiB buffer was dropped", MB(small))
	}
}
