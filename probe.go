package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// defaultProbeURL is serve's health endpoint on its default port.
const defaultProbeURL = "http://127.0.0.1:9470/-/healthy"

// runProbe is the container health check: the distroless image has no shell,
// curl or wget, so the binary itself asks an address for a 2xx answer and
// exits non-zero otherwise (the compose file and the Dockerfile's
// HEALTHCHECK call it).
func runProbe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("probe", stderr)
	url := fs.String("url", defaultProbeURL, "address to GET: any 2xx answer is healthy (serve and simulate both answer /-/healthy)")
	timeout := fs.Duration("timeout", 5*time.Second, "give up after this long")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *url, nil)
	if err != nil {
		return fmt.Errorf("--url: %w", err)
	}
	// No proxy from the environment: the probe asks the container itself.
	client := &http.Client{Transport: &http.Transport{}}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }() // read-only request: nothing to report
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s answered %s", *url, resp.Status)
	}
	fmt.Fprintf(stdout, "%s: %s\n", *url, resp.Status)
	return nil
}
