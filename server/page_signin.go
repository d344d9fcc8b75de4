package server

import (
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/web"
)

// signInPage offers the ways to sign in: the identity provider, and in
// development the demo users, each a button. It starts a session nobody is
// signed in to yet, so that its forms carry a CSRF token.
func (s *Server) signInPage(c *gin.Context) {
	if session(c).SignedIn() {
		s.redirect(c, web.LocalPath(c.Query("next")))
		return
	}
	s.renderSignIn(c, http.StatusOK, nil)
}

// renderSignIn renders the sign-in page, with flash, and saves the
// session whose CSRF token its forms carry (a new one, when the request
// had none).
func (s *Server) renderSignIn(c *gin.Context, status int, flash *web.Flash) {
	page := s.frame(c, "")
	if flash != nil {
		page.Flash = append(page.Flash, *flash)
	}
	data := web.SignInPage{Page: page, OIDC: s.Pages.OIDC != nil, Next: web.LocalPath(c.Query("next"))}
	if len(s.Pages.DemoUsers) > 0 {
		units := map[string]string{}
		for _, u := range s.Units {
			units[u.Code] = u.Name
		}
		data.DemoUsers = page.DemoUserTable(s.Pages.DemoUsers, units, page.CSRF, data.Next)
	}
	setSession(c, session(c)) // a new session: kept for the forms' token
	s.render(c, status, "signin", data)
}

// devSignIn signs in as the demo user the form names: development only.
// The form carries nothing but the user's subject; unit, roles and name
// come from the demo users.
func (s *Server) devSignIn(c *gin.Context) {
	i := slices.IndexFunc(s.Pages.DemoUsers, func(u lindungi.User) bool { return u.Subject == c.PostForm("sub") })
	if i < 0 {
		s.problem(c, lindungi.Errorf(lindungi.ENOTFOUND, "No such demo user."))
		return
	}
	u := s.Pages.DemoUsers[i]
	s.startSession(c, lindungi.Principal{Subject: u.Subject, Unit: u.Unit, Roles: u.Roles}, u.Name, c.Query("next"))
}

// startSession signs p in under name: the user directory learns the name,
// and a new session begins.
func (s *Server) startSession(c *gin.Context, p lindungi.Principal, name, next string) {
	ctx := c.Request.Context()
	if err := s.Users.UpsertUsers(ctx, []lindungi.User{{Subject: p.Subject, Name: name, Unit: p.Unit, Roles: p.Roles}}); err != nil {
		s.problem(c, err)
		return
	}
	setSession(c, s.Pages.Sessions.NewSignedIn(p, name))
	s.Logger.InfoContext(ctx, "signed in", "sub", p.Subject, "unit", p.Unit, "roles", p.Roles)
	s.redirect(c, web.LocalPath(next))
}

// oidcSignIn sends the browser to the identity provider.
func (s *Server) oidcSignIn(c *gin.Context) {
	if s.Pages.OIDC == nil {
		s.problem(c, lindungi.Errorf(lindungi.ENOTFOUND, "No identity provider is configured."))
		return
	}
	to, err := s.Pages.OIDC.Start(c.Writer, c.Query("next"))
	if err != nil {
		s.problem(c, err)
		return
	}
	c.Redirect(http.StatusFound, to)
}

// oidcCallback is where the identity provider sends the browser back: a
// verified ID token signs its user in.
func (s *Server) oidcCallback(c *gin.Context) {
	if s.Pages.OIDC == nil {
		s.problem(c, lindungi.Errorf(lindungi.ENOTFOUND, "No identity provider is configured."))
		return
	}
	in, err := s.Pages.OIDC.Finish(c.Writer, c.Request)
	if err != nil {
		s.Logger.WarnContext(c.Request.Context(), "sign-in refused", "err", err)
		page := web.NewPrinter(web.Lang(c.Request))
		s.renderSignIn(c, http.StatusUnauthorized, &web.Flash{Kind: "error", Text: page.T("signin.failed")})
		return
	}
	s.startSession(c, in.Principal, in.Name, in.Next)
}

// signOut ends the session: a new one, nobody signed in, takes its place
// and says so on the sign-in page.
func (s *Server) signOut(c *gin.Context) {
	if old := session(c); old.SignedIn() {
		s.Logger.InfoContext(c.Request.Context(), "signed out", "sub", old.Subject, "unit", old.Unit)
	}
	sess := s.Pages.Sessions.New()
	sess.Flash = "flash.signed_out"
	setSession(c, sess)
	s.redirect(c, "/masuk")
}

// switchLanguage remembers the language chosen and goes back to the page
// it was chosen on.
func (s *Server) switchLanguage(c *gin.Context) {
	if !web.SetLang(c.Writer, c.Param("lang"), s.Pages.Sessions.Secure) {
		s.problem(c, lindungi.Errorf(lindungi.ENOTFOUND, "No such language."))
		return
	}
	s.redirect(c, web.LocalPath(c.Query("next")))
}

// static serves the pages' assets by their content-hashed names.
func (s *Server) static(c *gin.Context) { web.Static().ServeHTTP(c.Writer, c.Request) }
