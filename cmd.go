package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"

	"github.com/prometheus/common/promslog"
)

// Version and Revision are set at build time with -ldflags -X.
var (
	Version  = "0.1.0-dev"
	Revision = "unknown"
)

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{
	"serve":    {"run the daemon: collect on schedule and serve /metrics (--demo: the built-in simulated province)", runServe},
	"simulate": {"serve the simulated province's upstream APIs alone (for the compose stack and tests)", runSimulate},
	"check":    {"validate a config file and exit", runCheck},
	"backfill": {"write the one-stop report's history (past months) as OpenMetrics or for VictoriaMetrics' import", runBackfill},
	"generate": {"write the Prometheus rules, Alertmanager and Prometheus examples (and dashboards) into --out", runGenerate},
}

// run is main without the process: tests call it with their own context,
// arguments and output.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		return nil
	}
	if args[0] == "--version" || args[0] == "version" {
		fmt.Fprintf(stdout, "govpulse %s (revision %s)\n", Version, Revision)
		return nil
	}
	c, ok := commands[args[0]]
	if !ok {
		usage(stderr)
		return fmt.Errorf("unknown command %q", args[0])
	}
	err := c.run(ctx, args[1:], stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: govpulse <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'govpulse <command> --help' for its flags.")
}

// logFlags are the promslog flags every long-running command takes.
type logFlags struct {
	level  *promslog.Level
	format *promslog.Format
}

func addLogFlags(fs *flag.FlagSet) logFlags {
	lf := logFlags{level: promslog.NewLevel(), format: promslog.NewFormat()}
	_ = lf.level.Set("info")
	_ = lf.format.Set("logfmt")
	fs.Var(lf.level, "log.level", "log level: debug, info, warn, error")
	fs.Var(lf.format, "log.format", "log format: logfmt, json")
	return lf
}

func (lf logFlags) logger(w io.Writer) *slog.Logger {
	return promslog.New(&promslog.Config{Level: lf.level, Format: lf.format, Writer: w})
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("govpulse "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	return nil
}
