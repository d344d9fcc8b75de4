package lindungi

import (
	"context"
	"strings"
	"time"
)

// Holiday kinds.
const (
	HolidayNational    = "national"
	HolidayCutiBersama = "cuti_bersama"
)

// maxHolidayName is the longest name of a holiday, in characters.
const maxHolidayName = 200

// Holiday is a national holiday or collective leave day (cuti bersama).
type Holiday struct {
	Date string `json:"date"` // YYYY-MM-DD
	Kind string `json:"kind"` // national or cuti_bersama
	Name string `json:"name"`
}

// Normalize trims the holiday and collapses the spaces of its name.
func (h *Holiday) Normalize() {
	h.Date, h.Kind, h.Name = strings.TrimSpace(h.Date), strings.TrimSpace(h.Kind), strings.Join(strings.Fields(h.Name), " ")
}

// CheckNewHoliday names each bad field of a holiday an administrator adds
// for reason. It returns EINVALID, or nil.
func CheckNewHoliday(h Holiday, reason string) error {
	var v Validation
	if d, ok := checkHolidayDate(&v, h.Date); ok && (d.Year() < 2000 || d.Year() > 2100) {
		v.Add("date", "must be in a year from 2000 to 2100")
	}
	if h.Kind != HolidayNational && h.Kind != HolidayCutiBersama {
		v.Add("kind", "must be national or cuti_bersama")
	}
	checkLine(&v, "name", h.Name, maxHolidayName)
	checkReason(&v, "reason", reason)
	return v.Err()
}

// CheckHolidayRemoval names each bad field of a request to remove the
// holiday on date for reason. It returns EINVALID, or nil.
func CheckHolidayRemoval(date, reason string) error {
	var v Validation
	checkHolidayDate(&v, date)
	checkReason(&v, "reason", reason)
	return v.Err()
}

func checkHolidayDate(v *Validation, date string) (time.Time, bool) {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		v.Add("date", "must be a date in the form YYYY-MM-DD")
		return time.Time{}, false
	}
	return d, true
}

// HolidayService keeps the calendar's holidays. Deadlines already set do
// not move when the calendar changes.
type HolidayService interface {
	// HolidaysOf returns the holidays of year, ordered by date. It returns
	// no domain error codes.
	HolidaysOf(ctx context.Context, year int) ([]Holiday, error)
	// HolidayYears returns the years that have calendar data, in order. It
	// returns no domain error codes.
	HolidayYears(ctx context.Context) ([]int, error)
	// AddHoliday adds h for reason and audits it (holiday.add). EINVALID
	// naming the bad fields (CheckNewHoliday), ECONFLICT when the date is
	// already a holiday.
	AddHoliday(ctx context.Context, h Holiday, reason string, ev Event) (Holiday, error)
	// RemoveHoliday removes the holiday on date (YYYY-MM-DD) for reason,
	// audits it (holiday.remove) and returns it. EINVALID for a malformed
	// date or reason, ENOTFOUND when date is not a holiday.
	RemoveHoliday(ctx context.Context, date, reason string, ev Event) (Holiday, error)
}
