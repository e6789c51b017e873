package simulate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Schema names the standard report's JSON shape.
const Schema = "govpulse.report/v1"

// Paths of the data endpoints.
const (
	StandardPath = "/govpulse/v1/report"
	IGatePath    = "/igate/pa/dossier-statistic/agency-sector"
)

// Paging limits of both layouts.
const (
	DefaultPageSize      = 1000
	DefaultIGatePageSize = 200
	MaxPageSize          = 5000
	// maxRangeDays bounds the work one request may ask for: a year and a bit.
	maxRangeDays = 400
)

// Fault modes of the data endpoints.
const (
	FaultNone      = "none"
	FaultError500  = "error500"
	FaultError429  = "error429"
	FaultMalformed = "malformed" // 200 with a truncated JSON body
	FaultHuge      = "huge"      // 200 streaming HugeBodyBytes of padding inside a JSON string
)

// HugeBodyBytes is the size of the padding the huge fault streams: well above
// the 64 MiB default response cap of govpulse's HTTP client.
const HugeBodyBytes = 100 << 20

// Faults steer the data endpoints (not /-/*). The JSON form writes durations
// as Go duration strings: {"mode":"error429","latency":"250ms","error_rate":0.1,"retry_after":"1s"}.
type Faults struct {
	// Mode is one of the Fault* modes; "" means none.
	Mode string
	// Latency delays every data response (a cancelled request stops waiting).
	Latency time.Duration
	// ErrorRate in [0, 1] is the share of data requests answered with a 500,
	// drawn from a seeded sequence so a run is repeatable.
	ErrorRate float64
	// RetryAfter is sent with error429, rounded up to seconds (default 1s).
	RetryAfter time.Duration
}

type faultsJSON struct {
	Mode       string  `json:"mode"`
	Latency    string  `json:"latency,omitempty"`
	ErrorRate  float64 `json:"error_rate"`
	RetryAfter string  `json:"retry_after,omitempty"`
}

// MarshalJSON writes durations as strings ("250ms").
func (f Faults) MarshalJSON() ([]byte, error) {
	j := faultsJSON{Mode: f.Mode, ErrorRate: f.ErrorRate}
	if j.Mode == "" {
		j.Mode = FaultNone
	}
	if f.Latency != 0 {
		j.Latency = f.Latency.String()
	}
	if f.RetryAfter != 0 {
		j.RetryAfter = f.RetryAfter.String()
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads durations as strings ("250ms"); unknown keys are errors.
func (f *Faults) UnmarshalJSON(b []byte) error {
	var j faultsJSON
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return err
	}
	out := Faults{Mode: j.Mode, ErrorRate: j.ErrorRate}
	var err error
	if j.Latency != "" {
		if out.Latency, err = time.ParseDuration(j.Latency); err != nil {
			return fmt.Errorf("latency: %w", err)
		}
	}
	if j.RetryAfter != "" {
		if out.RetryAfter, err = time.ParseDuration(j.RetryAfter); err != nil {
			return fmt.Errorf("retry_after: %w", err)
		}
	}
	*f = out
	return nil
}

// Validate reports whether the faults make sense.
func (f Faults) Validate() error {
	switch f.Mode {
	case "", FaultNone, FaultError500, FaultError429, FaultMalformed, FaultHuge:
	default:
		return fmt.Errorf("mode %q is not one of none, error500, error429, malformed, huge", f.Mode)
	}
	switch {
	case f.Latency < 0 || f.Latency > 10*time.Minute:
		return fmt.Errorf("latency %v is not in 0..10m", f.Latency)
	case !(f.ErrorRate >= 0 && f.ErrorRate <= 1):
		return fmt.Errorf("error_rate %v is not in 0..1", f.ErrorRate)
	case f.RetryAfter < 0 || f.RetryAfter > time.Hour:
		return fmt.Errorf("retry_after %v is not in 0..1h", f.RetryAfter)
	}
	return nil
}

// SetFaults replaces the current faults; invalid faults are refused.
func (s *Sim) SetFaults(f Faults) error {
	if err := f.Validate(); err != nil {
		return err
	}
	if f.Mode == "" {
		f.Mode = FaultNone
	}
	s.mu.Lock()
	s.faults = f
	s.mu.Unlock()
	return nil
}

// CurrentFaults returns the faults in force.
func (s *Sim) CurrentFaults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults
}

