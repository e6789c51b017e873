// Package promapi reads a Prometheus-compatible HTTP query API (Prometheus,
// VictoriaMetrics single or vmselect): instant and range queries, with
// bounded bodies and errors that never carry the URL's credentials.
//
// Reports read the stored history through it; it holds no govpulse
// knowledge beyond the API's shape.
package promapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// MaxBody bounds one answer: a report's queries ask for a province's
// agencies (hundreds of series), far below it; a store that sends more is
// refused instead of filling memory.
const MaxBody = 64 << 20

// Client queries one API base URL ("http://host:9090", a vmselect's
// "http://host:8481/select/0/prometheus").
type Client struct {
	base *url.URL
	// shown is the base URL as errors show it: credentials replaced.
	shown string
	user  *url.Userinfo
	http  *http.Client
}

// New returns a client of rawURL. Credentials in the URL ("user:pass@")
// are sent as basic auth and never appear in an error.
func New(rawURL string, timeout time.Duration) (*Client, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url's error quotes the input, which may hold a password.
		return nil, errors.New("cannot read the query API URL: want http(s)://host:port[/path]")
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("query API URL %s: want http(s)://host:port[/path]", u.Redacted())
	}
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	c := &Client{user: u.User, http: &http.Client{Timeout: timeout}}
	u.User = nil
	u.RawQuery, u.Fragment = "", ""
	u.Path = strings.TrimSuffix(u.Path, "/")
	c.base, c.shown = u, u.String()
	return c, nil
}

// String is the base URL without credentials.
func (c *Client) String() string { return c.shown }

// Sample is one series' value at one instant.
type Sample struct {
	Labels map[string]string
	Time   time.Time
	Value  float64
}

// Series is one series' values over a range.
type Series struct {
	Labels map[string]string
	Points []Point
}

// Point is one value of a range.
type Point struct {
	Time  time.Time
	Value float64
}

// Instant evaluates expr at at.
func (c *Client) Instant(ctx context.Context, expr string, at time.Time) ([]Sample, error) {
	form := url.Values{"query": {expr}, "time": {formatTime(at)}}
	body, err := c.post(ctx, "/api/v1/query", form)
	if err != nil {
		return nil, fmt.Errorf("query %q at %s: %w", expr, at.Format(time.RFC3339), err)
	}
	out, err := DecodeInstant(body)
	if err != nil {
		return nil, fmt.Errorf("query %q at %s from %s: %w", expr, at.Format(time.RFC3339), c.shown, err)
	}
	return out, nil
}

// Range evaluates expr from start to end every step.
func (c *Client) Range(ctx context.Context, expr string, start, end time.Time, step time.Duration) ([]Series, error) {
	if step <= 0 || end.Before(start) {
		return nil, fmt.Errorf("range query %q: want start ≤ end and a positive step", expr)
	}
	form := url.Values{"query": {expr}, "start": {formatTime(start)}, "end": {formatTime(end)},
		"step": {strconv.FormatFloat(step.Seconds(), 'f', -1, 64)}}
	body, err := c.post(ctx, "/api/v1/query_range", form)
	if err != nil {
		return nil, fmt.Errorf("range query %q: %w", expr, err)
	}
	out, err := DecodeRange(body)
	if err != nil {
		return nil, fmt.Errorf("range query %q from %s: %w", expr, c.shown, err)
	}
	return out, nil
}

func formatTime(t time.Time) string {
	return strconv.FormatFloat(float64(t.UnixMilli())/1e3, 'f', 3, 64)
}

// Get fetches path (e.g. a daemon's "/metrics") with the client's
// credentials and returns the body of a 200 answer, bounded by limit bytes.
func (c *Client) Get(ctx context.Context, path string, limit int64) ([]byte, error) {
	u := *c.base
	u.Path += path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("cannot build the request to %s: %w", c.shown, err)
	}
	if c.user != nil {
		pass, _ := c.user.Password()
		req.SetBasicAuth(c.user.Username(), pass)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("cannot reach %s: %w", c.shown, scrub(err))
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s%s answered %s", c.shown, path, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read the answer of %s%s: %w", c.shown, path, scrub(err))
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("the answer of %s%s is over %d MiB", c.shown, path, limit>>20)
	}
	return body, nil
}

