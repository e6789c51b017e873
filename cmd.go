package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/prometheus/common/promslog"
)

// Version and Revision may be set at build time with -ldflags -X; a binary
// built from a git checkout without them reports the VCS revision Go stamped.
var (
	Version  = "0.1.0-dev"
	Revision = ""
)

// revision is Revision, or the VCS revision Go records in binaries built
// from a git checkout (with "-dirty" for uncommitted changes), or "unknown".
func revision() string {
	if Revision != "" {
		return Revision
	}
	return vcsRevision(debug.ReadBuildInfo())
}

func vcsRevision(bi *debug.BuildInfo, ok bool) string {
	if !ok {
		return "unknown"
	}
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	switch {
	case rev == "":
		return "unknown"
	case dirty:
		return rev + "-dirty"
	}
	return rev
}

func versionLine() string {
	return fmt.Sprintf("govpulse %s (revision %s)", Version, revision())
}

// commands are the subcommands; summaries says what each does (apart, so
// that a command's usage can quote it without an initialisation cycle).
var commands = map[string]func(ctx context.Context, args []string, stdout, stderr io.Writer) error{
	"serve":    runServe,
	"simulate": runSimulate,
	"check":    runCheck,
	"backfill": runBackfill,
	"generate": runGenerate,
	"probe":    runProbe,
	"sizing":   runSizing,
	"report":   runReport,
}

var summaries = map[string]string{
	"serve":    "run the daemon: collect on schedule and serve /metrics (--demo: the built-in simulated province)",
	"simulate": "serve the simulated province's upstream APIs alone (for the compose stack and tests)",
	"check":    "validate a config file and exit",
	"backfill": "write the one-stop report's history (past months) as OpenMetrics or for VictoriaMetrics' import",
	"generate": "write the Prometheus rules, Alertmanager and Prometheus examples (and dashboards) into --out",
	"probe":    "GET a health endpoint and exit non-zero unless it answers 2xx (the container health check)",
	"sizing":   "measure the demo province's series and extrapolate series and ingestion to many provinces",
	"report":   "write the standard one-stop table of a period (xlsx, csv) from the stored history, or the current one from the daemon",
}

// errVersion is returned by parseFlags for --version: run prints the version.
var errVersion = errors.New("version requested")

// run is main without the process: tests call it with their own context,
// arguments and output.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" || args[0] == "help" {
		usage(stdout)
		return nil
	}
	if args[0] == "--version" || args[0] == "-version" || args[0] == "version" {
		fmt.Fprintln(stdout, versionLine())
		return nil
	}
	c, ok := commands[args[0]]
	if !ok {
		usage(stderr)
		return fmt.Errorf("unknown command %q", args[0])
	}
	err := c(ctx, args[1:], stdout, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return nil
	case errors.Is(err, errVersion):
		fmt.Fprintln(stdout, versionLine())
		return nil
	}
	return err
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: govpulse <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(summaries))
	for n := range summaries {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, summaries[n])
	}
	fmt.Fprintln(w, "\nflags:\n  --help     this text\n  --version  print the version and exit")
	fmt.Fprintln(w, "\nRun 'govpulse <command> --help' for its flags.")
}

// logFlags are the promslog flags every long-running command takes.
type logFlags struct {
	level  *promslog.Level
	format *promslog.Format
}

// textFlag adapts a promslog flag value, whose zero value panics in String
// (flag's usage printer calls String on a zero value to find the default).
type textFlag struct {
	v interface {
		Set(string) error
		String() string
	}
}

func (f *textFlag) String() string {
	if f == nil || f.v == nil {
		return ""
	}
	return f.v.String()
}

func (f *textFlag) Set(s string) error { return f.v.Set(s) }

func addLogFlags(fs *flag.FlagSet) logFlags {
	lf := logFlags{level: promslog.NewLevel(), format: promslog.NewFormat()}
	if err := lf.level.Set("info"); err != nil {
		panic("BUG: " + err.Error())
	}
	if err := lf.format.Set("logfmt"); err != nil {
		panic("BUG: " + err.Error())
	}
	fs.Var(&textFlag{lf.level}, "log.level", "log level: debug, info, warn, error")
	fs.Var(&textFlag{lf.format}, "log.format", "log format: logfmt, json")
	return lf
}

func (lf logFlags) logger(w io.Writer) *slog.Logger {
	return promslog.New(&promslog.Config{Level: lf.level, Format: lf.format, Writer: w})
}

// newFlagSet returns a subcommand's flag set; every subcommand takes
// --version, and its usage lists every flag with its default.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("govpulse "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Bool("version", false, "print the version and exit")
	fs.Usage = func() { printUsage(fs, name) }
	return fs
}

// printUsage lists every flag the Prometheus way (--name=default), the
// default always shown, booleans and empty strings included.
func printUsage(fs *flag.FlagSet, name string) {
	w := fs.Output()
	fmt.Fprintf(w, "usage: govpulse %s [flags]\n\n%s\n\nflags:\n", name, summaries[name])
	fs.VisitAll(func(f *flag.Flag) {
		def := f.DefValue
		if _, text := f.Value.(*textFlag); text || fmt.Sprintf("%T", f.Value) == "*flag.stringValue" {
			def = fmt.Sprintf("%q", def)
		}
		fmt.Fprintf(w, "  --%s=%s\n      %s\n", f.Name, def, f.Usage)
	})
	fmt.Fprintln(w, "  --help\n      this text")
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if v := fs.Lookup("version"); v != nil && v.Value.String() == "true" {
		return errVersion
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	return nil
}
