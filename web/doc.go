// Package web is what Lindungi's pages are made of: the html/template
// views (one per page, a shared layout and components, embedded), the
// static assets under content-hashed names, the message catalogue in
// Bahasa Indonesia and English, the formatting of dates, money and
// deadlines, the signed and encrypted session cookie with its CSRF token,
// and the OpenID Connect sign-in of browsers. It holds no handlers and no
// business rules: package server's page handlers call the application
// services, then render with what is here.
package web
