package catalog

// indicesMetrics lists this domain's metrics (see All).
var indicesMetrics = []*Metric{}

// indicesLabels holds the allowed values of labels this domain introduces.
var indicesLabels = map[string]Values{}
