// Package workday is the working-day calendar of Vietnamese public
// administration: which days are worked, the daily working hours (07:00–11:30
// and 13:30–17:00 by default, 8 hours), and the deadline arithmetic one-stop
// systems apply to administrative procedures (domain.md §8).
//
// Saturdays and Sundays are days off. Public holidays and the civil service's
// day swaps (a weekday off paid back by a worked Saturday) change every year, so
// they are data: one YAML file per year, such as deploy/holidays/2026.yml:
//
//	year: 2026
//	holidays:                 # days off, whatever their weekday
//	  - {date: 2026-01-01, name: "Tết Dương lịch"}
//	working_weekends:         # Saturdays or Sundays worked in compensation
//	  - {date: 2026-01-10, name: "Làm bù cho thứ Sáu 02/01/2026"}
//
// Load reads such files strictly (unknown keys, dates outside the year, a date
// listed twice are errors with file and line). Default returns the calendar
// built from the copies embedded in the binary, so the demo needs no files; a
// test keeps those copies equal to deploy/holidays/.
//
// To add a year: write deploy/holidays/<year>.yml from the year's official
// decision (Thông báo of the Ministry of Home Affairs on the Tết and holiday
// schedule of civil servants), copy it into collector/workday/holidays/, and
// add a deadline case across its Tết to calendar_test.go. A year without a file
// still works, with weekends as its only days off; Covers tells callers so they
// can warn.
//
// Times are read in the calendar's time zone (Asia/Ho_Chi_Minh unless
// WithLocation says otherwise). Hot paths use Wall, a wall-clock time in
// seconds, to skip time-zone arithmetic: WorkingSeconds over Wall values is a
// table lookup.
package workday
