package lindungi

import "context"

// User is an entry of the user directory: the people who sign in, their
// unit and roles. Tokens are the identity; the directory is what the
// product shows and assigns work to.
type User struct {
	Subject string   `json:"sub"`
	Name    string   `json:"name"`
	Unit    string   `json:"unit"`
	Roles   []string `json:"roles"`
}

// UserService keeps the user directory.
type UserService interface {
	// FindUser returns a user of the directory. ENOTFOUND if there is none.
	FindUser(ctx context.Context, subject string) (User, error)
	// UpsertUsers adds users to the directory or updates their name, unit
	// and roles. EINVALID for an unknown unit.
	UpsertUsers(ctx context.Context, users []User) error
}
