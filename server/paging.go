package server

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/lindungi/lindungi"
)

// maxPage is the most items one page of a list holds.
const maxPage = 500

// pageParams reads limit (1 to maxPage, default def) and cursor, a page's
// last instant and ID, naming either when it is wrong.
func pageParams(c *gin.Context, v *lindungi.Validation, def int) (limit int, after time.Time, afterID uuid.UUID) {
	limit = def
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > maxPage {
			v.Add("limit", fmt.Sprintf("must be a number from 1 to %d", maxPage))
		}
		limit = n
	}
	if cur := c.Query("cursor"); cur != "" {
		var ok bool
		if after, afterID, ok = parseCursor(cur); !ok {
			v.Add("cursor", "is not a cursor this API gave")
		}
	}
	return limit, after, afterID
}

// A cursor is the instant and ID of the last row of a page: a task's
// deadline, a case's receipt.
func makeCursor(at time.Time, id uuid.UUID) string {
	return base64.RawURLEncoding.EncodeToString([]byte(at.UTC().Format(time.RFC3339Nano) + "|" + id.String()))
}

func parseCursor(s string) (time.Time, uuid.UUID, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return time.Time{}, uuid.Nil, false
	}
	at, id, ok := strings.Cut(string(b), "|")
	if !ok {
		return time.Time{}, uuid.Nil, false
	}
	t, err := time.Parse(time.RFC3339Nano, at)
	u, ok := lindungi.ParseID(id)
	return t, u, err == nil && ok
}

// boolParam reads an optional true/false query parameter; ok says it was
// given and well formed.
func boolParam(c *gin.Context, v *lindungi.Validation, name string) (value, ok bool) {
	switch c.Query(name) {
	case "":
		return false, false
	case "true":
		return true, true
	case "false":
		return false, true
	}
	v.Add(name, "must be true or false")
	return false, false
}

// uuidParam reads an optional ID query parameter, in its canonical form
// (lindungi.ParseID).
func uuidParam(c *gin.Context, v *lindungi.Validation, name, reason string) uuid.UUID {
	s := c.Query(name)
	if s == "" {
		return uuid.Nil
	}
	id, ok := lindungi.ParseID(s)
	if !ok {
		v.Add(name, reason+", in lowercase 8-4-4-4-12 form")
	}
	return id
}
