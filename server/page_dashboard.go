package server

import (
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/app"
	"github.com/lindungi/lindungi/web"
)

// dashboardPage is the Dasbor: every figure of GET /v1/stats/... for a
// unit (?unit=, the user's own by default; a unit out of reach is 403)
// and the units below it, flows over a period (?period=, this year by
// default), through app.Stats.Dashboard. The figures hold no personal
// data of workers, so the page logs no reads.
func (s *Server) dashboardPage(c *gin.Context) {
	ctx, a := c.Request.Context(), actor(c)
	// The unit first: out of reach is 403, unknown 422, before the period.
	r := app.StatsRequest{Unit: c.Query("unit")}
	if _, err := s.Stats.Query(ctx, a, r); err != nil {
		s.problem(c, err)
		return
	}
	period := c.DefaultQuery("period", web.PeriodYear)
	from, to, ok := web.PeriodDays(period, s.Now())
	if !ok {
		var v lindungi.Validation
		v.Add("period", "is not a period the dashboard offers")
		s.problem(c, v.Err())
		return
	}
	r.From, r.To = from.Format(time.DateOnly), to.Format(time.DateOnly)
	d, err := s.Stats.Dashboard(ctx, a, r)
	if err != nil {
		s.problem(c, err)
		return
	}
	page := s.frame(c, "dashboard")
	units := map[string]string{}
	for _, u := range s.Units {
		units[u.Code] = u.Name
	}
	var choices [][2]string // the user's unit and the units below it
	for _, u := range s.Units {
		if slices.Contains(s.Units.Path(u.Code), a.Principal.Unit) {
			choices = append(choices, [2]string{u.Code, u.Name})
		}
	}
	if !slices.ContainsFunc(choices, func(u [2]string) bool { return u[0] == d.Query.Unit }) {
		choices = append(choices, [2]string{d.Query.Unit, units[d.Query.Unit]}) // a unit reached by delegation
	}
	s.render(c, http.StatusOK, "dashboard", web.NewDashboardPage(page, web.DashboardInput{
		Unit: d.Query.Unit, Period: period, Units: units, Choices: choices, Query: d.Query,
		Tasks: d.Tasks, Cases: d.Cases, Resolution: d.Resolution, Recovery: d.Recovery, Journeys: d.Journeys, Workload: d.Workload,
	}))
}
