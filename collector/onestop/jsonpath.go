package onestop

import (
	"fmt"
	"strconv"
	"strings"
)

// path is a parsed JSON path: object keys and array indexes, e.g.
// "data.items[0].code". Keys with dots cannot be addressed; no vendor seen
// needs them.
type path []step

type step struct {
	key   string
	index int // -1 for a key step
}

func parsePath(s string) (path, error) {
	if s == "" {
		return nil, nil
	}
	var p path
	for _, part := range strings.Split(s, ".") {
		key, rest, _ := strings.Cut(part, "[")
		if key == "" && rest == "" {
			return nil, fmt.Errorf("empty segment in path %q", s)
		}
		if key != "" {
			p = append(p, step{key: key, index: -1})
		}
		for rest != "" {
			num, after, ok := strings.Cut(rest, "]")
			n, err := strconv.Atoi(num)
			if !ok || err != nil || n < 0 {
				return nil, fmt.Errorf("bad index in path %q", s)
			}
			p = append(p, step{index: n})
			rest = strings.TrimPrefix(after, "[")
			if after != "" && !strings.HasPrefix(after, "[") {
				return nil, fmt.Errorf("bad index in path %q", s)
			}
		}
	}
	return p, nil
}

// get walks v (as decoded by encoding/json) along p.
func (p path) get(v any) (any, bool) {
	for _, s := range p {
		if s.index < 0 {
			m, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			if v, ok = m[s.key]; !ok {
				return nil, false
			}
			continue
		}
		a, ok := v.([]any)
		if !ok || s.index >= len(a) {
			return nil, false
		}
		v = a[s.index]
	}
	return v, true
}
