package catalog

// ratingMetrics lists this domain's metrics (see All).
var ratingMetrics = []*Metric{}

// ratingLabels holds the allowed values of labels this domain introduces.
var ratingLabels = map[string]Values{}
