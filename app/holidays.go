package app

import (
	"context"

	"github.com/lindungi/lindungi"
)

// Holidays keeps the national holiday calendar. It is the whole country's
// (joint ministerial decree): only a role held at the top unit changes it.
// Deadlines already set do not move.
type Holidays struct {
	Store  lindungi.HolidayService
	Access *Access
	Units  Units
}

// Calendar is the holidays of one year and the years that have data.
type Calendar struct {
	Year     int
	HasData  bool
	Years    []int
	Holidays []lindungi.Holiday
}

// Year returns the calendar of a year.
func (hs *Holidays) Year(ctx context.Context, year int) (Calendar, error) {
	items, err := hs.Store.HolidaysOf(ctx, year)
	if err != nil {
		return Calendar{}, err
	}
	years, err := hs.Store.HolidayYears(ctx)
	if err != nil {
		return Calendar{}, err
	}
	return Calendar{Year: year, HasData: lindungi.NewCalendar(items).HasYear(year), Years: years, Holidays: items}, nil
}

// Add adds a holiday, with a reason. EFORBIDDEN below the top unit, then
// EINVALID naming bad fields (lindungi.CheckNewHoliday), ECONFLICT for a
// date that has one.
func (hs *Holidays) Add(ctx context.Context, a Actor, h lindungi.Holiday, reason string) (lindungi.Holiday, error) {
	a, err := hs.national(a)
	if err != nil {
		return lindungi.Holiday{}, err
	}
	h.Normalize()
	reason = lindungi.TrimText(reason)
	if err := lindungi.CheckNewHoliday(h, reason); err != nil {
		return lindungi.Holiday{}, err
	}
	return hs.Store.AddHoliday(ctx, h, reason, a.Event(ctx))
}

// Remove removes the holiday on date, with a reason. EFORBIDDEN below the
// top unit, then EINVALID naming bad fields (lindungi.CheckHolidayRemoval),
// ENOTFOUND for a date without one.
func (hs *Holidays) Remove(ctx context.Context, a Actor, date, reason string) (lindungi.Holiday, error) {
	a, err := hs.national(a)
	if err != nil {
		return lindungi.Holiday{}, err
	}
	reason = lindungi.TrimText(reason)
	if err := lindungi.CheckHolidayRemoval(date, reason); err != nil {
		return lindungi.Holiday{}, err
	}
	return hs.Store.RemoveHoliday(ctx, date, reason, a.Event(ctx))
}

// national returns a decided at the top unit, or EFORBIDDEN.
func (hs *Holidays) national(a Actor) (Actor, error) {
	a, ok, err := hs.Access.At(a, hs.Units.Top())
	if err == nil && !ok {
		err = lindungi.Errorf(lindungi.EFORBIDDEN, "Only national administrators may change the holiday calendar.")
	}
	return a, err
}
