// Package onestop is the source for the province's one-stop (một cửa) system:
// the period report of dossiers (hồ sơ TTHC) per agency and field — received by
// channel, carried over, resolved by timeliness, in progress, withdrawn and
// awaiting a supplement (domain.md §2) — for the current month, quarter and
// year to date.
//
// No two vendors share a schema, so the upstream layout is a declarative
// Mapping: JSON paths of the items and of each column, value maps from vendor
// codes to govpulse codes, pagination and date-range parameters. govpulse's
// own standard report (format "standard", documented in the README) is simply a
// built-in Mapping; a vendor such as VNPT iGate is described in config alone.
package onestop