// Handler serves the data endpoints and the /-/ controls (see the package doc).
func (s *Sim) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+StandardPath, s.data(s.serveStandard))
	mux.HandleFunc("GET "+IGatePath, s.data(s.serveIGate))
	mux.HandleFunc("GET /-/healthy", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "OK\n")
	})
	mux.HandleFunc("GET /-/faults", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, s.CurrentFaults())
	})
	mux.HandleFunc("POST /-/faults", func(w http.ResponseWriter, r *http.Request) {
		var f Faults
		if err := readJSON(w, r, &f); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		if err := s.SetFaults(f); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, s.CurrentFaults())
	})
	mux.HandleFunc("GET /-/late", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"overrides": s.LateShareOverrides()})
	})
	mux.HandleFunc("POST /-/late", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Agency    string   `json:"agency"`
			LateShare *float64 `json:"late_share"`
		}
		if err := readJSON(w, r, &req); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		if req.LateShare == nil {
			writeError(w, http.StatusBadRequest, "late_share is required (a negative value clears the override)")
			return
		}
		if err := s.SetLateShare(req.Agency, *req.LateShare); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"overrides": s.LateShareOverrides()})
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "govpulse simulated province\n\n"+
			"GET  "+StandardPath+"?period=month&from=2026-11-01&to=2026-11-22&page=1&page_size=1000\n"+
			"GET  "+IGatePath+"?from-date=2026-11-01T00:00:00&to-date=2026-11-22T23:59:59&page=0&size=200\n"+
			"GET  /-/healthy\nGET|POST /-/faults\nGET|POST /-/late\n")
	})
	s.portalRoutes(mux)
	s.vneidRoutes(mux)
	s.feedRoutes(mux)
	return mux
}

// fault applies the latency, error-rate and error-status knobs to a data
// request; it reports whether it answered the request.
func (s *Sim) fault(w http.ResponseWriter, r *http.Request) bool {
	f := s.CurrentFaults()
	n := s.requests.Add(1)
	if f.Latency > 0 {
		t := time.NewTimer(f.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			writeError(w, http.StatusServiceUnavailable, "request cancelled")
			return true
		}
	}
	if f.ErrorRate > 0 && frac(mix(s.seed^0xfa17^n*0x9e3779b97f4a7c15)) < f.ErrorRate {
		writeError(w, http.StatusInternalServerError, "simulated internal error")
		return true
	}
	switch f.Mode {
	case FaultError500:
		writeError(w, http.StatusInternalServerError, "simulated internal error")
		return true
	case FaultError429:
		ra := f.RetryAfter
		if ra <= 0 {
			ra = time.Second
		}
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(ra.Seconds()))))
		writeError(w, http.StatusTooManyRequests, "simulated rate limit")
		return true
	}
	return false
}

// page is one layout's answer for a valid request: the rows of one page and
// how to render them.
type page struct {
	rows  []Row
	total int // rows over all pages
	// render writes the page's JSON; hugePrefix starts a valid-looking body of
	// the same layout for the huge fault.
	render     func(rows []Row, total int) any
	hugePrefix string
}

// data wraps a data endpoint with the fault knobs. Validation errors are
// answered after latency and injected errors, as a struggling upstream would.
func (s *Sim) data(parse func(r *http.Request) (*page, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.fault(w, r) {
			return
		}
		f := s.CurrentFaults()
		p, err := parse(r)
		if err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		switch f.Mode {
		case FaultHuge:
			streamHuge(r.Context(), w, p.hugePrefix)
			return
		case FaultMalformed:
			b, _ := json.Marshal(p.render(p.rows, p.total))
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(b[:len(b)/2])
			return
		}
		writeJSON(w, http.StatusOK, p.render(p.rows, p.total))
	}
}

