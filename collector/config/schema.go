package config

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// schemaProblems walks the YAML tree against Config's Go type and reports
// every key Config has no field for and every value of the wrong kind, in
// the user's words and with its line. yaml.v3 alone stops at the first
// kind of error, names Go types ("!!str into time.Duration") and silently
// truncates 20.9 into an int; this pass reports every such value, and the
// rest of the file is still validated.
func schemaProblems(root *yaml.Node) []Problem {
	var probs []Problem
	if root.Kind == 0 {
		return nil // an empty file: validate says it has no sources
	}
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil
		}
		root = root.Content[0]
	}
	walk(root, reflect.TypeFor[Config](), "", &probs)
	return probs
}

var (
	durationType    = reflect.TypeFor[time.Duration]()
	unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()
)

func walk(n *yaml.Node, t reflect.Type, path string, probs *[]Problem) {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Tag == "!!null" || reflect.PointerTo(t).Implements(unmarshalerType) {
		return // null is the zero value; custom unmarshalers check themselves
	}
	bad := func(format string, args ...any) {
		*probs = append(*probs, Problem{Line: n.Line, Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	if msg := kindProblem(n, t); msg != "" {
		bad("%s", msg)
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		walkStruct(n, t, path, probs)
	case reflect.Slice:
		for i, e := range n.Content {
			walk(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i), probs)
		}
	case reflect.Map:
		for i := 0; i+1 < len(n.Content); i += 2 {
			walk(n.Content[i+1], t.Elem(), join(path, n.Content[i].Value), probs)
		}
	}
}

// kindProblem says why n cannot be a value of type t, or "".
func kindProblem(n *yaml.Node, t reflect.Type) string {
	got := shown(n)
	switch {
	case t == durationType:
		if n.Kind != yaml.ScalarNode {
			return "must be a duration such as 30s, 5m or 1h, got " + got
		}
		if _, err := time.ParseDuration(n.Value); err != nil {
			return "must be a duration such as 30s, 5m or 1h, got " + got
		}
		return ""
	case t.Kind() == reflect.Struct, t.Kind() == reflect.Map:
		if n.Kind != yaml.MappingNode {
			return "must be a block of keys and values, got " + got
		}
	case t.Kind() == reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return "must be a list, got " + got
		}
	case n.Kind != yaml.ScalarNode:
		return "must be a single value, got " + got
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if !whole(n) {
			return "must be a whole number, got " + got
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if !whole(n) || strings.HasPrefix(n.Value, "-") {
			return "must be a whole number of at least 0, got " + got
		}
	case reflect.Float32, reflect.Float64:
		if n.Tag != "!!int" && n.Tag != "!!float" {
			return "must be a number, got " + got
		}
	case reflect.Bool:
		if n.Tag != "!!bool" {
			return "must be true or false, got " + got
		}
	}
	return ""
}

// whole reports whether a scalar is an integer (1e3 is; 20.9 is not).
func whole(n *yaml.Node) bool {
	switch n.Tag {
	case "!!int":
		return true
	case "!!float":
		f, err := strconv.ParseFloat(n.Value, 64)
		return err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53
	}
	return false
}

// shown is a value as the user wrote it, for messages.
func shown(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a block of keys"
	case yaml.SequenceNode:
		return "a list"
	}
	if n.Tag == "!!str" {
		return strconv.Quote(n.Value)
	}
	return n.Value
}

func walkStruct(n *yaml.Node, t reflect.Type, path string, probs *[]Problem) {
	fields := yamlFields(t)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		f, ok := fields[k.Value]
		if !ok {
			*probs = append(*probs, Problem{Line: k.Line, Path: join(path, k.Value), Msg: unknownKey(k.Value, fields)})
			continue
		}
		walk(v, f.Type, join(path, k.Value), probs)
	}
}

// unknownKey names the keys that are allowed here, and the likely one.
func unknownKey(key string, fields map[string]reflect.StructField) string {
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names)
	msg := fmt.Sprintf("unknown key %q", key)
	best, bestD := "", 3
	for _, name := range names {
		if d := editDistance(key, name); d < bestD {
			best, bestD = name, d
		}
	}
	if best != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", best)
	}
	return msg + "; known here: " + strings.Join(names, ", ")
}

// yamlFields maps a struct's YAML keys to its fields, following inline ones.
func yamlFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		switch {
		case tag == "-" || !f.IsExported():
			continue
		case strings.Contains(opts, "inline"):
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			for k, v := range yamlFields(ft) {
				out[k] = v
			}
			continue
		case name == "":
			name = strings.ToLower(f.Name)
		}
		out[name] = f
	}
	return out
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// editDistance is the Levenshtein distance of two short keys.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
