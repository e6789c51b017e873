package main

import (
	"bytes"
	"context"
	"runtime/debug"
	"strings"
	"testing"
)

// Every command's --help lists each of its flags with its default, and no
// flag value's String panics (promslog's zero Level did); --version works
// everywhere.
func TestHelpAndVersion(t *testing.T) {
	var top bytes.Buffer
	if err := run(context.Background(), []string{"--help"}, &top, &top); err != nil {
		t.Fatal(err)
	}
	for name := range commands {
		if !strings.Contains(top.String(), "  "+name+" ") {
			t.Errorf("govpulse --help does not list %s:\n%s", name, top.String())
		}
		var out, errw bytes.Buffer
		if err := run(context.Background(), []string{name, "--help"}, &out, &errw); err != nil {
			t.Errorf("%s --help: %v", name, err)
		}
		help := out.String() + errw.String()
		if strings.Contains(help, "panic") {
			t.Errorf("%s --help panics:\n%s", name, help)
		}
		for _, want := range []string{"usage: govpulse " + name, "--version=false", "--help"} {
			if !strings.Contains(help, want) {
				t.Errorf("%s --help lacks %q:\n%s", name, want, help)
			}
		}
		for _, line := range strings.Split(help, "\n") {
			if strings.HasPrefix(line, "  --") && line != "  --help" && !strings.Contains(line, "=") {
				t.Errorf("%s --help: flag without its default: %q", name, line)
			}
		}
		out.Reset()
		if err := run(context.Background(), []string{name, "--version"}, &out, &errw); err != nil || !strings.HasPrefix(out.String(), "govpulse "+Version+" (revision ") {
			t.Errorf("%s --version = %q, %v", name, out.String(), err)
		}
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"serve", "--help"}, &out, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`--log.level="info"`, `--web.listen-address=":9470"`, `--demo.seed=47`, `--demo=false`, `--demo.time=`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("serve --help lacks %q:\n%s", want, out.String())
		}
	}
}

func TestVCSRevision(t *testing.T) {
	bi := func(kv ...string) *debug.BuildInfo {
		b := &debug.BuildInfo{}
		for i := 0; i < len(kv); i += 2 {
			b.Settings = append(b.Settings, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return b
	}
	for _, c := range []struct {
		bi   *debug.BuildInfo
		ok   bool
		want string
	}{
		{nil, false, "unknown"},
		{bi(), true, "unknown"},
		{bi("vcs.revision", "abc123", "vcs.modified", "false"), true, "abc123"},
		{bi("vcs.revision", "abc123", "vcs.modified", "true"), true, "abc123-dirty"},
	} {
		if got := vcsRevision(c.bi, c.ok); got != c.want {
			t.Errorf("vcsRevision(%v) = %q, want %q", c.bi, got, c.want)
		}
	}
}
