// Package source holds what every upstream source shares: the Source interface,
// the Result a run produces, the error classification that feeds
// govpulse_source_errors_total, and the unit lists a source validates codes against.
//
// A new upstream is one package under collector/ that implements Source, plus one
// line in the registry (collector/registry.go).
//
// Rejected records: a source counts what it reads (Result.Read) and rejects
// (Result.Reject). A run that fails after reading, above all one refused
// because it rejected more than its limit, returns those counts on its Error
// (CountedErrorf): the store adds them to the counters although the run
// publishes nothing, so the rejected share stays computable in PromQL. A
// source that enforces such a limit implements RejectLimiter, and the limit
// is exported beside the share.
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
	// Read counts the upstream records the run decoded, accepted or rejected:
	// the denominator of its rejected share. A source that rejects whole
	// files (indices, VNeID report files) counts a file as one record.
	Read int
}

// RejectedShare is the share of the records read that were rejected; reasons
// that keep the record (catalog.CountsAsRejected) do not count. 0 when
// nothing was read.
func (r *Result) RejectedShare() float64 { return share(r.Rejected, r.Read) }

// Counts returns what the run read and rejected so far, with its share, for
// a run that fails after reading (CountedErrorf).
func (r *Result) Counts() Counts {
	return Counts{Read: r.Read, Rejected: r.Rejected, Share: r.RejectedShare()}
}

func share(rejected map[string]int, read int) float64 {
	n := rejectedRecords(rejected)
	if read <= 0 || n <= 0 {
		return 0
	}
	return float64(n) / float64(read)
}

func rejectedRecords(rejected map[string]int) int {
	n := 0
	for reason, k := range rejected {
		if catalog.CountsAsRejected(reason) {
			n += k
		}
	}
	return n
}

// RejectedRecords is the number of rejected records that count towards the share.
func (c Counts) RejectedRecords() int { return rejectedRecords(c.Rejected) }

// Counts are the records a failed run read and rejected before it failed.
// A run refused for its rejected share (reason rejected) returns them on its
// Error, so that the store still adds them to
// govpulse_source_records_read_total and _rejected_total and exports Share:
// the rejected records of exactly the failed runs would otherwise never be
// counted. The run's samples are never published.
type Counts struct {
	Read     int
	Rejected map[string]int
	// Share is the rejected share the source judged against its limit: the
	// run's (Result.RejectedShare), or a part's where the source judges parts
	// (a feed judges each page, and reports the refused page's).
	Share float64
}

// RejectLimiter is a Source that fails a run (reason rejected) whose
// rejected share is above a configured limit. The scheduler exports the
// limit beside the share, so an alert can compare the two; sources without
// a limit export none.
type RejectLimiter interface {
	MaxRejectedShare() float64
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
	// Counts, when set, are what the run read and rejected before failing.
	Counts *Counts
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given catalog reason.
func Errorf(reason, format string, args ...any) error {
	return &Error{Reason: reason, Err: fmt.Errorf(format, args...)}
}

// CountedErrorf returns an *Error like Errorf that carries c: a run that
// fails after reading records (above all one refused for its rejected share)
// still has them counted.
func CountedErrorf(c Counts, reason, format string, args ...any) error {
	return &Error{Reason: reason, Err: fmt.Errorf(format, args...), Counts: &c}
}

// CountsOf returns the counts a failed run's error carries, or nil.
func CountsOf(err error) *Counts {
	var e *Error
	if errors.As(err, &e) {
		return e.Counts
	}
	return nil
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

// Known reports whether code is an agency in force or a former unit of env.
func (e Env) Known(code string) bool {
	if _, ok := e.Agencies[code]; ok {
		return true
	}
	_, ok := e.Former[code]
	return ok
}

// Agency is one unit of the province (cơ quan, đơn vị).
type Agency struct {
	Code   string `yaml:"code"`
	Name   string `yaml:"name"`
	Level  string `yaml:"level"`
	Parent string `yaml:"parent"`
	// UnitCode is the statistics office's 5-digit code of a commune-level
	// unit (optional): the e-ID Code is what one-stop systems report, this
	// is what people and national lists know a commune by.
	UnitCode string `yaml:"unit_code"`
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
	// Former are the former units of the lineage file: the one-stop source
	// accepts their codes too, since a report of a past period (a backfill)
	// names them. Nil without a lineage file.
	Former map[string]Agency
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
