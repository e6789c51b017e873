package onestop

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/govpulse/govpulse/collector/simulate/feedgen"
	"github.com/govpulse/govpulse/internal/instants"
)

// At every hard instant the feed's figures — periods to date, overdue,
// due within one working day, processing time — equal the deliberately
// simple reference computed from the same generated feed at that instant.
func TestFeedMatchesReferenceAtHardInstants(t *testing.T) {
	for _, in := range instants.Hard {
		t.Run(strings.Fields(in.Name)[0]+"_"+in.Time.Format("2006-01-02T15:04"), func(t *testing.T) {
			now := in.Time
			o := feedgen.Options{To: now, BadShare: 0.02}
			g := genFor(t, 3000, 23, o)
			srv := httptest.NewServer(&feedServer{g: g})
			defer srv.Close()
			env := feedEnv(t.TempDir())
			env.Now = func() time.Time { return now }
			res, err := newFeedSource(t, feedCfg(t, 400, nil), srv.URL, env).Collect(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			checkInvariant(t, res)
			var body strings.Builder
			if _, err := genFor(t, 3000, 23, o).WriteTo(&body); err != nil {
				t.Fatal(err)
			}
			refEnv := feedEnv("")
			refEnv.Now = env.Now
			want, _ := referenceReport(t, []byte(body.String()), refEnv, now)
			got := values(res)
			if len(want) == 0 {
				t.Fatal("the reference has no figures")
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s = %v, reference %v", k, got[k], v)
				}
			}
			for k, v := range got {
				if _, ok := want[k]; !ok && v != 0 {
					t.Errorf("%s = %v, not in the reference", k, v)
				}
			}
		})
	}
}
