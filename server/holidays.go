package server

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/lindungi/lindungi"
)

// holidayCalendar is the answer of the holiday list for one year.
type holidayCalendar struct {
	Year         int                `json:"year"`
	HasData      bool               `json:"has_data"`
	FallbackNote string             `json:"fallback_note,omitempty"`
	Years        []int              `json:"years"` // every year with calendar data
	Items        []lindungi.Holiday `json:"items"`
}

// fallbackNote says what deadlines in a year without holiday data count.
func fallbackNote(year int) string {
	return fmt.Sprintf("Tidak ada data hari libur untuk %d: hanya Sabtu dan Minggu yang dihitung (No holiday data for %d: only weekends are skipped)", year, year)
}

// listHolidays lists the holidays of ?year= (this year in WIB by default)
// and says when the year has no data, so that deadlines in it skip weekends only.
func (s *Server) listHolidays(c *gin.Context) {
	year := s.Now().In(lindungi.WIB).Year()
	if q := c.Query("year"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil || n < 2000 || n > 2100 {
			s.problem(c, &lindungi.Error{Code: lindungi.EINVALID, Message: "The request has invalid fields.",
				Fields: []lindungi.FieldError{{Field: "year", Reason: "must be a year from 2000 to 2100"}}})
			return
		}
		year = n
	}
	ctx := c.Request.Context()
	items, err := s.Store.HolidaysOf(ctx, year)
	if err != nil {
		s.problem(c, err)
		return
	}
	years, err := s.Store.HolidayYears(ctx)
	if err != nil {
		s.problem(c, err)
		return
	}
	out := holidayCalendar{Year: year, HasData: lindungi.NewCalendar(items).HasYear(year), Years: years, Items: items}
	if out.Items == nil {
		out.Items = []lindungi.Holiday{}
	}
	if out.Years == nil {
		out.Years = []int{}
	}
	if !out.HasData {
		out.FallbackNote = fallbackNote(year)
	}
	c.JSON(http.StatusOK, out)
}

type holidayRequest struct {
	Date   string `json:"date"`
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// addHoliday adds a holiday to the national calendar. Deadlines already set
// do not move.
func (s *Server) addHoliday(c *gin.Context) {
	var req holidayRequest
	if err := bindJSON(c, &req); err != nil {
		s.problem(c, err)
		return
	}
	if !s.nationalCalendar(c) {
		return
	}
	h, err := s.Store.AddHoliday(c.Request.Context(), lindungi.Holiday{Date: req.Date, Kind: req.Kind, Name: req.Name}, req.Reason, s.event(c))
	if err != nil {
		s.problem(c, err)
		return
	}
	s.storeResponse(c, http.StatusCreated, h)
	c.JSON(http.StatusCreated, h)
}

// removeHoliday removes the holiday on :date, with ?reason=. Deadlines
// already set do not move.
func (s *Server) removeHoliday(c *gin.Context) {
	if !s.nationalCalendar(c) {
		return
	}
	h, err := s.Store.RemoveHoliday(c.Request.Context(), c.Param("date"), strings.TrimSpace(c.Query("reason")), s.event(c))
	if err != nil {
		s.problem(c, err)
		return
	}
	c.JSON(http.StatusOK, h)
}

// nationalCalendar lets through callers who may use this route at the top
// unit: the holiday calendar is the whole country's (joint ministerial
// decree), so only national administrators change it.
func (s *Server) nationalCalendar(c *gin.Context) bool {
	d, err := s.Authorizer.Authorize(principal(c), s.topUnit(), c.FullPath(), c.Request.Method)
	if err == nil && !d.Allowed {
		err = lindungi.Errorf(lindungi.EFORBIDDEN, "Only national administrators may change the holiday calendar.")
	}
	if err != nil {
		s.problem(c, err)
		return false
	}
	s.allowed(c, d, nil)
	return true
}
