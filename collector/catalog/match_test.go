package catalog

import (
	"math/rand/v2"
	"testing"
)

// TestMatchersAgreeWithPatterns: every label whose Values carry a
// hand-written Match answers as its Pattern does, on valid codes, their
// mutations (a character changed, added or dropped) and random strings
// over the characters codes are made of.
func TestMatchersAgreeWithPatterns(t *testing.T) {
	seeds := []string{"", "000.00.31.H47", "000.05.00.H15", "999.99.99.Z99", "DD", "G09-TP01", "a", "A.b_c-d",
		"01234567890123456789012345678901", "012345678901234567890123456789012", "000.00.31.h47", "000.00.31.H4", "-DD", ".x"}
	const alphabet = "0123456789.AHZaz_-/ é"
	rng := rand.New(rand.NewPCG(7, 11))
	mutate := func(s string) string {
		b := []byte(s)
		c := alphabet[rng.IntN(len(alphabet))]
		switch i := rng.IntN(len(b) + 1); {
		case len(b) > 0 && rng.IntN(3) == 0:
			b[min(i, len(b)-1)] = c
		case len(b) > 0 && rng.IntN(2) == 0:
			b = append(b[:min(i, len(b)-1)], b[min(i, len(b)-1)+1:]...)
		default:
			b = append(b[:i], append([]byte{c}, b[i:]...)...)
		}
		return string(b)
	}
	var inputs []string
	for _, s := range seeds {
		inputs = append(inputs, s)
		for range 2000 {
			s = mutate(s)
			if len(s) > 40 {
				s = s[:13]
			}
			inputs = append(inputs, s)
		}
	}
	checked := 0
	for label, vs := range LabelValues {
		if vs.Match == nil {
			continue
		}
		if vs.Pattern == nil {
			t.Errorf("label %s: a Match without the Pattern it stands for", label)
			continue
		}
		checked++
		accepted := 0
		for _, in := range inputs {
			want := vs.Pattern.MatchString(in)
			if got := vs.Match(in); got != want {
				t.Errorf("label %s: Match(%q) = %v, the pattern %s says %v", label, in, got, vs.Pattern, want)
			}
			if want {
				accepted++
			}
		}
		if accepted == 0 || accepted == len(inputs) {
			t.Errorf("label %s: the inputs do not test it (%d of %d accepted)", label, accepted, len(inputs))
		}
	}
	if checked < 5 {
		t.Errorf("%d labels have a Match; agency, parent, field, unit and successor should", checked)
	}
}

func BenchmarkAllows(b *testing.B) {
	vs := LabelValues[LabelAgency]
	b.Run("match", func(b *testing.B) {
		for b.Loop() {
			vs.Allows("000.00.31.H47")
		}
	})
	b.Run("pattern", func(b *testing.B) {
		for b.Loop() {
			vs.Pattern.MatchString("000.00.31.H47")
		}
	})
}