// streamHuge writes prefix, HugeBodyBytes of padding and a closing `"}`
// without holding the body in memory, and stops as soon as the client goes away.
func streamHuge(ctx context.Context, w http.ResponseWriter, prefix string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	if _, err := io.WriteString(w, prefix); err != nil {
		return
	}
	chunk := []byte(strings.Repeat("x", 64<<10))
	for sent := 0; sent < HugeBodyBytes; sent += len(chunk) {
		if ctx.Err() != nil {
			return
		}
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
	_, _ = io.WriteString(w, `"}`)
}

// query checks that r's query has only the allowed keys, each at most once.
func query(r *http.Request, allowed ...string) (map[string]string, error) {
	q := r.URL.Query()
	out := make(map[string]string, len(q))
	for k, v := range q {
		if !slices.Contains(allowed, k) {
			return nil, fmt.Errorf("unknown query parameter %q (allowed: %s)", k, strings.Join(allowed, ", "))
		}
		if len(v) != 1 {
			return nil, fmt.Errorf("query parameter %q given %d times", k, len(v))
		}
		out[k] = v[0]
	}
	return out, nil
}

func intParam(q map[string]string, name string, def, lo, hi int) (int, error) {
	v, ok := q[name]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s %q is not an integer in %d..%d", name, v, lo, hi)
	}
	return n, nil
}

// dateParam parses a required date in one of layouts, in ICT, keeping the date.
func dateParam(q map[string]string, name string, layouts ...string) (time.Time, error) {
	v, ok := q[name]
	if !ok {
		return time.Time{}, fmt.Errorf("%s is required", name)
	}
	for _, l := range layouts {
		if t, err := time.ParseInLocation(l, v, ICT); err == nil {
			y, m, d := t.Date()
			return time.Date(y, m, d, 0, 0, 0, 0, ICT), nil
		}
	}
	return time.Time{}, fmt.Errorf("%s %q is not a date like %s", name, v, layouts[0])
}

func dateRange(q map[string]string, fromName, toName string, layouts ...string) (time.Time, time.Time, error) {
	from, err := dateParam(q, fromName, layouts...)
	if err != nil {
		return from, from, err
	}
	to, err := dateParam(q, toName, layouts...)
	if err != nil {
		return from, to, err
	}
	switch days := civilDay(to) - civilDay(from); {
	case days < 0:
		return from, to, fmt.Errorf("%s %s is after %s %s", fromName, q[fromName], toName, q[toName])
	case days >= maxRangeDays:
		return from, to, fmt.Errorf("range of %d days is longer than %d", days+1, maxRangeDays)
	}
	return from, to, nil
}

func pageOf(rows []Row, page, size int) []Row {
	lo := min(len(rows), page*size)
	hi := min(len(rows), lo+size)
	return rows[lo:hi:hi]
}

type reportPage struct {
	Schema      string `json:"schema"`
	Period      string `json:"period"`
	From        string `json:"from"`
	To          string `json:"to"`
	GeneratedAt string `json:"generated_at"`
	Page        int    `json:"page"`
	Pages       int    `json:"pages"`
	Rows        []Row  `json:"rows"`
}

// serveStandard parses a standard report request. The period is validated
// and echoed; the numbers depend on the date range alone.
func (s *Sim) serveStandard(r *http.Request) (*page, error) {
	q, err := query(r, "period", "from", "to", "page", "page_size")
	if err != nil {
		return nil, err
	}
	period, ok := q["period"]
	if !ok {
		return nil, errors.New("period is required (month, quarter or year)")
	}
	if period != "month" && period != "quarter" && period != "year" {
		return nil, fmt.Errorf("period %q is not month, quarter or year", period)
	}
	from, to, err := dateRange(q, "from", "to", time.DateOnly)
	if err != nil {
		return nil, err
	}
	pg, err := intParam(q, "page", 1, 1, math.MaxInt32)
	if err != nil {
		return nil, err
	}
	size, err := intParam(q, "page_size", DefaultPageSize, 1, MaxPageSize)
	if err != nil {
		return nil, err
	}
	all := s.report(from, to)
	generated := s.now().In(ICT).Format(time.RFC3339)
	return &page{
		rows:  pageOf(all, pg-1, size),
		total: len(all),
		render: func(rows []Row, total int) any {
			if rows == nil {
				rows = []Row{}
			}
			return reportPage{
				Schema: Schema, Period: period,
				From: from.Format(time.DateOnly), To: to.Format(time.DateOnly),
				GeneratedAt: generated,
				Page:        pg, Pages: max(1, (total+size-1)/size),
				Rows: rows,
			}
		},
		hugePrefix: `{"schema":"` + Schema + `","period":"` + period + `","page":1,"pages":1,"rows":[],"padding":"`,
	}, nil
}

