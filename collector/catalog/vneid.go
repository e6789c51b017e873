package catalog

// vneidMetrics lists this domain's metrics (see All).
var vneidMetrics = []*Metric{}

// vneidLabels holds the allowed values of labels this domain introduces.
var vneidLabels = map[string]Values{}
