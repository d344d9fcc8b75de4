package lindungi

import (
	"time"
)

// WIB is Western Indonesia Time (UTC+7), the time zone of Central Java.
// Deadlines are counted in the days of the unit's zone; other provinces in
// WITA or WIT will carry their zone on the unit.
var WIB = time.FixedZone("WIB", 7*60*60)

// Calendar tells working days: not Saturday or Sunday, not a holiday. Years
// without holiday data fall back to weekends only, and say so.
type Calendar struct {
	holidays map[string]Holiday
	years    map[int]bool
}

// NewCalendar returns a calendar knowing the holidays of the given years.
// A year listed in years but with no holidays is a year with data.
func NewCalendar(holidays []Holiday) *Calendar {
	c := &Calendar{holidays: map[string]Holiday{}, years: map[int]bool{}}
	for _, h := range holidays {
		d, err := time.Parse(time.DateOnly, h.Date)
		if err != nil {
			continue
		}
		c.holidays[h.Date] = h
		c.years[d.Year()] = true
	}
	return c
}

// HasYear reports whether the calendar has holiday data for year.
func (c *Calendar) HasYear(year int) bool { return c.years[year] }

// IsWorkingDay reports whether the date of d (in d's location) is a working day.
func (c *Calendar) IsWorkingDay(d time.Time) bool {
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	_, holiday := c.holidays[d.Format(time.DateOnly)]
	return !holiday
}

// Deadline is the end of a span of working days.
type Deadline struct {
	Date     time.Time // the last working day, at midnight in its zone
	At       time.Time // the end of that day: midnight after it
	Fallback bool      // a year on the way had no holiday data: weekends only
}

// AddWorkingDays returns the deadline n working days after the day of from,
// counted in zone loc: the day of from itself does not count, so a task
// created on a Monday with n = 2 is due at the end of Wednesday.
func (c *Calendar) AddWorkingDays(from time.Time, n int, loc *time.Location) Deadline {
	local := from.In(loc)
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	fallback := !c.HasYear(day.Year())
	for n > 0 {
		day = day.AddDate(0, 0, 1)
		if !c.HasYear(day.Year()) {
			fallback = true
		}
		if c.IsWorkingDay(day) {
			n--
		}
	}
	return Deadline{Date: day, At: day.AddDate(0, 0, 1), Fallback: fallback}
}
