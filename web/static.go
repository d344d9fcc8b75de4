package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// StaticPrefix is where the assets are served.
const StaticPrefix = "/static/"

//go:embed static
var staticFiles embed.FS

// servedTypes are the assets served, by extension; the rest of the folder
// (the vendoring notes, licences) ships in the repository only.
var servedTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml",
}

// asset is one static file under its content-hashed name.
type asset struct {
	name  string // app.3f9a1c2b.css
	ctype string
	body  []byte
	gz    []byte // body gzipped, when that is smaller
	etag  string
}

// assetSet maps each file's plain name to its hashed name and serves the
// hashed names. A hashed name never changes its content, so browsers keep
// it for a year without asking again.
type assetSet struct {
	urls   map[string]string // "app.css" -> "/static/app.3f9a1c2b.css"
	hashed map[string]*asset // "app.3f9a1c2b.css" -> the file
}

var assets = mustLoadAssets(staticFiles)

func mustLoadAssets(fsys fs.FS) *assetSet {
	a, err := loadAssets(fsys)
	if err != nil {
		panic(err) // the assets are embedded: a broken set cannot ship
	}
	return a
}

func loadAssets(fsys fs.FS) (*assetSet, error) {
	a := &assetSet{urls: map[string]string{}, hashed: map[string]*asset{}}
	entries, err := fs.ReadDir(fsys, "static")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		ext := path.Ext(e.Name())
		ctype, ok := servedTypes[ext]
		if e.IsDir() || !ok {
			continue
		}
		body, err := fs.ReadFile(fsys, "static/"+e.Name())
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(body)
		h := hex.EncodeToString(sum[:])[:12]
		f := &asset{name: strings.TrimSuffix(e.Name(), ext) + "." + h + ext, ctype: ctype, body: body, etag: `"` + h + `"`}
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		zw.Write(body)
		zw.Close()
		if gz.Len() < len(body) {
			f.gz = gz.Bytes()
		}
		a.urls[e.Name()] = StaticPrefix + f.name
		a.hashed[f.name] = f
	}
	return a, nil
}

// Asset returns the URL of a static file by its plain name ("app.css"):
// its content-hashed name under StaticPrefix. It panics for a file that is
// not there, which the view tests catch.
func Asset(name string) string {
	u, ok := assets.urls[name]
	if !ok {
		panic(fmt.Sprintf("web: no static asset %q", name))
	}
	return u
}

// Static serves the assets by their hashed names: the request's path is
// StaticPrefix and a hashed name. Anything else is not found.
func Static() http.Handler { return assets }

func (a *assetSet) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutPrefix(r.URL.Path, StaticPrefix)
	f := a.hashed[name]
	if !ok || f == nil {
		SecureHeaders(w.Header())
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	SecureHeaders(h)
	h.Set("Content-Type", f.ctype)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", f.etag)
	h.Set("Vary", "Accept-Encoding")
	if r.Header.Get("If-None-Match") == f.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := f.body
	if f.gz != nil && acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = f.gz
	}
	h.Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

func acceptsGzip(r *http.Request) bool {
	for part := range strings.SplitSeq(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(enc) == "gzip" && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}
