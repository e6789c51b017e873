package promapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestDecodeInstant(t *testing.T) {
	cases := []struct {
		name, body string
		want       []Sample
		err        string
	}{
		{"vector", `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"agency":"a"},"value":[1700000000.5,"3.25"]}]}}`,
			[]Sample{{map[string]string{"agency": "a"}, time.UnixMilli(1700000000500).UTC(), 3.25}}, ""},
		{"empty", `{"status":"success","data":{"resultType":"vector","result":[]}}`, []Sample{}, ""},
		{"scalar", `{"status":"success","data":{"resultType":"scalar","result":[1700000000,"0.05"]}}`,
			[]Sample{{map[string]string{}, time.Unix(1700000000, 0).UTC(), 0.05}}, ""},
		{"no metric", `{"status":"success","data":{"resultType":"vector","result":[{"value":[1,"1"]}]}}`,
			[]Sample{{map[string]string{}, time.Unix(1, 0).UTC(), 1}}, ""},
		{"error in 200", `{"status":"error","errorType":"bad_data","error":"parse error"}`, nil, "bad_data: parse error"},
		{"matrix", `{"status":"success","data":{"resultType":"matrix","result":[]}}`, nil, `want vector or scalar`},
		{"bad value", `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"x"]}]}}`, nil, `"x" is not a number`},
		{"unquoted value", `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,2]}]}}`, nil, "not a quoted number"},
		{"short pair", `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1]}]}}`, nil, "got 1 elements"},
		{"not json", `<html>`, nil, "not the query API's JSON"},
		{"no status", `{}`, nil, `status is ""`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := DecodeInstant([]byte(c.body))
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want it to say %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestDecodeRange(t *testing.T) {
	got, err := DecodeRange([]byte(`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"k":"v"},"values":[[10,"1"],[20,"NaN"]]}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || len(got[0].Points) != 2 || got[0].Points[0].Value != 1 || got[0].Points[1].Value == got[0].Points[1].Value {
		t.Errorf("got %+v", got)
	}
	if _, err := DecodeRange([]byte(`{"status":"success","data":{"resultType":"matrix","result":[{"values":[[10]]}]}}`)); err == nil ||
		!strings.Contains(err.Error(), "series 0, point 0") {
		t.Errorf("err = %v", err)
	}
}

// A reference encoder: whatever samples go in come out of the decoder.
func TestDecodeInstantRoundTrip(t *testing.T) {
	for n := 0; n < 50; n++ {
		var want []Sample
		var parts []string
		for i := 0; i < n%7; i++ {
			s := Sample{map[string]string{"i": fmt.Sprint(i), "n": fmt.Sprint(n)}, time.UnixMilli(int64(1e12 + n*1000 + i)).UTC(), float64(n*i) / 8}
			want = append(want, s)
			m, _ := json.Marshal(s.Labels)
			parts = append(parts, fmt.Sprintf(`{"metric":%s,"value":[%.3f,"%v"]}`, m, float64(s.Time.UnixMilli())/1e3, s.Value))
		}
		got, err := DecodeInstant([]byte(`{"status":"success","data":{"resultType":"vector","result":[` + strings.Join(parts, ",") + `]}}`))
		if err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 {
			want = []Sample{}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("n=%d: got %v, want %v", n, got, want)
		}
	}
}

func TestClient(t *testing.T) {
	var gotAuth, gotQuery, gotTime string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		u, p, _ := r.BasicAuth()
		gotAuth, gotQuery, gotTime = u+":"+p, r.Form.Get("query"), r.Form.Get("time")
		switch r.URL.Path {
		case "/sub/api/v1/query":
			if gotQuery == "bad(" {
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprint(w, `{"status":"error","errorType":"bad_data","error":"unexpected end of input"}`)
				return
			}
			fmt.Fprint(w, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"7"]}]}}`)
		case "/sub/api/v1/query_range":
			fmt.Fprint(w, `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"7"],[2,"8"]]}]}}`)
		default:
			http.Error(w, "nope", http.StatusBadGateway)
		}
	}))
	defer srv.Close()
	withCreds := strings.Replace(srv.URL, "http://", "http://reporter:s3cret@", 1)
	c, err := New(withCreds+"/sub/", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s, err := c.Instant(context.Background(), "up", at)
	if err != nil || len(s) != 1 || s[0].Value != 7 {
		t.Fatalf("Instant = %v, %v", s, err)
	}
	if gotAuth != "reporter:s3cret" || gotQuery != "up" || gotTime != "1767225600.000" {
		t.Errorf("the server saw auth %q query %q time %q", gotAuth, gotQuery, gotTime)
	}
	r, err := c.Range(context.Background(), "up", at, at.Add(time.Hour), time.Minute)
	if err != nil || len(r) != 1 || len(r[0].Points) != 2 {
		t.Fatalf("Range = %v, %v", r, err)
	}
	_, err = c.Instant(context.Background(), "bad(", at)
	if err == nil || !strings.Contains(err.Error(), "bad_data: unexpected end of input") {
		t.Errorf("a refused query: %v", err)
	}
	if strings.Contains(err.Error(), "s3cret") || strings.Contains(c.String(), "s3cret") {
		t.Errorf("the password leaked: %v / %s", err, c)
	}
	bad, _ := New(withCreds+"/other", time.Second)
	if _, err := bad.Instant(context.Background(), "up", at); err == nil || strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "502") {
		t.Errorf("a 502: %v", err)
	}
	srv.Close()
	if _, err := c.Instant(context.Background(), "up", at); err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("a closed server: %v", err)
	}
}

