// Package boards generates govpulse's Grafana dashboards as code with
// grafana-foundation-sdk (classic dashboard JSON, which Grafana 10–12 file
// provisioning loads), plus their provisioning files.
//
// Every query is built from catalog names (metrics and recorded series) and
// every threshold from the deployment's config; panel titles are Vietnamese by
// default, English with --lang en. A board is one function returning a Board;
// adding one is a function and a line in boards. Each board but the
// national one picks a province first and reads only it (inProvince, once).
package boards
