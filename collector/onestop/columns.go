package onestop

import "github.com/govpulse/govpulse/collector/catalog"

// countColumn is one count of the period report and the metric and label
// value it feeds. group is the JSON object of the standard report holding the
// count ("" for a top-level count).
type countColumn struct {
	name   string
	group  string
	value  string
	metric *catalog.Metric
}

// countColumns is the period report's count columns in a fixed order; Row.Counts
// is indexed by it.
var countColumns = []countColumn{
	{ColCarriedOver, "", "", catalog.DossiersCarriedOver},
	{"received_" + catalog.ChannelInPerson, "received", catalog.ChannelInPerson, catalog.DossiersReceived},
	{"received_" + catalog.ChannelOnline, "received", catalog.ChannelOnline, catalog.DossiersReceived},
	{"received_" + catalog.ChannelPostal, "received", catalog.ChannelPostal, catalog.DossiersReceived},
	{"resolved_" + catalog.ResolvedEarly, "resolved", catalog.ResolvedEarly, catalog.DossiersResolved},
	{"resolved_" + catalog.ResolvedOnTime, "resolved", catalog.ResolvedOnTime, catalog.DossiersResolved},
	{"resolved_" + catalog.ResolvedLate, "resolved", catalog.ResolvedLate, catalog.DossiersResolved},
	{"in_progress_" + catalog.InProgressNotDue, "in_progress", catalog.InProgressNotDue, catalog.DossiersInProgress},
	{"in_progress_" + catalog.InProgressOverdue, "in_progress", catalog.InProgressOverdue, catalog.DossiersInProgress},
	{ColWithdrawn, "", "", catalog.DossiersWithdrawn},
	{ColAwaitingSupplement, "", "", catalog.DossiersAwaitingSupplement},
}

const nCounts = 11

// Indexes into Row.Counts used by the consistency check.
const (
	iCarried      = 0
	iReceivedLo   = 1
	iReceivedHi   = 3
	iResolvedLo   = 4
	iResolvedHi   = 6
	iAwaitingSupp = 10
)

// Row is one normalised record of the period report.
type Row struct {
	Agency, Field string
	Counts        [nCounts]float64
}

func init() {
	// A compile-time length check would need a constant slice; this guards the
	// index constants above against an edit of countColumns.
	if len(countColumns) != nCounts || countColumns[iAwaitingSupp].name != ColAwaitingSupplement {
		panic("BUG: onestop countColumns and its indexes disagree")
	}
}
