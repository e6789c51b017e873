package catalog

import "regexp"

// Many provinces and HA pairs in one store (README, "Many provinces and HA
// pairs"). govpulse never exports these labels itself: the scrape adds them
// as target labels (the generated prometheus.yml puts the config's
// province.code there) or the push adds them (--vm.push-extra-labels
// 'province="48"'). Every recording rule and board keeps LabelProvince, and
// every join matches on it: the provinces share e-ID agency codes (every
// demo does), so an agency code alone names several agencies.

// LabelProvince is the province's code (config province.code, e.g. "48"), a
// target label of every series of one province's govpulse. A series
// without it groups as the empty province: a single Prometheus that adds no
// label gets the same figures as before the label existed.
const LabelProvince = "province"

// LabelReplica tells the two instances of an HA pair of one province apart
// (a target or push label, like Prometheus' own HA convention); the scrape's
// LabelInstance does too.
const LabelReplica = "replica"

// ReplicaLabels are the labels by which the series of two replicas of one
// province differ. Rules and boards read govpulse's series through
// max without (ReplicaLabels) before they sum, so an HA pair counts once
// whether or not the store deduplicated it (the replicas serve the same
// figures; max keeps the fresher when one lags a run behind).
var ReplicaLabels = []string{LabelInstance, LabelReplica}

// ProvinceCodePattern is the shape of a province's code (the statistics
// office's two digits: 01 Hà Nội, 48 Đà Nẵng, 79 Thành phố Hồ Chí Minh).
var ProvinceCodePattern = regexp.MustCompile(`^[0-9]{2}$`)
