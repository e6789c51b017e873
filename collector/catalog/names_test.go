package catalog

import (
	"strings"
	"testing"
)

// TestEveryValueHasAName: every value of a label with a fixed list has a
// Vietnamese and an English name, so no board or notification shows a code.
// reason and definition are read by IT staff, who read the codes the
// runbooks explain.
func TestEveryValueHasAName(t *testing.T) {
	exempt := map[string]bool{LabelReason: true, LabelDefinition: true}
	for label, vs := range LabelValues {
		if len(vs.List) == 0 || exempt[label] {
			continue
		}
		for _, v := range vs.List {
			n, ok := ValueName(label, v)
			if !ok || n.Vi == "" || n.En == "" {
				t.Errorf("%s=%q has no name (%+v)", label, v, n)
			}
		}
	}
	for _, label := range NamedLabels() {
		if len(LabelValues[label].List) == 0 {
			t.Errorf("label %s has names but no list of values", label)
		}
	}
}

// TestLateIsQuaHan: the one term is the forms' quá hạn, and no name says
// the colloquial trễ hạn.
func TestLateIsQuaHan(t *testing.T) {
	if Late.Vi != "quá hạn" {
		t.Fatalf("late is %q", Late.Vi)
	}
	for _, label := range NamedLabels() {
		for v, n := range valueNames[label] {
			if strings.Contains(strings.ToLower(n.Vi), "trễ") {
				t.Errorf("%s=%s is named %q", label, v, n.Vi)
			}
		}
	}
	if got := (Name{"Cấp xã", "Communes"}).In("en"); got != "Communes" {
		t.Errorf("In(en) = %q", got)
	}
}
