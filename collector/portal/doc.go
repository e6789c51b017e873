// Package portal is the source for the National Public Service Portal (Cổng
// Dịch vụ công quốc gia, dichvucong.gov.vn): how many of the province's online
// public services are integrated on it, how many dossiers reach it (the sync
// rate, domain.md §3), and the official Decision 766 figures — the six group
// scores, the total and the rank — for the province and its agencies
// (domain.md §4).
//
// The portal's reporting API is a set of POST endpoints under
// /api/v1/reporting/evaluation/ that take a JSON period selection and answer
// per-unit totals in an envelope. The shapes below are govpulse's model of
// them, built on the public descriptions of the real API (its group codes,
// field names and the overview/evaluation and parent/children forms); the
// paths are configurable, and the simulated province serves exactly these.
//
// Every request has the same body (period fields depend on timeType; no
// period for the services report; no rootDepartmentCode for the national
// ranking):
//
//	{"timeType":"month","year":2024,"month":8,          // or "quarter" + quarter 1–4, or "year"
//	 "rootDepartmentCode":"000.00.00.H47","currentPage":1,"pageSize":500}
//
// Every answer is an envelope; code "OK" means success, anything else fails
// the run with the (truncated) message. data.totalPages, when present and
// above currentPage, makes the source ask for the next page:
//
//	{"code":"OK","message":"Thành công","data":{...,"totalPages":1}}
//
// Scores: POST /api/v1/reporting/evaluation/service-results. Without a root
// it lists every province (the national ranking); with the province as root
// it lists the province's units. Group codes are the portal's: CKMB công
// khai, TDGQ tiến độ, CLGQ dịch vụ công trực tuyến, TTTT thanh toán, MDHL
// hài lòng, MDSH số hóa (the catalog's own codes are accepted too). A null
// group has no figure and is not exported (null is not 0).
//
//	"data":{"overview":{"departmentName":"Cả nước","totalScore":78.4,"groupScores":{...}},
//	        "evaluation":[{"departmentId":"6f1c…","departmentCode":"000.00.00.H47",
//	                       "departmentName":"UBND tỉnh Quảng Nam","totalScore":80.1,
//	                       "groupScores":{"CKMB":13.2,"TDGQ":18.4,"CLGQ":7.7,"TTTT":7.6,"MDHL":17.6,"MDSH":15.6}}]}
//
// Dossier sync: POST /api/v1/reporting/evaluation/dossier-sync, with the
// province as root. totalReceived is what the province's one-stop system
// reports as received in the period, totalNationalReceived what the portal
// holds, totalSynced the dossiers received in the period and synced; ratio,
// score and maxScore are the portal's own sync indicator and are not exported
// (the rate is a recording rule over the counts). The parent row is the
// province's total and is not exported either: it would double every sum.
//
//	"data":{"parent":{"departmentCode":"000.00.00.H47",...},
//	        "children":[{"departmentCode":"000.00.02.H47","departmentName":"Sở Nội vụ",
//	                     "totalReceived":812,"totalNationalReceived":805,"totalSynced":801,
//	                     "ratio":0.9865,"score":5.92,"maxScore":6}]}
//
// Online services: POST /api/v1/reporting/evaluation/provide-online-tree,
// with the province as root and no period: per unit, the procedures under its
// authority, its full-online (toàn trình) and partial-online (một phần)
// services, and how many of each are integrated on the portal.
//
//	"data":{"parent":{...},
//	        "children":[{"departmentCode":"000.00.02.H47","authorityCount":96,
//	                     "fullCount":41,"partialCount":38,
//	                     "fullIntegratedCount":36,"partialIntegratedCount":33}]}
//
// Units are identified by departmentCode (an agency e-ID code); a row that
// has only the portal's departmentId is mapped through department_codes.
// Records are checked one by one and a bad one is dropped and counted, never
// logged by value: no code (malformed), not an e-ID code (bad_code), not in
// the agency list (unknown_code), a repeated unit (duplicate), a count that is
// negative or fractional (negative_count, malformed), a score above its
// group's maximum, groups that do not add up to the total, synced above
// national received or integrated above offered (inconsistent). Other
// provinces in the national ranking are not exported; they only count for
// the rank. Ranks are competition ranks by total score (ties share the better
// rank): the province among the provinces, an agency among the province's
// agencies of its administrative level.
//
// The unit label of qd766_* series is the province code for the whole
// province and an agency code for that agency; the agency label of dvcqg_*
// series is always the agency alone.
//
// To read another vendor's or a newer portal's layout, change Paths and, if
// the field names differ, the row types in decode.go.
package portal
