package onestop

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// formatPath writes p back in the syntax parsePath reads.
func formatPath(p path) string {
	var b strings.Builder
	for i, s := range p {
		if s.index >= 0 {
			b.WriteString("[" + strconv.Itoa(s.index) + "]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.key)
	}
	return b.String()
}

// FuzzParsePath feeds arbitrary column paths (the vendor mappings of
// testdata/*.yml are the seeds) and JSON bodies to parsePath and get: no
// panic, a parsed path written back parses to the same path, and get on any
// decoded body answers without panicking.
func FuzzParsePath(f *testing.F) {
	body, err := os.ReadFile(filepath.Join("testdata", "thirdvendor.json"))
	if err != nil {
		f.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "*.yml"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(b, &doc); err != nil {
			f.Fatal(err)
		}
		// Every scalar of the mapping files is a seed: the paths are among them.
		var walk func(n *yaml.Node)
		walk = func(n *yaml.Node) {
			if n.Kind == yaml.ScalarNode {
				f.Add(n.Value, body)
			}
			for _, c := range n.Content {
				walk(c)
			}
		}
		walk(&doc)
	}
	f.Add("data.items[0][1].code", []byte(`{"data":{"items":[[0,{"code":"x"}]]}}`))
	f.Add("[0].a..b[", []byte(`[{"a":1}]`))
	f.Add("a[99999999999999999999]", []byte(`{"a":[]}`))
	f.Fuzz(func(t *testing.T, s string, body []byte) {
		p, err := parsePath(s)
		if err != nil {
			return
		}
		q, err := parsePath(formatPath(p))
		if err != nil || !slices.Equal(p, q) {
			t.Fatalf("%q parses to %v, written back %q parses to %v (%v)", s, p, formatPath(p), q, err)
		}
		var v any
		if json.Unmarshal(body, &v) == nil {
			p.get(v)
		}
	})
}
