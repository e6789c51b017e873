package onestop

import "github.com/govpulse/govpulse/collector/source"

var _ source.RejectLimiter = (*Source)(nil)

// MaxRejectedShare is the rejected share above which a run (report) or a
// page (feed) fails with reason rejected: max_rejected_share, or
// DefaultMaxRejectedShare. The scheduler exports it beside the share.
func (s *Source) MaxRejectedShare() float64 {
	if s.feed != nil {
		return s.feed.cfg.maxRejectedShare()
	}
	if p := s.cfg.Mapping.MaxRejectedShare; p != nil {
		return *p
	}
	return DefaultMaxRejectedShare
}
