package sheet

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrEmpty is returned for a blank cell: the caller decides whether blank
// means zero, "not reported" or an error.
var ErrEmpty = errors.New("empty")

// maxShown bounds how much of a bad value an error repeats.
const maxShown = 40

// ParseInt parses a whole number as written in a report: "354938",
// "354.938" and "354,938" (thousands separators, Vietnamese or English),
// "1 234 567" (spaces, including no-break spaces), "+12", "-5" (the caller
// rejects negative counts), "12,0", and a lone dash "-" as zero (how Vietnamese
// reports and Excel's accounting format show 0). In a whole-number column a
// single '.' or ',' followed by exactly three digits is a thousands separator.
// A blank cell is ErrEmpty.
func ParseInt(s string) (int64, error) {
	n, err := normalise(s, true)
	if err != nil {
		return 0, err
	}
	if n.percent {
		return 0, fmt.Errorf("%s is a percentage, not a whole number", quote(s))
	}
	if strings.Trim(n.frac, "0") != "" {
		return 0, fmt.Errorf("%s is not a whole number", quote(s))
	}
	v, err := strconv.ParseInt(n.sign+n.int, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s is not a whole number in range", quote(s))
	}
	return v, nil
}

// ParseNumber parses a decimal as written in a report: "84,60" and "84.6"
// (a single separator is the decimal point), "1.234,5" and "1,234.5" (the last
// separator is the decimal point, the other groups thousands), "1.234.567",
// and a trailing "%" ("84,6%"), reported in percent and not divided: the caller
// knows the scale. A blank cell is ErrEmpty.
func ParseNumber(s string) (v float64, percent bool, err error) {
	n, err := normalise(s, false)
	if err != nil {
		return 0, false, err
	}
	t := n.sign + n.int
	if n.frac != "" {
		t += "." + n.frac
	}
	v, err = strconv.ParseFloat(t, 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, false, fmt.Errorf("%s is not a number in range", quote(s))
	}
	return v, n.percent, nil
}

type number struct {
	sign, int, frac string
	percent         bool
}

func isSpace(r rune) bool { return unicode.IsSpace(r) }

// normalise splits s into sign, integer digits and fraction digits, deciding
// which separators are thousands and which is the decimal point.
func normalise(s string, wholeNumber bool) (number, error) {
	var n number
	t := strings.TrimFunc(s, isSpace)
	switch t {
	case "":
		return n, ErrEmpty
	case "-", "–", "—":
		n.int = "0"
		return n, nil
	}
	if rest, ok := strings.CutSuffix(t, "%"); ok {
		n.percent = true
		t = strings.TrimFunc(rest, isSpace)
	}
	switch {
	case strings.HasPrefix(t, "+"):
		t = t[1:]
	case strings.HasPrefix(t, "-"):
		n.sign, t = "-", t[1:]
	case strings.HasPrefix(t, "−"): // U+2212 MINUS SIGN
		n.sign, t = "-", t[len("−"):]
	}
	groups, seps, ok := splitGroups(t)
	if !ok {
		return n, notNumber(s)
	}
	dec, ok := decimalSep(groups, seps, wholeNumber)
	if !ok {
		return n, notNumber(s)
	}
	intGroups := groups
	if dec >= 0 {
		intGroups = groups[:dec+1]
		n.frac = groups[dec+1]
	}
	if !thousands(intGroups, seps) {
		return n, notNumber(s)
	}
	n.int = strings.Join(intGroups, "")
	return n, nil
}

// splitGroups cuts t into digit groups and the single separator ('.', ','
// or ' ' for any space) between each pair of them; false when t holds
// anything else, two separators in a row, or starts or ends with one.
func splitGroups(t string) (groups []string, seps []rune, ok bool) {
	start := 0
	for i, r := range t {
		switch {
		case r >= '0' && r <= '9':
			continue
		case r == '.' || r == ',' || isSpace(r):
			if i == start {
				return nil, nil, false
			}
			if isSpace(r) {
				r = ' '
			}
			groups = append(groups, t[start:i])
			seps = append(seps, r)
			start = i + runeLen(t, i)
		default:
			return nil, nil, false
		}
	}
	if start >= len(t) {
		return nil, nil, false // empty, or ends in a separator
	}
	return append(groups, t[start:]), seps, true
}

// decimalSep decides which separator, if any, is the decimal point: an index
// into seps, or -1. False when the separators cannot make a number.
func decimalSep(groups []string, seps []rune, wholeNumber bool) (int, bool) {
	var hasDot, hasComma int
	for _, c := range seps {
		switch c {
		case '.':
			hasDot++
		case ',':
			hasComma++
		}
	}
	last := len(seps) - 1
	switch {
	case hasDot > 0 && hasComma > 0:
		if seps[last] == ' ' {
			return -1, false
		}
		if (seps[last] == '.' && hasDot > 1) || (seps[last] == ',' && hasComma > 1) {
			return -1, false
		}
		return last, true
	case hasDot+hasComma == 1 && seps[last] != ' ':
		// One '.' or ',' at the end: a decimal point, except in a whole
		// number where "354.938" means 354938.
		if !wholeNumber || len(groups[last+1]) != 3 {
			return last, true
		}
	}
	return -1, true
}

// thousands checks the integer part's groups: 1–3 digits, then exactly 3
// each, one kind of separator (spaces aside), and no leading zero before a
// separator.
func thousands(intGroups []string, seps []rune) bool {
	for i, g := range intGroups {
		if (i == 0 && len(intGroups) > 1 && len(g) > 3) || (i > 0 && len(g) != 3) {
			return false
		}
		if i > 0 && i < len(intGroups)-1 && seps[i] != seps[i-1] && seps[i] != ' ' && seps[i-1] != ' ' {
			return false
		}
	}
	// "0.500" is no way to write 500.
	return len(intGroups) <= 1 || intGroups[0][0] != '0'
}

func runeLen(s string, i int) int {
	_, size := utf8.DecodeRuneInString(s[i:])
	return size
}

func notNumber(s string) error {
	return fmt.Errorf("%s is not a number", quote(s))
}

// quote shows a value in an error, shortened.
func quote(s string) string {
	if utf8.RuneCountInString(s) > maxShown {
		r := []rune(s)
		s = string(r[:maxShown]) + "…"
	}
	return strconv.Quote(s)
}
