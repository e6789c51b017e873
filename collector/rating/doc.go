// Package rating is a derived source: it turns what the other sources
// collected (read from the latest snapshot through source.Env.Lookup) and its
// own config into the province's rules as metrics, on its own schedule. It
// never talks to an upstream.
//
// Head-of-agency rating (domain.md §1). Each agency with a configured CCHC
// score (a ratio 0–1, inline or from a CSV file re-read every run) is rated
// xuat_sac at 0.90 and above, tot at 0.80, hoan_thanh at 0.65 and
// khong_hoan_thanh below (catalog.RatingTiers, the one definition of the
// tiers). The two top tiers also need the agency's late rate in the rating
// period (month to date by default), under the deployment's late-rate
// definition (resolved_only by default: late resolved / all resolved), to be
// below the warning threshold (5%). An agency whose score reaches xuat_sac or
// tot but whose late rate is at or above the warning threshold is rated
// hoan_thanh — never tot in between, since tot carries the same late
// condition — and tthc_agency_rating_late_capped says so. The late rate is
// judged only when the agency resolved at least late_min_volume dossiers in
// the period (20 by default); below that, and for an agency with no dossiers,
// the late condition counts as met and the score alone decides, so that one
// late dossier out of two costs nobody a rating. The edges are inclusive on
// the score (0.90 is xuat_sac, 0.8999 tot) and exclusive on the late rate
// (4.99% passes, 5.00% does not).
//
// Staff flag. tthc_agency_late_critical is 1 for an agency whose late rate is
// at or above the critical threshold (10%: its officials cannot be rated
// "hoàn thành tốt nhiệm vụ" or better) with at least late_min_volume resolved
// dossiers; it carries the definition label like every late-rate series.
//
// Decision 766 estimate. From the one-stop counts, the portal's counts and,
// when the one-stop source runs in feed mode, its payment and digitisation
// counts, the source scores each sub-indicator it can (catalog.QD766Indicators)
// with the proportional rule — score = max × ratio / threshold, capped at max
// — and reports a group only when its estimated sub-indicators cover the
// group's whole maximum (tien_do always; dvctt with portal data), so that an
// estimate always compares with the official qd766_group_score. The unit is
// the province code for the whole province (every agency summed, as the
// portal's root unit) and an agency code for that agency alone.
//
// Targets (processing-time cut, integration, sync, VNeID activation) are exported from config
// beside the actual values, with the catalog's defaults.
//
// Ratings are exported only once the snapshot holds one-stop report data for
// the rating period: before the one-stop source's first run a missing late
// rate would pass as "not judged".
package rating