// iGate-like layout (Spring-style page, MongoDB-like ids, vendor sector codes).
type (
	igateRef struct {
		ID   string `json:"id"`
		Code string `json:"code"`
		Name string `json:"name"`
	}
	igateItem struct {
		Agency         igateRef `json:"agency"`
		Sector         igateRef `json:"sector"`
		PreviousPeriod int      `json:"previousPeriod"`
		Received       struct {
			Direct int `json:"direct"`
			Online int `json:"online"`
			Postal int `json:"postal"`
		} `json:"received"`
		Resolved struct {
			Early   int `json:"early"`
			OnTime  int `json:"onTime"`
			Overdue int `json:"overdue"`
		} `json:"resolved"`
		Unresolved struct {
			OnTime  int `json:"onTime"`
			Overdue int `json:"overdue"`
		} `json:"unresolved"`
		Cancelled             int `json:"cancelled"`
		AdditionalRequirement int `json:"additionalRequirement"`
	}
	igatePage struct {
		Content       []igateItem `json:"content"`
		TotalPages    int         `json:"totalPages"`
		Number        int         `json:"number"`
		Size          int         `json:"size"`
		TotalElements int         `json:"totalElements"`
	}
)

// mongoID derives a stable 24-hex id, as iGate's MongoDB ids look.
func mongoID(kind, code string) string {
	h := sha256.Sum256([]byte(kind + ":" + code))
	return hex.EncodeToString(h[:12])
}

// igateItem renders row r of a report whose units are those in force on day.
func (s *Sim) igateItem(r Row, day int64) igateItem {
	a := s.world.unitAt(r.Agency, day).Agency
	f := s.world.byField[r.Field]
	var it igateItem
	it.Agency = igateRef{ID: mongoID("agency", a.Code), Code: a.Code, Name: a.Name}
	it.Sector = igateRef{ID: mongoID("sector", f.Vendor), Code: f.Vendor, Name: f.Name}
	it.PreviousPeriod = r.CarriedOver
	it.Received.Direct, it.Received.Online, it.Received.Postal = r.Received.InPerson, r.Received.Online, r.Received.Postal
	it.Resolved.Early, it.Resolved.OnTime, it.Resolved.Overdue = r.Resolved.Early, r.Resolved.OnTime, r.Resolved.Late
	it.Unresolved.OnTime, it.Unresolved.Overdue = r.InProgress.NotDue, r.InProgress.Overdue
	it.Cancelled = r.Withdrawn
	it.AdditionalRequirement = r.AwaitingSupplement
	return it
}

func (s *Sim) serveIGate(r *http.Request) (*page, error) {
	q, err := query(r, "from-date", "to-date", "page", "size")
	if err != nil {
		return nil, err
	}
	from, to, err := dateRange(q, "from-date", "to-date", "2006-01-02T15:04:05", time.DateOnly)
	if err != nil {
		return nil, err
	}
	pg, err := intParam(q, "page", 0, 0, math.MaxInt32)
	if err != nil {
		return nil, err
	}
	size, err := intParam(q, "size", DefaultIGatePageSize, 1, MaxPageSize)
	if err != nil {
		return nil, err
	}
	all := s.report(from, to)
	day := s.reportDay(to)
	return &page{
		rows:  pageOf(all, pg, size),
		total: len(all),
		render: func(rows []Row, total int) any {
			items := make([]igateItem, len(rows))
			for i, r := range rows {
				items[i] = s.igateItem(r, day)
			}
			return igatePage{Content: items, TotalPages: (total + size - 1) / size, Number: pg, Size: size, TotalElements: total}
		},
		hugePrefix: `{"totalPages":1,"number":0,"size":` + strconv.Itoa(size) + `,"content":[],"padding":"`,
	}, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"error": msg, "status": status})
}

// readJSON decodes a small control body strictly: unknown keys are errors.
func readJSON(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("bad JSON body: %w", err)
	}
	return nil
}

// logged logs each request at debug level.
func logged(h http.Handler, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		logger.Debug("request", "method", r.Method, "path", r.URL.Path, "status", sw.status, "duration", time.Since(start))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
