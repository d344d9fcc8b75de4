package devenv

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"

	"github.com/lib/pq"
)

// AppRole is the group role `lindungi migrate` grants the application's
// privileges to (schema/00014_app_role.sql).
const AppRole = "lindungi_app"

// AppLogin makes login a login role in AppRole on the server of ownerDSN
// (a migrated database, reached as a role that may create roles) when it
// is missing, and returns ownerDSN with login as its user: what `lindungi
// serve` and `lindungi worker` connect with on this machine, as they do in
// production. Local servers trust local connections, so it has no
// password.
func AppLogin(ctx context.Context, ownerDSN, login string) (string, error) {
	u, err := url.Parse(ownerDSN)
	if err != nil {
		return "", fmt.Errorf("application role: %w", err)
	}
	db, err := sql.Open("postgres", ownerDSN)
	if err != nil {
		return "", err
	}
	defer db.Close()
	var exists bool
	if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = $1)`, login).Scan(&exists); err != nil {
		return "", fmt.Errorf("application role %s: %w", login, err)
	}
	if !exists {
		_, err := db.ExecContext(ctx, "CREATE ROLE "+pq.QuoteIdentifier(login)+" LOGIN IN ROLE "+AppRole)
		var pqErr *pq.Error
		// Another process of this machine made it meanwhile.
		if err != nil && !(errors.As(err, &pqErr) && (pqErr.Code == "42710" || pqErr.Code == "23505")) {
			return "", fmt.Errorf("create application role %s: %w", login, err)
		}
	}
	u.User = url.User(login)
	return u.String(), nil
}
