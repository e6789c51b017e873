// Package collector runs the sources: it builds each configured source from the
// registry, runs it on its cron schedule, and publishes results and health to
// the store. One upstream is one package (onestop, portal, vneid, indices);
// adding one is a package plus a line in registry.go.
package collector
