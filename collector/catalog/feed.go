package catalog

// feedMetrics lists this domain's metrics (see All).
var feedMetrics = []*Metric{}

// feedLabels holds the allowed values of labels this domain introduces.
var feedLabels = map[string]Values{}
