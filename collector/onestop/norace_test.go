//go:build !race

package onestop

const raceEnabled = false