func TestNewRefuses(t *testing.T) {
	for _, u := range []string{"", "ftp://x", "http://", "://user:pw@x", "http://user:pw@[::1"} {
		if _, err := New(u, 0); err == nil || strings.Contains(err.Error(), "pw") {
			t.Errorf("New(%q) = %v", u, err)
		}
	}
}

func TestHugeBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := []byte(strings.Repeat(" ", 1<<20))
		for i := 0; i <= MaxBody>>20; i++ {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	c, _ := New(srv.URL, 10*time.Second)
	if _, err := c.Instant(context.Background(), "up", time.Unix(0, 0)); err == nil || !strings.Contains(err.Error(), "over 64 MiB") {
		t.Errorf("err = %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"b"},"value":[1,"2"]}]}}`))
	f.Add([]byte(`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"2"]]}]}}`))
	f.Add([]byte(`{"status":"success","data":{"resultType":"scalar","result":[1,"2"]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if s, err := DecodeInstant(b); err == nil {
			for _, x := range s {
				if x.Labels == nil {
					t.Fatal("nil labels")
				}
			}
		}
		if s, err := DecodeRange(b); err == nil {
			for _, x := range s {
				if x.Labels == nil {
					t.Fatal("nil labels")
				}
			}
		}
	})
}

// TestGet: a daemon's page fetched with the URL's credentials, bounded, a
// non-200 refused, the password never in an error.
func TestGet(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "it" || p != "s3cret" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, strings.Repeat("x", 100))
	}))
	defer srv.Close()
	c, _ := New(strings.Replace(srv.URL, "http://", "http://it:s3cret@", 1), time.Second)
	if b, err := c.Get(context.Background(), "/metrics", 100); err != nil || len(b) != 100 {
		t.Fatalf("Get = %d bytes, %v", len(b), err)
	}
	if _, err := c.Get(context.Background(), "/metrics", 99); err == nil || !strings.Contains(err.Error(), "is over") {
		t.Errorf("over the limit: %v", err)
	}
	anon, _ := New(srv.URL, time.Second)
	_, err := anon.Get(context.Background(), "/metrics", 100)
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("without credentials: %v", err)
	}
	srv.Close()
	if _, err := c.Get(context.Background(), "/metrics", 100); err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("a closed server: %v", err)
	}
}
