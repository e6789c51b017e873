package rules

// RecordedDefinitions returns the late-rate definitions that have recording
// rules, in catalog order: what a late-rate series may carry in its
// definition label.
func RecordedDefinitions() []string { return recordedDefinitions() }
