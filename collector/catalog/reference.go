package catalog

import (
	"fmt"
	"strings"
)

// Reference renders the metric catalogue as a Markdown table: the README's
// metric reference is this output, checked by a test.
func Reference() string {
	var b strings.Builder
	b.WriteString("| metric | type | labels | description |\n|---|---|---|---|\n")
	for _, m := range All() {
		labels := make([]string, len(m.Labels))
		for i, l := range m.Labels {
			labels[i] = "`" + l + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", m.Name, m.Kind, strings.Join(labels, ", "), strings.ReplaceAll(m.Help, "|", "\\|"))
	}
	return b.String()
}
