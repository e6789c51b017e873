// Package rules generates govpulse's Prometheus recording and alert rules and
// the Prometheus and Alertmanager configuration examples that load them.
//
// Everything comes from collector/catalog (metric names, recorded series and
// alert names, label values, late-rate definitions, `for` durations) and from
// the deployment's thresholds (config, defaults in the catalog): no metric
// name or threshold is typed into an expression here.
//
// Recording rules derive every ratio as a ratio of sums at three scopes
// (agency, administrative level, province), each with its numerator and
// denominator, so Grafana and the alerts read the same figures. Every scope
// keeps the province label and every join matches on it, and govpulse's
// series are read through Once, so one store can hold many provinces and
// HA pairs (README, "Many provinces and HA pairs"). Alerts carry the
// agency's name and level, joined from tthc_agency_info, and Vietnamese (or
// English) summaries.
//
// Every alert carries an audience label (catalog.AlertRule.Audience; an
// alert without one fails the generation) and annotations for people: the
// figure written the Vietnamese way (value), threshold, period, action and a
// title for a notification that groups several agencies. The Alertmanager
// configuration (alertmanager.go) routes on the audience only, with office
// hours and public holidays as time intervals from the holiday calendar
// (intervals.go), and its notification templates (templates.go) print those
// annotations and link to the Grafana boards.
//
// To add rules for a new domain (portal, VNeID, …): declare its recorded
// series and alerts in collector/catalog/rules.go, write a file here with its
// recording and alert rules (see onestop.go and health.go), and add one line
// to the domains list in rules.go. Then run `go run . generate --out deploy`
// and commit the regenerated files; TestGeneratedFilesUpToDate fails until you do.
package rules
