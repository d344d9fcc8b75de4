package server

import (
	"fmt"
	"net/http"
	"strconv"

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
	cal, err := s.Holidays.Year(c.Request.Context(), year)
	if err != nil {
		s.problem(c, err)
		return
	}
	out := holidayCalendar{Year: year, HasData: cal.HasData, Years: cal.Years, Items: cal.Holidays}
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
	h, err := s.Holidays.Add(c.Request.Context(), actor(c), lindungi.Holiday{Date: req.Date, Kind: req.Kind, Name: req.Name}, req.Reason)
	if err != nil {
		s.problem(c, err)
		return
	}
	s.answer(c, http.StatusCreated, h)
}

// removeHoliday removes the holiday on :date, with ?reason=. Deadlines
// already set do not move.
func (s *Server) removeHoliday(c *gin.Context) {
	h, err := s.Holidays.Remove(c.Request.Context(), actor(c), c.Param("date"), c.Query("reason"))
	if err != nil {
		s.problem(c, err)
		return
	}
	c.JSON(http.StatusOK, h)
}
