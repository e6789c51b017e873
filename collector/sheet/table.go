package sheet

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/govpulse/govpulse/collector/catalog"
)

// HeaderScanRows is how many non-blank rows are searched for the header: room
// for a title block (ministry, report name, "as of" line) above it.
const HeaderScanRows = 30

// Table is the non-blank rows of one sheet.
type Table struct {
	// File names the file in errors (the path it was read from).
	File string
	Rows []Row
}

// Row is one non-blank row.
type Row struct {
	// Num is the row number as Excel shows it: 1-based, blank rows counted,
	// a CSV record spanning several lines counted once.
	Num int
	// Cells are the cell texts, surrounding white space removed.
	Cells []string
}

// Error is a problem in a file, located as a person finds it in Excel.
type Error struct {
	File string
	// Row is the 1-based row number; 0 when the problem is the whole file.
	Row int
	// Col is the 0-based column index, -1 when no one cell is at fault.
	Col int
	// Column is the column's header as written, or the name of a missing column.
	Column string
	// Reason is the catalog reject reason the problem is counted under.
	Reason string
	Msg    string
	// Lines marks a text file located by line rather than a sheet (YAML):
	// Row is then the line and Column the field, and the error reads
	// `file:12: records[3].score: msg` like a compiler's.
	Lines bool
}

// Error formats the problem as
// `file: row 7, column D "Số tài khoản đã cấp": "12a" is not a whole number`.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Lines {
		if e.Row > 0 {
			fmt.Fprintf(&b, ":%d", e.Row)
		}
		if e.Column != "" {
			b.WriteString(": " + e.Column)
		}
		b.WriteString(": " + e.Msg)
		return b.String()
	}
	sep := ": "
	if e.Row > 0 {
		fmt.Fprintf(&b, ": row %d", e.Row)
		sep = ", "
	}
	if c := e.ColumnRef(); c != "" {
		b.WriteString(sep + "column " + c)
	}
	b.WriteString(": " + e.Msg)
	return b.String()
}

// ColumnRef is the column as an error shows it: `D "Số tài khoản đã cấp"`,
// `D`, or `"Số tài khoản đã cấp"` for a missing column.
func (e *Error) ColumnRef() string {
	switch {
	case e.Col >= 0 && e.Column != "":
		return ColumnLetter(e.Col) + " " + strconv.Quote(e.Column)
	case e.Col >= 0:
		return ColumnLetter(e.Col)
	case e.Column != "":
		return strconv.Quote(e.Column)
	}
	return ""
}

// LogAttrs returns the problem as slog key-value pairs: file, row, column,
// reason and err (the message alone); line and field for a Lines error.
func (e *Error) LogAttrs() []any {
	if e.Lines {
		return []any{"file", e.File, "line", e.Row, "field", e.Column, "reason", e.Reason, "err", e.Msg}
	}
	return []any{"file", e.File, "row", e.Row, "column", e.ColumnRef(), "reason", e.Reason, "err", e.Msg}
}

// ReasonOf returns the reject reason of err: an *Error's own, otherwise
// malformed (an unreadable file is as useless as a malformed one).
func ReasonOf(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Reason != "" {
		return e.Reason
	}
	return catalog.RejectMalformed
}

// ColumnLetter returns Excel's name of the 0-based column i: A, …, Z, AA, ….
func ColumnLetter(i int) string {
	if i < 0 {
		return ""
	}
	var b []byte
	for i++; i > 0; i = (i - 1) / 26 {
		b = append([]byte{byte('A' + (i-1)%26)}, b...)
	}
	return string(b)
}

// Column is a column the caller wants.
type Column struct {
	// Key is the caller's name for the column ("issued").
	Key string
	// Name is shown in errors about a missing column.
	Name string
	// Aliases are the header texts accepted, compared after Fold; Key and
	// Name are accepted too.
	Aliases  []string
	Required bool
}

// Layout is a table whose header row has been found.
type Layout struct {
	File string
	// HeaderRow is the header's row number.
	HeaderRow int
	// Header is the header row as written.
	Header []string
	// Records are the data rows under the header: blank rows and a numbering
	// row ("(1)", "(2)", …) left out.
	Records []Record
	index   map[string]int
}

// Record is one data row of a Layout.
type Record struct {
	Row
	l *Layout
}

// numbering matches the cells of the column-numbering row Vietnamese forms
// put under the header: "1", "(2)", "(5)=(3)+(4)", "(6) = (4)/(3)".
var numbering = regexp.MustCompile(`^\(?[0-9]{1,2}\)?(\s*[-=+*/x:]\s*\(?[0-9]{1,2}\)?)*$`)

