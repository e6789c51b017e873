package simulate

import (
	"net/http"
	"sync"
	"time"

	"github.com/govpulse/govpulse/collector/simulate/feedgen"
)

// FeedPath serves the dossier sync feed (collector/onestop feed.go) of the
// simulated province.
const FeedPath = "/dongbo/hoso"

// FeedDossiers is how many dossiers the simulated feed holds from 1 January
// (and the end of last year) to the simulator's start.
const FeedDossiers = 40000

// FeedPII are the applicant values every simulated feed record carries: a
// test proves none of them ever leaves govpulse.
var FeedPII = feedgen.PII{
	Name:         "Nguyễn Thị Canary",
	IDNumber:     "049199000047",
	Phone:        "0905000047",
	Email:        "canary.47@example.vn",
	Address:      "47 Đường Canary, Tam Kỳ",
	Summary:      "Hồ sơ canary: xin cấp giấy chứng nhận",
	OfficialName: "Trần Văn Canary",
}

// feedRoutes mounts the feed. Its dossiers are generated once, up to the
// simulator's clock at first use, for the units in force then: a separate
// model from the period report, which the demo reads only for what the feed
// alone knows (due soon, processing time, digitised, paid online). The
// dossiers start no earlier than the day the map took its current shape
// (1 March or 1 July 2025), so no dossier names a unit before it existed.
func (s *Sim) feedRoutes(mux *http.ServeMux) {
	var once sync.Once
	var h http.Handler
	var err error
	mux.HandleFunc("GET "+FeedPath, func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() {
			var agencies, fields []string
			for _, a := range s.Agencies() {
				agencies = append(agencies, a.Code)
			}
			for _, f := range s.Fields() {
				fields = append(fields, f.Code)
			}
			now := s.now()
			var from time.Time
			defaultFrom := time.Date(now.In(ICT).Year(), 1, 1, 0, 0, 0, 0, ICT).AddDate(0, 0, -60) // feedgen's
			for _, d := range []time.Time{DepartmentMergerDate, MergerDate} {
				if !now.Before(d) && defaultFrom.Before(d) {
					from = d
				}
			}
			var g *feedgen.Generator
			g, err = feedgen.New(FeedDossiers, s.seed, feedgen.Options{
				Agencies: agencies, Fields: fields, From: from, To: now, PII: FeedPII,
			})
			if err == nil {
				h = g.Handler()
			}
		})
		if err != nil {
			writeError(w, http.StatusInternalServerError, err.Error())
			return
		}
		if s.fault(w, r) {
			return
		}
		h.ServeHTTP(w, r)
	})
}
