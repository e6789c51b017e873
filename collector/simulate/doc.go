// Package simulate is govpulse's built-in simulated province: a Quảng Nam-like
// province (the provincial People's Committee, 20 departments and boards, 18
// districts and their 241 communes) that serves the upstream APIs govpulse
// reads, so `govpulse serve --demo` shows data with no external system and
// tests have a realistic upstream they can steer.
//
// The numbers are a deterministic function of the seed, the (agency, field)
// pair and the calendar: each pair has a monthly volume, a channel mix, a late
// share and a backlog, and a report for a date range sums seeded daily flows
// over the days of the range that have already happened (today only up to the
// current minute), so month-to-date counts grow slowly through the day and the
// month. The same seed and clock always give the same bytes.
//
// Layouts served by Handler:
//
//	GET  /govpulse/v1/report?period=&from=&to=&page=&page_size=   govpulse's standard report
//	GET  /igate/pa/dossier-statistic/agency-sector?from-date=&to-date=&page=&size=   an iGate-like vendor layout
//	GET  /-/healthy
//	GET|POST /-/faults   fault injection on the two data endpoints
//	GET|POST /-/late     per-agency late-share overrides
//
// The units come from data/units.csv, a copy of the shared unit list (real
// names, illustrative codes); commune codes and names are generated.
package simulate
