package web

import "net/http"

// ContentSecurityPolicy allows scripts, styles and images from this origin
// only (images also as data: URLs), no framing, and forms that post back
// here. Pages therefore carry no inline script or style: htmx and the CSS
// are files of StaticPrefix.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"

// SecureHeaders sets the security headers every page and asset carries.
func SecureHeaders(h http.Header) {
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
}
