// Package source holds what every upstream source shares: the Source interface,
// the Result a run produces, the error classification that feeds
// govpulse_source_errors_total, and the unit lists a source validates codes against.
//
// A new upstream is one package under collector/ that implements Source, plus one
// line in the registry (collector/registry.go).
package source

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sort"
	"strings"
	"time"

	"github.com/govpulse/govpulse/collector/catalog"
)

// Source fetches one upstream and normalises it into catalog samples. Collect
// must honour ctx, must not panic on any input, and returns either a complete
// Result or an error: a partial Result is never published.
type Source interface {
	Collect(ctx context.Context) (*Result, error)
}

// Sample is one exported value: a catalog metric and its label values in the
// metric's label order.
type Sample struct {
	Metric *catalog.Metric
	Labels []string
	Value  float64
}

// Result is the outcome of one successful run.
type Result struct {
	Samples []Sample
	// Rejected counts upstream records dropped at decode, by catalog reject reason.
	Rejected map[string]int
}

// Add appends a sample.
func (r *Result) Add(m *catalog.Metric, v float64, labels ...string) {
	r.Samples = append(r.Samples, Sample{Metric: m, Labels: labels, Value: v})
}

// Reject counts n dropped records for reason.
func (r *Result) Reject(reason string, n int) {
	if n == 0 {
		return
	}
	if r.Rejected == nil {
		r.Rejected = make(map[string]int)
	}
	r.Rejected[reason] += n
}

// Error is a failed run with the reason exported in govpulse_source_errors_total.
type Error struct {
	Reason string
	Err    error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given catalog reason.
func Errorf(reason, format string, args ...any) error {
	return &Error{Reason: reason, Err: fmt.Errorf(format, args...)}
}

// Reason classifies err into a catalog error reason.
func Reason(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Reason
	case errors.Is(err, context.DeadlineExceeded):
		return catalog.ReasonTimeout
	}
	var ne net.Error
	if errors.As(err, &ne) {
		if ne.Timeout() {
			return catalog.ReasonTimeout
		}
		return catalog.ReasonTransport
	}
	return catalog.ReasonOther
}

// Agency is one unit of the province (cơ quan, đơn vị).
type Agency struct {
	Code   string `yaml:"code"`
	Name   string `yaml:"name"`
	Level  string `yaml:"level"`
	Parent string `yaml:"parent"`
	// Email is the agency's contact for its own alerts (optional; one or
	// more addresses separated by commas). It is never exported as a label.
	Email string `yaml:"email"`
}

// Field is one field of administrative procedures (lĩnh vực).
type Field struct {
	Code string `yaml:"code"`
	Name string `yaml:"name"`
}

// Env is what a source gets from the daemon besides its own config.
type Env struct {
	Logger *slog.Logger
	// Now returns the current time; tests replace it.
	Now func() time.Time
	// Location is the province's time zone; periods are computed in it.
	Location *time.Location
	// Agencies and Fields are the whitelists of codes a source may export.
	Agencies map[string]Agency
	Fields   map[string]Field
	// StateDir is where a source may persist cursors (written atomically).
	StateDir string
	// Lookup returns the current (last good) samples of a metric from the
	// latest snapshot, for derived sources (ratings, the 766 estimate) that
	// compute from what other sources collected. Nil outside the daemon.
	Lookup func(m *catalog.Metric) []Sample
}

// ProvinceCode returns code when it is a known agency, or, when code is
// empty, the one agency of level tinh: the province as a whole for the
// sources that report it (portal, VNeID, ratings).
func ProvinceCode(code string, agencies map[string]Agency) (string, error) {
	if code != "" {
		if _, ok := agencies[code]; !ok {
			return "", fmt.Errorf("province %q is not in the agency list", code)
		}
		return code, nil
	}
	var found []string
	for c, a := range agencies {
		if a.Level == catalog.LevelProvince {
			found = append(found, c)
		}
	}
	if len(found) != 1 {
		sort.Strings(found)
		return "", fmt.Errorf("province code not set and the agency list has %d agencies of level %s (%s): set it", len(found), catalog.LevelProvince, strings.Join(found, ", "))
	}
	return found[0], nil
}
