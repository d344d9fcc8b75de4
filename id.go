package lindungi

import "github.com/google/uuid"

// ParseID reads a record's ID in its one canonical form: lowercase
// hexadecimal in groups of 8-4-4-4-12, as the API writes IDs. Other forms
// uuid.Parse accepts (upper case, braces, urn:uuid:, no hyphens) name no
// record here: a client that changes an ID's spelling has made a mistake,
// and one record must not answer to several URLs.
func ParseID(s string) (uuid.UUID, bool) {
	if len(s) != 36 {
		return uuid.Nil, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return uuid.Nil, false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				return uuid.Nil, false
			}
		}
	}
	id, err := uuid.Parse(s)
	return id, err == nil
}
