// Package simulate is govpulse's built-in simulated province: today the new
// Thành phố Đà Nẵng (94 commune-level units and no district level), with a
// simulated history that shows the 2025 reorganisation — old Đà Nẵng and old
// Quảng Nam until 30 June 2025, their departments merged on 1 March 2025 —
// serving the upstream APIs govpulse reads, so `govpulse serve --demo` shows
// data with no external system and tests have a realistic upstream they can
// steer.
//
// # The map follows the calendar
//
// A unit is in force from its first day to the day before its end. Before 1
// March 2025 (and on every earlier day: the structure of 1 January 2025) the
// province is old Đà Nẵng's 21 and old Quảng Nam's 20 departments and
// boards, 25 districts and 280 communes; from 1 March 2025 the departments
// merged as the press reported (data/departments.csv); from MergerDate, 1
// July 2025, the new city's People's Committee, 17 departments and boards
// and 94 commune-level units. Agencies lists the units in force on the
// clock's day, Lineage the links of the days so far, and a report lists the
// units in force on its last counted day: a June 2025 report names old
// units, a July 2025 one and a December 2025 year to date only new ones.
//
// A new unit's figures are the share-weighted sums of its predecessors'
// (through chains: a department merged in March, then into the city): its
// flows on a day are exactly what its predecessors' would have been, so a
// year-on-year comparison through the lineage is smooth. Its flows count
// from its first day (the new city's year to date starts on 1 July 2025); a
// department that absorbed another on 1 March keeps its row and grows.
//
// # Codes and figures
//
// Names come from the checked files (data/danang-2025-units.csv and
// data/danang-2025-merges.csv, copies of the shared data, and the
// press-reported department lists); the e-ID codes are made up in the
// GGG.GG.GG.Hnn shape: H47 for old Quảng Nam (the shared list's), H15 for old
// Đà Nẵng and the new city, old communes 000.NN.DD.Hnn (NN in the merges
// file's order within district DD), the new units 000.KK.00.H15 (KK in the
// order of their 5-digit codes; group 00 appears in no old code). An old
// district goes wholly into the new unit named like it, else the one that
// took its township (its seat), else the first listed (districtSeat); Xã
// Hòa Liên is split 0.2 / 0.8 between Phường Hải Vân and Phường Liên Chiểu,
// a made-up share (splitShares).
//
// The numbers are a deterministic function of the seed, the (unit, field)
// pair and the calendar: each field of an oldest unit has a monthly volume,
// a channel mix, a late share and a backlog, and a report for a date range
// sums seeded daily flows over the days of the range that have already
// happened (today only up to the current minute), so month-to-date counts
// grow slowly through the day and the month. Desks shut on Sundays and on
// the holidays of the working-day calendar (Tết included), online
// submissions never stop. The same seed and clock always give the same
// bytes.
//
// Layouts served by Handler:
//
//	GET  /govpulse/v1/report?period=&from=&to=&page=&page_size=   govpulse's standard report
//	GET  /igate/pa/dossier-statistic/agency-sector?from-date=&to-date=&page=&size=   an iGate-like vendor layout
//	POST the national portal's three reports (PortalScoresPath, …)
//	GET  /vneid/v1/level2[?as_of=]   level-2 e-ID counts per commune-level unit
//	GET  /dongbo/hoso   the dossier sync feed
//	GET  /-/healthy
//	GET|POST /-/faults   fault injection on the data endpoints
//	GET|POST /-/late     per-agency late-share overrides
package simulate
