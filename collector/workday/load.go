package workday

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strconv"
	"time"

	"gopkg.in/yaml.v3"
)

// embedded holds copies of deploy/holidays/*.yml (a test keeps them equal), so
// a binary without the deploy tree still knows the holidays.
//
//go:embed holidays/*.yml
var embedded embed.FS

// Years a holiday file may describe: wide enough for any real calendar,
// narrow enough that a typo (year: 20226) is caught.
const (
	minYear = 1970
	maxYear = 2100
)

type yearFile struct {
	name     string
	year     int
	holidays []dayEntry
	working  []dayEntry
}

type dayEntry struct {
	day  int64
	name string
	line int
}

// Load builds a calendar from yearly holiday files (see the package
// documentation for the format). With no files, only weekends are days off.
func Load(files ...string) (*Calendar, error) {
	var yfs []*yearFile
	for _, f := range files {
		b, err := os.ReadFile(f) //nolint:gosec // G304: holiday files are named by the operator's config, trusted input
		if err != nil {
			return nil, fmt.Errorf("cannot read holiday file: %w", err)
		}
		yf, err := parseFile(f, b)
		if err != nil {
			return nil, err
		}
		yfs = append(yfs, yf)
	}
	return newCalendar(yfs)
}

// Default returns the calendar of the holiday files embedded in the binary
// (the same as deploy/holidays/).
func Default() (*Calendar, error) {
	names, err := fs.Glob(embedded, "holidays/*.yml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var yfs []*yearFile
	for _, n := range names {
		b, err := embedded.ReadFile(n)
		if err != nil {
			return nil, err
		}
		yf, err := parseFile("embedded "+path.Base(n), b)
		if err != nil {
			return nil, err
		}
		yfs = append(yfs, yf)
	}
	return newCalendar(yfs)
}

// EmbeddedFiles returns the embedded holiday files by base name, for tools
// that want to show or compare them.
func EmbeddedFiles() map[string][]byte {
	out := map[string][]byte{}
	names, _ := fs.Glob(embedded, "holidays/*.yml")
	for _, n := range names {
		b, _ := embedded.ReadFile(n)
		out[path.Base(n)] = b
	}
	return out
}

// parseFile reads one year strictly. Walking the node tree (rather than
// decoding into a struct) gives every error its line, and rejects unknown keys
// at every level.
func parseFile(name string, b []byte) (*yearFile, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	errAt := func(n *yaml.Node, format string, args ...any) error {
		return fmt.Errorf("%s:%d: %s", name, n.Line, fmt.Sprintf(format, args...))
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, fmt.Errorf("%s: empty holiday file", name)
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, errAt(root, "want a mapping with year, holidays and working_weekends")
	}
	yf := &yearFile{name: name}
	var holidays, working *yaml.Node
	var yearNode *yaml.Node
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if seen[k.Value] {
			return nil, errAt(k, "key %q repeated", k.Value)
		}
		seen[k.Value] = true
		switch k.Value {
		case "year":
			yearNode = v
		case "holidays":
			holidays = v
		case "working_weekends":
			working = v
		default:
			return nil, errAt(k, "unknown key %q (want year, holidays, working_weekends)", k.Value)
		}
	}
	if yearNode == nil {
		return nil, errAt(root, "year is required")
	}
	y, err := strconv.Atoi(yearNode.Value)
	if yearNode.Kind != yaml.ScalarNode || err != nil || y < minYear || y > maxYear {
		return nil, errAt(yearNode, "year must be a year between %d and %d, got %q", minYear, maxYear, yearNode.Value)
	}
	yf.year = y
	if yf.holidays, err = parseDays(name, y, holidays, "holidays"); err != nil {
		return nil, err
	}
	if yf.working, err = parseDays(name, y, working, "working_weekends"); err != nil {
		return nil, err
	}
	off := map[int64]bool{}
	for _, h := range yf.holidays {
		if off[h.day] {
			return nil, fmt.Errorf("%s:%d: %s is listed twice", name, h.line, Wall(h.day * secondsPerDay).String()[:10])
		}
		off[h.day] = true
	}
	sw := map[int64]bool{}
	for _, h := range yf.working {
		wd := weekday(h.day)
		if wd != time.Saturday && wd != time.Sunday {
			return nil, fmt.Errorf("%s:%d: working weekend %s is a %s, not a Saturday or Sunday", name, h.line, Wall(h.day * secondsPerDay).String()[:10], wd)
		}
		if off[h.day] {
			return nil, fmt.Errorf("%s:%d: %s is both a holiday and a working weekend", name, h.line, Wall(h.day * secondsPerDay).String()[:10])
		}
		if sw[h.day] {
			return nil, fmt.Errorf("%s:%d: %s is listed twice", name, h.line, Wall(h.day * secondsPerDay).String()[:10])
		}
		sw[h.day] = true
	}
	return yf, nil
}

func parseDays(name string, year int, n *yaml.Node, key string) ([]dayEntry, error) {
	errAt := func(n *yaml.Node, format string, args ...any) error {
		return fmt.Errorf("%s:%d: %s: %s", name, n.Line, key, fmt.Sprintf(format, args...))
	}
	if n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, errAt(n, "want a list of {date, name}")
	}
	var out []dayEntry
	for _, it := range n.Content {
		if it.Kind != yaml.MappingNode {
			return nil, errAt(it, "want {date: YYYY-MM-DD, name: ...}")
		}
		e := dayEntry{line: it.Line}
		var date *yaml.Node
		for i := 0; i+1 < len(it.Content); i += 2 {
			k, v := it.Content[i], it.Content[i+1]
			switch k.Value {
			case "date":
				if date != nil {
					return nil, errAt(k, "date repeated")
				}
				date = v
			case "name":
				if v.Kind != yaml.ScalarNode {
					return nil, errAt(v, "name must be text")
				}
				e.name = v.Value
			default:
				return nil, errAt(k, "unknown key %q (want date, name)", k.Value)
			}
		}
		if date == nil {
			return nil, errAt(it, "date is required")
		}
		t, err := time.Parse(time.DateOnly, date.Value)
		if date.Kind != yaml.ScalarNode || err != nil {
			return nil, errAt(date, "date must be YYYY-MM-DD, got %q", date.Value)
		}
		if t.Year() != year {
			return nil, errAt(date, "%s is not in %d", date.Value, year)
		}
		if e.name == "" {
			return nil, errAt(it, "name is required (say why the day is off or worked)")
		}
		e.day = daysFromCivil(int64(t.Year()), int64(t.Month()), int64(t.Day()))
		out = append(out, e)
	}
	return out, nil
}
