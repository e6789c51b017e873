package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDocCitations: every "domain.md §N" or "design.md §N" a Go file cites
// is a section of the repository's own docs/.
func TestDocCitations(t *testing.T) {
	cite := regexp.MustCompile(`(domain|design)\.md §(\d+)((?:, §\d+)*)`)
	sections := map[string]string{}
	for _, doc := range []string{"domain", "design"} {
		b, err := os.ReadFile(filepath.Join("docs", doc+".md"))
		if err != nil {
			t.Fatal(err)
		}
		sections[doc] = string(b)
	}
	n := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range cite.FindAllStringSubmatch(string(b), -1) {
			nums := append([]string{m[2]}, regexp.MustCompile(`\d+`).FindAllString(m[3], -1)...)
			for _, num := range nums {
				n++
				if !strings.Contains(sections[m[1]], "\n## "+num+". ") {
					t.Errorf("%s cites %s.md §%s, which docs/%s.md does not have", path, m[1], num, m[1])
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 20 {
		t.Errorf("only %d citations found: is the pattern right?", n)
	}
}