// post sends form to path and returns the body of a 2xx answer, or an
// error with the API's own message.
func (c *Client) post(ctx context.Context, path string, form url.Values) ([]byte, error) {
	u := *c.base
	u.Path += path
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("cannot build the request to %s: %w", c.shown, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if c.user != nil {
		pass, _ := c.user.Password()
		req.SetBasicAuth(c.user.Username(), pass)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("cannot reach %s: %w", c.shown, scrub(err))
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read the answer of %s: %w", c.shown, scrub(err))
	}
	if len(body) > MaxBody {
		return nil, fmt.Errorf("the answer of %s is over %d MiB", c.shown, MaxBody>>20)
	}
	if resp.StatusCode/100 != 2 {
		// Prometheus answers 400/422/503 with its JSON error body.
		if msg := apiError(body); msg != "" {
			return nil, fmt.Errorf("%s answered %s: %s", c.shown, resp.Status, msg)
		}
		return nil, fmt.Errorf("%s answered %s", c.shown, resp.Status)
	}
	return body, nil
}

// scrub drops the URL (which url.Error quotes) from a transport error.
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func apiError(body []byte) string {
	var e envelope
	if json.Unmarshal(body, &e) != nil || e.Status != "error" {
		return ""
	}
	return strings.TrimSpace(e.ErrorType + ": " + e.Error)
}

type envelope struct {
	Status    string          `json:"status"`
	ErrorType string          `json:"errorType"`
	Error     string          `json:"error"`
	Data      json.RawMessage `json:"data"`
}

type data struct {
	ResultType string          `json:"resultType"`
	Result     json.RawMessage `json:"result"`
}

type rawSample struct {
	Metric map[string]string   `json:"metric"`
	Value  []json.RawMessage   `json:"value"`
	Values [][]json.RawMessage `json:"values"`
}

func open(body []byte, want ...string) (data, error) {
	var e envelope
	if err := json.Unmarshal(body, &e); err != nil {
		return data{}, fmt.Errorf("the answer is not the query API's JSON: %w", err)
	}
	if e.Status != "success" {
		if e.Status == "error" {
			return data{}, fmt.Errorf("query failed: %s: %s", e.ErrorType, e.Error)
		}
		return data{}, fmt.Errorf("the answer's status is %q, want success", e.Status)
	}
	var d data
	if err := json.Unmarshal(e.Data, &d); err != nil {
		return data{}, fmt.Errorf("the answer's data: %w", err)
	}
	for _, w := range want {
		if d.ResultType == w {
			return d, nil
		}
	}
	return data{}, fmt.Errorf("the answer's result type is %q, want %s", d.ResultType, strings.Join(want, " or "))
}

// DecodeInstant reads an instant query's answer: a vector, or a scalar
// (one sample without labels).
func DecodeInstant(body []byte) ([]Sample, error) {
	d, err := open(body, "vector", "scalar")
	if err != nil {
		return nil, err
	}
	if d.ResultType == "scalar" {
		var pair []json.RawMessage
		if err := json.Unmarshal(d.Result, &pair); err != nil {
			return nil, fmt.Errorf("the scalar result: %w", err)
		}
		t, v, err := point(pair)
		if err != nil {
			return nil, fmt.Errorf("the scalar result: %w", err)
		}
		return []Sample{{Labels: map[string]string{}, Time: t, Value: v}}, nil
	}
	var raw []rawSample
	if err := json.Unmarshal(d.Result, &raw); err != nil {
		return nil, fmt.Errorf("the vector result: %w", err)
	}
	out := make([]Sample, 0, len(raw))
	for i, r := range raw {
		t, v, err := point(r.Value)
		if err != nil {
			return nil, fmt.Errorf("sample %d: %w", i, err)
		}
		out = append(out, Sample{Labels: labels(r.Metric), Time: t, Value: v})
	}
	return out, nil
}

// DecodeRange reads a range query's answer: a matrix.
func DecodeRange(body []byte) ([]Series, error) {
	d, err := open(body, "matrix")
	if err != nil {
		return nil, err
	}
	var raw []rawSample
	if err := json.Unmarshal(d.Result, &raw); err != nil {
		return nil, fmt.Errorf("the matrix result: %w", err)
	}
	out := make([]Series, 0, len(raw))
	for i, r := range raw {
		s := Series{Labels: labels(r.Metric), Points: make([]Point, 0, len(r.Values))}
		for j, p := range r.Values {
			t, v, err := point(p)
			if err != nil {
				return nil, fmt.Errorf("series %d, point %d: %w", i, j, err)
			}
			s.Points = append(s.Points, Point{t, v})
		}
		out = append(out, s)
	}
	return out, nil
}

func labels(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// point reads [unix seconds, "value"].
func point(pair []json.RawMessage) (time.Time, float64, error) {
	if len(pair) != 2 {
		return time.Time{}, 0, fmt.Errorf("a value is [time, \"number\"], got %d elements", len(pair))
	}
	var sec float64
	if err := json.Unmarshal(pair[0], &sec); err != nil || math.IsNaN(sec) || math.IsInf(sec, 0) {
		return time.Time{}, 0, fmt.Errorf("the time %s is not a number", truncate(pair[0]))
	}
	var s string
	if err := json.Unmarshal(pair[1], &s); err != nil {
		return time.Time{}, 0, fmt.Errorf("the value %s is not a quoted number", truncate(pair[1]))
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return time.Time{}, 0, fmt.Errorf("the value %q is not a number", truncateS(s))
	}
	whole, frac := math.Modf(sec)
	return time.Unix(int64(whole), int64(math.Round(frac*1e3))*int64(time.Millisecond)).UTC(), v, nil
}

func truncate(b []byte) string { return truncateS(string(b)) }

func truncateS(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