// Locate finds the header row — the first of the first HeaderScanRows rows
// that holds every required column — and maps cols to its cells. A column
// matched by two cells is an error, as is a required column found in no row;
// the error then names the row that came closest and lists its unrecognised
// headers, so that a typo in a header is easy to spot.
func (t *Table) Locate(cols []Column) (*Layout, error) {
	keyOf := map[string]string{}
	for _, c := range cols {
		for _, a := range append([]string{c.Key, c.Name}, c.Aliases...) {
			f := Fold(a)
			if f == "" {
				continue
			}
			if k, dup := keyOf[f]; dup && k != c.Key {
				panic(fmt.Sprintf("BUG: sheet: alias %q of column %s is also an alias of %s", a, c.Key, k))
			}
			keyOf[f] = c.Key
		}
	}
	bestRow, bestFound := -1, 0
	for i, r := range t.Rows {
		if i >= HeaderScanRows {
			break
		}
		index := map[string]int{}
		for j, cell := range r.Cells {
			k, ok := keyOf[Fold(cell)]
			if !ok {
				continue
			}
			if prev, dup := index[k]; dup {
				return nil, &Error{File: t.File, Row: r.Num, Col: j, Column: oneLine(cell), Reason: catalog.RejectMalformed,
					Msg: fmt.Sprintf("a second column for %s (the first is column %s)", k, ColumnLetter(prev))}
			}
			index[k] = j
		}
		complete := true
		for _, c := range cols {
			if _, ok := index[c.Key]; c.Required && !ok {
				complete = false
			}
		}
		if complete {
			return t.layout(i, index), nil
		}
		if len(index) > bestFound {
			bestRow, bestFound = i, len(index)
		}
	}
	var want []string
	for _, c := range cols {
		if c.Required {
			want = append(want, strconv.Quote(c.Name))
		}
	}
	if bestRow < 0 {
		return nil, &Error{File: t.File, Col: -1, Reason: catalog.RejectMalformed,
			Msg: fmt.Sprintf("no header row in the first %d rows: want columns %s", HeaderScanRows, strings.Join(want, ", "))}
	}
	// Report the closest row: its first missing column and what it has instead.
	r := t.Rows[bestRow]
	index := map[string]int{}
	known := map[int]bool{}
	for j, cell := range r.Cells {
		if k, ok := keyOf[Fold(cell)]; ok {
			index[k], known[j] = j, true
		}
	}
	var missing Column
	for _, c := range cols {
		if _, ok := index[c.Key]; c.Required && !ok {
			missing = c
			break
		}
	}
	var other []string
	for j, cell := range r.Cells {
		if !known[j] && cell != "" {
			other = append(other, ColumnLetter(j)+" "+quote(oneLine(cell)))
		}
	}
	msg := fmt.Sprintf("no column %q in the header (accepted: %s)", missing.Name, strings.Join(accepted(missing), ", "))
	if len(other) > 0 {
		msg += "; unrecognised headers: " + strings.Join(other, ", ")
	}
	return nil, &Error{File: t.File, Row: r.Num, Col: -1, Column: missing.Name, Reason: catalog.RejectMalformed, Msg: msg}
}

func accepted(c Column) []string {
	out := []string{strconv.Quote(c.Name)}
	for _, a := range c.Aliases {
		out = append(out, strconv.Quote(a))
	}
	return out
}

func (t *Table) layout(hdr int, index map[string]int) *Layout {
	l := &Layout{File: t.File, HeaderRow: t.Rows[hdr].Num, Header: t.Rows[hdr].Cells, index: index}
	for i, r := range t.Rows[hdr+1:] {
		if i < 2 && isNumbering(r.Cells) {
			continue
		}
		l.Records = append(l.Records, Record{Row: r, l: l})
	}
	return l
}

func isNumbering(cells []string) bool {
	n := 0
	for _, c := range cells {
		if c == "" {
			continue
		}
		if !numbering.MatchString(c) {
			return false
		}
		n++
	}
	return n >= 2
}

// Has reports whether the header has the column.
func (l *Layout) Has(key string) bool {
	_, ok := l.index[key]
	return ok
}

// Text returns the record's cell in the column, "" when the header has no such
// column or the row is short.
func (r Record) Text(key string) string {
	j, ok := r.l.index[key]
	if !ok || j >= len(r.Cells) {
		return ""
	}
	return r.Cells[j]
}

// Int parses the cell as a whole number (ParseInt); a blank cell is an error.
func (r Record) Int(key string) (int64, error) {
	v, err := ParseInt(r.Text(key))
	if err != nil {
		return 0, r.cellError(key, err)
	}
	return v, nil
}

// Number parses the cell as a decimal (ParseNumber); a blank cell is an error.
func (r Record) Number(key string) (float64, bool, error) {
	v, pct, err := ParseNumber(r.Text(key))
	if err != nil {
		return 0, false, r.cellError(key, err)
	}
	return v, pct, nil
}

func (r Record) cellError(key string, err error) error {
	msg := err.Error()
	if errors.Is(err, ErrEmpty) {
		msg = "empty cell (write 0 for none)"
	}
	return r.Errorf(key, catalog.RejectMalformed, "%s", msg)
}

// Errorf returns an *Error at the record's cell in the column key, counted
// under reason.
func (r Record) Errorf(key, reason, format string, args ...any) error {
	e := &Error{File: r.l.File, Row: r.Num, Col: -1, Reason: reason, Msg: fmt.Sprintf(format, args...)}
	if j, ok := r.l.index[key]; ok {
		e.Col = j
		if j < len(r.l.Header) {
			e.Column = oneLine(r.l.Header[j])
		}
	}
	return e
}

// oneLine joins a multi-line header ("Số tài khoản\nđã cấp") for messages.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
