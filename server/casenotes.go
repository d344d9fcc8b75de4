package server

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/app"
)

// caseNoteBody is the body of a new note.
type caseNoteBody struct {
	Text string `json:"text"`
}

// caseNotesMax is the most notes a read answers: the newest ones.
const caseNotesMax = 200

// addCaseNote writes a note on a case the caller's unit may read; the note
// and its audit event are one write, which stores the answer.
func (s *Server) addCaseNote(c *gin.Context) {
	var body caseNoteBody
	id, ok := s.bindOn(c, &body, false)
	if !ok {
		return
	}
	n, err := s.Cases.AddNote(withAnswer(c, http.StatusCreated), actor(c), app.NewCaseNote{CaseID: id, Text: body.Text})
	if err != nil {
		s.problem(c, err)
		return
	}
	c.JSON(http.StatusCreated, n) // stored with the note, in its transaction
}

// caseNoteList is the answer of the notes of a case.
type caseNoteList struct {
	Items []lindungi.CaseNote `json:"items"`
}

// listCaseNotes answers a case's notes, oldest first (the newest
// caseNotesMax). Notes are personal data: the read is logged with its
// purpose (access.case_notes) before the answer is sent.
func (s *Server) listCaseNotes(c *gin.Context) {
	id, ok := s.pathID(c)
	if !ok {
		return
	}
	notes, pc, a, err := s.Cases.ListNotes(c.Request.Context(), actor(c), id, caseNotesMax)
	if err != nil {
		s.problem(c, err)
		return
	}
	purpose, err := s.purpose(c, false) // after the reach, as the case's read
	if err != nil {
		s.problem(c, err)
		return
	}
	if err := s.logAccess(c, a, "access.case_notes", "case", pc.ID.String(), &pc.WorkerID, purpose, nil); err != nil {
		s.problem(c, err)
		return
	}
	if notes == nil {
		notes = []lindungi.CaseNote{}
	}
	c.JSON(http.StatusOK, caseNoteList{Items: notes})
}
