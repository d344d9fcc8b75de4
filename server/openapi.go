package server

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"
)

// OpenAPI is the API's OpenAPI 3 document. Tests check real requests and
// responses against it, and every route against its paths.
//
//go:embed openapi.yaml
var OpenAPI []byte

func (s *Server) openapi(c *gin.Context) {
	c.Data(http.StatusOK, "application/yaml", OpenAPI)
}
