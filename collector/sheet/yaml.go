package sheet

import (
	"errors"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// FirstLine is the line of the first node that has one (0 if none): a
// YAML record's position for its errors.
func FirstLine(nodes ...yaml.Node) int {
	for _, n := range nodes {
		if n.Line > 0 {
			return n.Line
		}
	}
	return 0
}

// YAMLLine takes yaml.v3's "yaml: line 12: msg" apart into the line (0 if
// the message has none) and the message.
func YAMLLine(err error) (int, string) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, after, ok := strings.Cut(rest, ": "); ok {
			if line, err := strconv.Atoi(n); err == nil {
				return line, after
			}
		}
	}
	return 0, msg
}
