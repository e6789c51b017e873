package dashboards

import (
	"fmt"
	"net/url"
	"strings"
)

// Links are where every alert's annotations point, in the Prometheus rules
// and the Grafana-managed ones alike: runbook_url at the alert's runbook,
// Runbooks + "/" + <alert name> + ".md", and dashboard at the board that
// shows what the alert is about, Grafana + "/d/" + <board uid>.
type Links struct {
	// Runbooks is the URL of the runbook folder: docs/runbooks in the
	// repository (DefaultRunbooks), or a copy on the province's wiki.
	Runbooks string
	// Grafana is Grafana's address as people open it (DefaultGrafana: the
	// compose stack's). Not a flag of generate: the notifications' config
	// names Grafana's address for the province.
	Grafana string
}

// The default links: the repository's runbooks and the compose stack's Grafana.
const (
	DefaultRunbooks = "https://github.com/govpulse/govpulse/blob/main/docs/runbooks"
	DefaultGrafana  = "http://localhost:3000"
)

// Uids of the boards alerts link to; dashboards/boards builds its boards
// under these uids, dashboards/rules links to them.
const (
	BoardOverview = "govpulse-tong-quan"
	BoardAgency   = "govpulse-don-vi"
	BoardHealth   = "govpulse-he-thong"
)

// OrDefaults fills the links left empty with the defaults.
func (l Links) OrDefaults() Links {
	if l.Runbooks == "" {
		l.Runbooks = DefaultRunbooks
	}
	if l.Grafana == "" {
		l.Grafana = DefaultGrafana
	}
	return l
}

// Check accepts absolute http and https URLs (or empty ones: the defaults):
// a notification is read outside Grafana, where a relative link leads nowhere.
func (l Links) Check() error {
	for _, u := range []struct{ what, v string }{{"--runbook.url", l.Runbooks}, {"Grafana's address", l.Grafana}} {
		if u.v == "" {
			continue
		}
		p, err := url.Parse(u.v)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || p.RawQuery != "" || p.Fragment != "" {
			return fmt.Errorf("%s: want an absolute http or https URL without query, got %q", u.what, u.v)
		}
	}
	return nil
}

// Runbook is the URL of alert's runbook.
func (l Links) Runbook(alert string) string {
	return strings.TrimSuffix(l.OrDefaults().Runbooks, "/") + "/" + alert + ".md"
}

// Board is the URL of the board uid; vars are name, value pairs of its
// variables (var-name=value; a value may be an alert template such as
// {{ $labels.agency }}).
func (l Links) Board(uid string, vars ...string) string {
	u := strings.TrimSuffix(l.OrDefaults().Grafana, "/") + "/d/" + uid
	for i := 0; i+1 < len(vars); i += 2 {
		sep := "&"
		if i == 0 {
			sep = "?"
		}
		u += sep + "var-" + vars[i] + "=" + vars[i+1]
	}
	return u
}
