// Package dashboards holds what every generator of deployment files shares:
// the generated-file notice, the output language, the File type and the YAML
// encoding all generators use, so that `govpulse generate` writes byte-stable
// output whichever generator produced a file.
//
// The generators live in sub-packages: rules (Prometheus recording and alert
// rules, the Prometheus and Alertmanager configuration examples) and grafana
// (dashboards). Each exposes
//
//	func Generate(in dashboards.Input) ([]dashboards.File, error)
//
// and is listed once in the root package's generate.go. Names, label values
// and thresholds come from collector/catalog and the deployment's config, never
// from literals in a generator.
//
// Keep this package small: only what two generators need belongs here.
package dashboards
