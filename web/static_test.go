package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"regexp"
	"strings"
	"testing"
)

func TestAssetNamesAreContentHashed(t *testing.T) {
	for _, name := range []string{"app.css", "htmx.min.js", "icon.svg"} {
		u := Asset(name)
		ext := path.Ext(name)[1:]
		base := strings.TrimSuffix(name, "."+ext)
		if !regexp.MustCompile(`^/static/` + regexp.QuoteMeta(base) + `\.[0-9a-f]{12}\.` + regexp.QuoteMeta(ext) + `$`).MatchString(u) {
			t.Errorf("Asset(%q) = %q, want /static/%s.<hash>.%s", name, u, base, ext)
		}
		body, err := os.ReadFile("static/" + name)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(body)
		if !strings.Contains(u, hex.EncodeToString(sum[:])[:12]) {
			t.Errorf("Asset(%q) = %q does not name the file's content hash", name, u)
		}
	}
}

func TestStatic(t *testing.T) {
	css := Asset("app.css")
	tests := []struct {
		name       string
		path       string
		header     [2]string
		wantStatus int
		wantType   string
		wantGzip   bool
	}{
		{name: "hashed name", path: css, wantStatus: 200, wantType: "text/css; charset=utf-8"},
		{name: "gzipped when asked", path: Asset("htmx.min.js"), header: [2]string{"Accept-Encoding", "br, gzip"}, wantStatus: 200, wantType: "text/javascript; charset=utf-8", wantGzip: true},
		{name: "not modified", path: css, header: [2]string{"If-None-Match", `"` + strings.Split(css, ".")[1] + `"`}, wantStatus: 304},
		{name: "plain name is not served", path: "/static/app.css", wantStatus: 404},
		{name: "notes are not served", path: "/static/VENDORED.md", wantStatus: 404},
		{name: "wrong hash", path: "/static/app.000000000000.css", wantStatus: 404},
		{name: "no traversal", path: "/static/../views/layout.html", wantStatus: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, tt.path, nil)
			if tt.header[0] != "" {
				r.Header.Set(tt.header[0], tt.header[1])
			}
			w := httptest.NewRecorder()
			Static().ServeHTTP(w, r)
			res := w.Result()
			if res.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d", res.StatusCode, tt.wantStatus)
			}
			if got := res.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q", got)
			}
			if tt.wantStatus != 200 {
				return
			}
			if got := res.Header.Get("Content-Type"); got != tt.wantType {
				t.Errorf("Content-Type = %q, want %q", got, tt.wantType)
			}
			if got, want := res.Header.Get("Cache-Control"), "public, max-age=31536000, immutable"; got != want {
				t.Errorf("Cache-Control = %q, want %q", got, want)
			}
			body, _ := io.ReadAll(res.Body)
			if tt.wantGzip {
				if res.Header.Get("Content-Encoding") != "gzip" {
					t.Fatal("not gzipped")
				}
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				body, _ = io.ReadAll(zr)
			}
			if len(body) == 0 {
				t.Error("empty body")
			}
		})
	}
}

// TestVendoredHTMX fails when htmx.min.js changes without VENDORED.md
// recording its version and checksum.
func TestVendoredHTMX(t *testing.T) {
	js, err := os.ReadFile("static/htmx.min.js")
	if err != nil {
		t.Fatal(err)
	}
	notes, err := os.ReadFile("static/VENDORED.md")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(js)
	if !bytes.Contains(notes, []byte(hex.EncodeToString(sum[:]))) {
		t.Errorf("VENDORED.md does not record the sha256 of htmx.min.js (%x)", sum)
	}
	m := regexp.MustCompile(`version:"(2\.[0-9]+\.[0-9]+)"`).FindSubmatch(js)
	if m == nil {
		t.Fatal("htmx.min.js names no version")
	}
	if !bytes.Contains(notes, []byte("| "+string(m[1])+" |")) {
		t.Errorf("VENDORED.md does not record htmx version %s", m[1])
	}
	if _, err := os.Stat("static/htmx.LICENSE"); err != nil {
		t.Errorf("the htmx licence must ship next to it: %v", err)
	}
}

// Every block of the style sheet is closed where it should be: a rule
// left open swallows the rest of the file into a media query.
func TestStyleSheetBlocksClose(t *testing.T) {
	b, err := staticFiles.ReadFile("static/app.css")
	if err != nil {
		t.Fatal(err)
	}
	depth, line := 0, 1
	for _, ch := range string(b) {
		switch ch {
		case '\n':
			line++
		case '{':
			depth++
		case '}':
			depth--
			if depth < 0 {
				t.Fatalf("app.css line %d closes a block that was not open", line)
			}
		}
	}
	if depth != 0 {
		t.Errorf("app.css leaves %d blocks open", depth)
	}
}
