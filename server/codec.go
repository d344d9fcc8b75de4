package server

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/lindungi/lindungi"
	commonpb "go.temporal.io/api/common/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

// The remote codec of the Temporal UI (and `temporal --codec-endpoint`):
// POST /codec/encode and /codec/decode take and answer {"payloads": [...]}
// in Temporal's JSON form, encrypted or in clear by the payload codec the
// workers use. Decoding shows workflow data, personal data among it: only
// administrators may, each call is logged as a read, and the browser
// origins allowed to call (the Temporal UI's) are configured.

// maxCodecBody is the largest request the codec accepts.
const maxCodecBody = 4 << 20

// codecPurpose is the purpose of the access event of a decode.
const codecPurpose = "temporal-ui"

// codecEncode and codecDecode are the codec's two routes.
func (s *Server) codecEncode(c *gin.Context) { s.codec(c, false) }
func (s *Server) codecDecode(c *gin.Context) { s.codec(c, true) }

// codecRequest is the codec's body: Temporal payloads in Temporal's JSON
// form, their bytes in standard base64.
type codecRequest struct {
	Payloads []codecPayload `json:"payloads"`
}

type codecPayload struct {
	Metadata map[string]string `json:"metadata,omitempty"`
	Data     string            `json:"data,omitempty"`
}

// payloads decodes the base64 of each payload, naming the field of each
// value that is not base64.
func (r codecRequest) payloads() ([]*commonpb.Payload, error) {
	var v lindungi.Validation
	out := make([]*commonpb.Payload, len(r.Payloads))
	for i, p := range r.Payloads {
		field := "payloads[" + strconv.Itoa(i) + "]"
		out[i] = &commonpb.Payload{Metadata: make(map[string][]byte, len(p.Metadata))}
		for k, b64 := range p.Metadata {
			b, err := base64.StdEncoding.DecodeString(b64)
			if err != nil {
				v.Add(field+".metadata."+k, "must be standard base64")
			}
			out[i].Metadata[k] = b
		}
		b, err := base64.StdEncoding.DecodeString(p.Data)
		if err != nil {
			v.Add(field+".data", "must be standard base64")
		}
		out[i].Data = b
	}
	return out, v.Err()
}

func (s *Server) codec(c *gin.Context, decode bool) {
	if s.Codec == nil {
		s.problem(c, lindungi.Errorf(lindungi.ENOTFOUND, "This server has no payload codec."))
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxCodecBody)
	var req codecRequest
	if err := bindJSON(c, &req); err != nil {
		s.problem(c, err)
		return
	}
	in, err := req.payloads()
	if err != nil {
		s.problem(c, err)
		return
	}
	var out []*commonpb.Payload
	if decode {
		ev := actor(c).Event(c.Request.Context())
		ev.Action, ev.SubjectType, ev.SubjectID, ev.Purpose = "access.codec", "temporal-payloads", strconv.Itoa(len(in)), codecPurpose
		if err := s.Audit.RecordAccess(c.Request.Context(), ev); err != nil {
			s.problem(c, err)
			return
		}
		out, err = s.Codec.Decode(in)
	} else {
		out, err = s.Codec.Encode(in)
	}
	if err != nil {
		var v lindungi.Validation
		v.Add("payloads", "could not be encoded or decoded: "+err.Error())
		s.problem(c, v.Err())
		return
	}
	body, err := protojson.Marshal(&commonpb.Payloads{Payloads: out})
	if err != nil {
		s.problem(c, err)
		return
	}
	c.Data(http.StatusOK, "application/json", body)
}

// allowOrigins lets the configured origins (the Temporal UI's) call a cors
// route from a browser, with their credentials, refusals included.
func (s *Server) allowOrigins(c *gin.Context) {
	origin := c.GetHeader("Origin")
	if origin != "" && slices.Contains(s.CodecOrigins, origin) {
		h := c.Writer.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
		h.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
		h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Namespace")
		h.Set("Access-Control-Max-Age", "600")
	}
	c.Writer.Header().Add("Vary", "Origin")
	c.Next()
}

// preflight answers a browser's CORS preflight (allowOrigins set the headers).
func (s *Server) preflight(c *gin.Context) { c.Status(http.StatusNoContent) }
