package source

import (
	"errors"
	"fmt"
)

// FieldError is one invalid setting of a config block; Path is relative to
// the block (collector/config prefixes it and finds its line).
type FieldError struct {
	Path, Msg string
	// Warning marks what does not stop a config from loading but that an
	// operator must hear of (a secret not readable where check runs).
	Warning bool
}

// Error formats the problem as "path: msg".
func (e FieldError) Error() string { return e.Path + ": " + e.Msg }

// Problems collects a block's FieldErrors: every block's Validate starts
// with `var errs source.Problems` and reports with errs.Add.
type Problems []FieldError

// Add records a problem at path.
func (p *Problems) Add(path, format string, args ...any) {
	*p = append(*p, FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
}

// Warn records a warning at path.
func (p *Problems) Warn(path, format string, args ...any) {
	*p = append(*p, FieldError{Path: path, Msg: fmt.Sprintf(format, args...), Warning: true})
}

// Err joins the problems that are not warnings, or returns nil.
func (p Problems) Err() error {
	var errs []error
	for _, e := range p {
		if !e.Warning {
			errs = append(errs, e)
		}
	}
	return errors.Join(errs...)
}
