// Package prom serves govpulse's Snapshots to Prometheus.
//
// Two paths produce the same exposition:
//
//   - SnapshotCollector is a plain prometheus.Collector that turns a Snapshot
//     into const metrics on every Collect. It is the reference: simple, checked
//     by client_golang's registry and by testutil, and usable anywhere a
//     Collector is wanted.
//   - Exposition renders a Snapshot to the text format once, when the store
//     publishes it (docs/design.md §7: a Snapshot never changes, so neither does its
//     exposition), keeps it plain and gzip-compressed, and serves those bytes to
//     every scrape. Only a small live part (build info, go_*, process_*, scrape
//     counters) is gathered per scrape and appended. Rendering is cached per
//     metric family and per source Result, so a publication re-renders only the
//     health families and the sources whose data changed.
//
// Tests prove the two paths byte-identical on the same Snapshot.
//
// Server glue (NewMux, Serve) mounts the landing page, /metrics, /-/healthy and
// /-/ready behind exporter-toolkit's web config (TLS, basic auth).
//
// To export a new metric nothing here changes: declare it in collector/catalog
// and have a source add samples of it; its Kind, Help and Labels come from there.
// Health metrics are listed in healthSamples.
package prom
