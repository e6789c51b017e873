package catalog

// portalMetrics lists this domain's metrics (see All).
var portalMetrics = []*Metric{}

// portalLabels holds the allowed values of labels this domain introduces.
var portalLabels = map[string]Values{}
