package lindungi

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Scheme is the placement scheme of a worker.
type Scheme string

// Placement schemes (Law 18/2017).
const (
	SchemeG2G     Scheme = "G2G"     // government to government
	SchemeP2P     Scheme = "P2P"     // through a licensed placement company (P3MI)
	SchemeMandiri Scheme = "MANDIRI" // independent, to a legal-entity employer
)

// Valid reports whether s is a known scheme.
func (s Scheme) Valid() bool {
	switch s {
	case SchemeG2G, SchemeP2P, SchemeMandiri:
		return true
	}
	return false
}

// Worker is a prospective or placed migrant worker (CPMI/PMI).
type Worker struct {
	ID           uuid.UUID `json:"id"`
	NIK          string    `json:"nik"`
	Name         string    `json:"name"`
	BirthDate    string    `json:"birth_date"` // YYYY-MM-DD
	DomicileUnit string    `json:"domicile_unit"`
	Phone        string    `json:"phone"`
	Address      string    `json:"address"` // free text; "" until recorded
	Scheme       Scheme    `json:"scheme"`
	// PlacementCompany and JobOrderRef are required for P2P workers.
	PlacementCompany string    `json:"placement_company,omitempty"`
	JobOrderRef      string    `json:"job_order_ref,omitempty"`
	JourneyStep      Step      `json:"journey_step"`
	WorkflowID       string    `json:"journey_workflow_id"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// NewWorker is the input of a registration.
type NewWorker struct {
	NIK          string `json:"nik"`
	Name         string `json:"name"`
	BirthDate    string `json:"birth_date"`
	DomicileUnit string `json:"domicile_unit"`
	Phone        string `json:"phone"`
	Scheme       Scheme `json:"scheme"`
	// PlacementCompany and JobOrderRef: the P3MI and its job order, required
	// for P2P and refused for the other schemes.
	PlacementCompany string `json:"placement_company,omitempty"`
	JobOrderRef      string `json:"job_order_ref,omitempty"`
	// Entry is where the journey starts: REGISTERED (the default) or
	// OUTREACH, for a prospective worker met at a sosialisasi.
	Entry Step `json:"entry,omitempty"`
}

// MinimumAge is the legal minimum age of a migrant worker (Law 18/2017 art. 5).
const MinimumAge = 18

// Normalize trims the input and puts the phone number in E.164 form
// (+62...). It leaves values it cannot read as they are, for Validate to name.
func (w *NewWorker) Normalize() {
	w.NIK = strings.TrimSpace(w.NIK)
	w.Name = strings.Join(strings.Fields(w.Name), " ")
	w.BirthDate = strings.TrimSpace(w.BirthDate)
	w.DomicileUnit = strings.TrimSpace(w.DomicileUnit)
	w.Scheme = Scheme(strings.ToUpper(strings.TrimSpace(string(w.Scheme))))
	w.PlacementCompany = strings.Join(strings.Fields(w.PlacementCompany), " ")
	w.JobOrderRef = strings.TrimSpace(w.JobOrderRef)
	w.Entry = Step(strings.ToUpper(strings.TrimSpace(string(w.Entry))))
	if w.Entry == "" {
		w.Entry = StepRegistered
	}
	if p, ok := NormalizePhone(w.Phone); ok {
		w.Phone = p
	}
}

// Validate checks the fields that need no database, on the day today, and
// names each bad field.
func (w NewWorker) Validate(today time.Time) error {
	var v Validation
	birth, birthErr := time.Parse(time.DateOnly, w.BirthDate)
	switch {
	case w.BirthDate == "":
		v.Add("birth_date", "is required")
	case birthErr != nil:
		v.Add("birth_date", "must be a date in the form YYYY-MM-DD")
	case birth.After(today):
		v.Add("birth_date", "is in the future")
	case birth.Year() < 1900:
		v.Add("birth_date", "is before 1900")
	case birth.AddDate(MinimumAge, 0, 0).After(today):
		v.Add("birth_date", "the worker must be at least 18 years old")
	}
	if reason := CheckNIK(w.NIK); reason != "" {
		v.Add("nik", reason)
	} else if birthErr == nil && !NIKMatchesBirthDate(w.NIK, birth) {
		v.Add("nik", "digits 7 to 12 do not match birth_date (DDMMYY, women +40 on the day)")
	}
	checkName(&v, "name", w.Name)
	if !districtCode.MatchString(w.DomicileUnit) {
		v.Add("domicile_unit", "must be a district code of 4 digits, such as 3305")
	}
	if _, ok := NormalizePhone(w.Phone); !ok {
		v.Add("phone", "must be an Indonesian phone number such as 081234567890 or +6281234567890")
	}
	if !w.Scheme.Valid() {
		v.Add("scheme", "must be one of G2G, P2P, MANDIRI")
	}
	if w.Entry != "" && w.Entry != StepRegistered && w.Entry != StepOutreach {
		v.Add("entry", "must be REGISTERED or OUTREACH")
	}
	switch {
	case w.Scheme == SchemeP2P && w.PlacementCompany == "":
		v.Add("placement_company", "is required for P2P: the licensed placement company (P3MI)")
	case w.Scheme != SchemeP2P && w.PlacementCompany != "":
		v.Add("placement_company", "only P2P workers have a placement company")
	default:
		checkText(&v, "placement_company", w.PlacementCompany, 0, 200)
	}
	switch {
	case w.Scheme == SchemeP2P && w.JobOrderRef == "":
		v.Add("job_order_ref", "is required for P2P: the job order the worker is placed on")
	case w.Scheme != SchemeP2P && w.JobOrderRef != "":
		v.Add("job_order_ref", "only P2P workers have a job order")
	default:
		checkText(&v, "job_order_ref", w.JobOrderRef, 0, 64)
	}
	return v.Err()
}

// CheckNIK returns why nik is not a well-formed NIK (Nomor Induk
// Kependudukan), or "" when it is: 16 digits, a plausible province code, a
// month and a day (women add 40) and a serial that is not 0000.
func CheckNIK(nik string) string {
	if nik == "" {
		return "is required"
	}
	if len(nik) != 16 || strings.IndexFunc(nik, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return "must be exactly 16 digits"
	}
	if prov := atoi2(nik[0:2]); prov < 11 || prov > 96 {
		return "digits 1 and 2 must be a province code (11 to 96)"
	}
	day, month := atoi2(nik[6:8]), atoi2(nik[8:10])
	if day > 40 {
		day -= 40
	}
	if day < 1 || day > 31 || month < 1 || month > 12 {
		return "digits 7 to 10 must be a birth day and month"
	}
	if nik[12:] == "0000" {
		return "digits 13 to 16 must be a serial number other than 0000"
	}
	return ""
}

// NIKMatchesBirthDate reports whether the birth date coded in a well-formed
// NIK (DDMMYY, with 40 added to the day for women) is birth.
func NIKMatchesBirthDate(nik string, birth time.Time) bool {
	day := atoi2(nik[6:8])
	if day > 40 {
		day -= 40
	}
	return day == birth.Day() && atoi2(nik[8:10]) == int(birth.Month()) && atoi2(nik[10:12]) == birth.Year()%100
}

func atoi2(s string) int { return int(s[0]-'0')*10 + int(s[1]-'0') }

// NormalizePhone returns an Indonesian phone number in E.164 form. It accepts
// 08..., 628... and +628... with spaces, dots or dashes between digits.
func NormalizePhone(s string) (string, bool) {
	s = strings.TrimSpace(s)
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
		case r == ' ' || r == '-' || r == '.':
		default:
			return "", false
		}
	}
	d := b.String()
	switch {
	case strings.HasPrefix(d, "62"):
		d = d[2:]
	case strings.HasPrefix(d, "0") && !strings.HasPrefix(s, "+"):
		d = d[1:]
	default:
		return "", false
	}
	// National significant numbers are 8 to 12 digits and never start with 0.
	if len(d) < 8 || len(d) > 12 || d[0] == '0' {
		return "", false
	}
	return "+62" + d, true
}

// WorkerQuery is a search for a worker before a complaint is recorded:
// by NIK, by name (with the birth date, or at least 3 characters), or by
// phone. A worker matching any criterion is found.
type WorkerQuery struct {
	NIK       string
	Name      string
	BirthDate string // YYYY-MM-DD; narrows a name search
	Phone     string
	Scope     Scope // only workers domiciled at or below these units, or these workers
	Limit     int
}

// Normalize trims the query and puts the phone number in E.164 form.
func (q *WorkerQuery) Normalize() {
	q.NIK = strings.TrimSpace(q.NIK)
	q.Name = strings.Join(strings.Fields(q.Name), " ")
	q.BirthDate = strings.TrimSpace(q.BirthDate)
	q.Phone = strings.TrimSpace(q.Phone)
	if p, ok := NormalizePhone(q.Phone); ok {
		q.Phone = p
	}
}

// Validate names each bad criterion; a query needs at least one.
func (q WorkerQuery) Validate() error {
	var v Validation
	if q.NIK == "" && q.Name == "" && q.Phone == "" {
		v.Add("nik", "give at least one of nik, name (with birth_date or at least 3 characters) or phone")
		return v.Err()
	}
	if q.NIK != "" && (len(q.NIK) != 16 || strings.IndexFunc(q.NIK, func(r rune) bool { return r < '0' || r > '9' }) >= 0) {
		v.Add("nik", "must be exactly 16 digits")
	}
	if (Text{Max: maxName}).Check(&v, "name", q.Name) {
		if n := len([]rune(q.Name)); n > 0 && n < 3 && q.BirthDate == "" {
			v.Add("name", "needs birth_date or at least 3 characters")
		}
	}
	if q.BirthDate != "" {
		if _, err := time.Parse(time.DateOnly, q.BirthDate); err != nil {
			v.Add("birth_date", "must be a date in the form YYYY-MM-DD")
		} else if q.Name == "" {
			v.Add("birth_date", "narrows a name search: give name too")
		}
	}
	if _, ok := NormalizePhone(q.Phone); q.Phone != "" && !ok {
		v.Add("phone", "must be an Indonesian phone number such as 081234567890 or +6281234567890")
	}
	return v.Err()
}

// WorkerMatch is a worker found by a search: enough to tell people apart
// and pick one, no more.
type WorkerMatch struct {
	ID           uuid.UUID  `json:"id"`
	Name         string     `json:"name"`
	DomicileUnit string     `json:"domicile_unit"`
	Provisional  bool       `json:"provisional"`
	MergedInto   *uuid.UUID `json:"merged_into,omitempty"`
	MatchedBy    []string   `json:"matched_by"` // nik, name, phone
}

// WorkerService keeps workers. Every write stores its audit event in the
// same transaction. Searching and merging workers belong to CaseService,
// which makes provisional workers at a complaint's intake.
type WorkerService interface {
	// CreateWorker registers a worker and writes its audit event, and the
	// answer of the request (NewContextWithAnswer), in one transaction.
	// EINVALID for an unknown domicile unit, ECONFLICT for a NIK already
	// registered.
	CreateWorker(ctx context.Context, w NewWorker, ev Event) (Worker, error)
	// FindWorker returns a worker. ENOTFOUND if there is none.
	FindWorker(ctx context.Context, id uuid.UUID) (Worker, error)
	// MarkJourneyStarted records that the worker's journey workflow runs,
	// so the reconciler does not start it again. Marking it twice changes
	// nothing; it returns no domain error codes.
	MarkJourneyStarted(ctx context.Context, id uuid.UUID) error
	// CorrectWorker applies a correction (checked against the worker as
	// stored, under its row lock: WorkerCorrection.Check) and writes its
	// audit event (worker.correct, the changed fields before and after,
	// masked where they are personal data) and the answer of the request
	// (NewContextWithAnswer), in one transaction. ENOTFOUND, EINVALID
	// naming bad fields or for a correction that changes nothing,
	// ECONFLICT for a merged worker, a scheme the journey has used
	// already, or a NIK registered to another worker.
	CorrectWorker(ctx context.Context, id uuid.UUID, c WorkerCorrection, ev Event) (Worker, error)
}
