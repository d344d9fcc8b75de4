package main

// The init script of the compose stack's PostgreSQL
// (deploy/postgres/initdb), run as the postgres image runs it but on a
// throwaway server of this machine, followed by the real migrations as the
// owner and the application's work as the application role.

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/lindungi/lindungi"
	"github.com/lindungi/lindungi/devenv"
	"github.com/lindungi/lindungi/postgres"
)

// psqlPath finds psql beside the server binaries, as the tests find those.
func psqlPath() (string, bool) {
	if dir := os.Getenv("LINDUNGI_PG_BIN"); dir != "" {
		p := filepath.Join(dir, "psql")
		_, err := os.Stat(p)
		return p, err == nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/psql")
	slices.Sort(matches)
	if len(matches) > 0 {
		return matches[len(matches)-1], true
	}
	p, err := exec.LookPath("psql")
	return p, err == nil
}

// at returns the DSN of a compose service pointed at the test server.
func at(t *testing.T, u *url.URL, port int) string {
	t.Helper()
	v := *u
	v.Host = "127.0.0.1:" + strconv.Itoa(port)
	return v.String()
}

// sqlState is the SQLSTATE code of a database error, or "".
func sqlState(err error) string {
	var e interface{ SQLState() string }
	if errors.As(err, &e) {
		return e.SQLState()
	}
	return ""
}

const insufficientPrivilege = "42501"

func TestComposeInitScriptRoles(t *testing.T) {
	psql, ok := psqlPath()
	if !ok {
		t.Skip("psql not found (it comes with the PostgreSQL server binaries; set LINDUNGI_PG_BIN)")
	}
	f := loadCompose(t)
	pgEnv := f.service(t, "postgres").Environment
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	// A cluster of its own: the script makes cluster-wide roles.
	dir, err := os.MkdirTemp("", "lindungi-initdb-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil { // PostgreSQL runs as postgres when the tests run as root
		t.Fatal(err)
	}
	pg, err := devenv.StartPostgres(ctx, devenv.PostgresOptions{DataDir: filepath.Join(dir, "pg"), Database: "postgres", Throwaway: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Stop() })

	// The postgres image runs the *.sh files of /docker-entrypoint-initdb.d
	// in name order with the service's environment, psql on the PATH and
	// the server reachable without a password.
	scripts, err := filepath.Glob(filepath.Join(repoRoot, "deploy/postgres/initdb/*.sh"))
	if err != nil || len(scripts) == 0 {
		t.Fatalf("init scripts: got %q (%v), want deploy/postgres/initdb/*.sh", scripts, err)
	}
	env := append(os.Environ(), "PATH="+filepath.Dir(psql)+":"+os.Getenv("PATH"),
		"PGHOST=127.0.0.1", "PGPORT="+strconv.Itoa(pg.Port))
	for k, v := range pgEnv {
		env = append(env, k+"="+v)
	}
	for _, s := range scripts {
		cmd := exec.CommandContext(ctx, "bash", s)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", s, err, out)
		}
	}

	// migrate, as the owner: the real migrations, reference data and
	// policies, with no privilege to create roles.
	ownerDSN := at(t, f.databaseURL(t, "migrate"), pg.Port)
	owner, err := postgres.Open(ctx, ownerDSN)
	if err != nil {
		t.Fatalf("connect as migrate's role: %v", err)
	}
	defer owner.Close()
	if err := migrate(ctx, owner); err != nil {
		t.Fatalf("migrate as the owner: %v", err)
	}

	super, err := sql.Open("postgres", pg.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer super.Close()
	for _, c := range []struct {
		role                    string
		login, memberOfAppGroup bool
	}{
		{role: "lindungi_app"},
		{role: pgEnv["LINDUNGI_DB_OWNER"], login: true},
		{role: pgEnv["LINDUNGI_DB_APP"], login: true, memberOfAppGroup: true},
		{role: pgEnv["TEMPORAL_DB_USER"], login: true},
	} {
		var login, createRole, createDB, superuser, member bool
		err := super.QueryRowContext(ctx, `SELECT rolcanlogin, rolcreaterole, rolcreatedb, rolsuper,
			pg_has_role(rolname, 'lindungi_app', 'MEMBER') FROM pg_roles WHERE rolname = $1`, c.role).
			Scan(&login, &createRole, &createDB, &superuser, &member)
		if err != nil {
			t.Fatalf("role %s: %v", c.role, err)
		}
		if login != c.login || createRole || createDB || superuser {
			t.Errorf("role %s: got login %v, createrole %v, createdb %v, superuser %v; want login %v and no other privilege",
				c.role, login, createRole, createDB, superuser, c.login)
		}
		if c.role != "lindungi_app" && member != c.memberOfAppGroup {
			t.Errorf("role %s: got member of lindungi_app %v, want %v", c.role, member, c.memberOfAppGroup)
		}
	}
	var dbOwners []string
	rows, err := super.QueryContext(ctx, `SELECT datname || ':' || pg_get_userbyid(datdba) FROM pg_database
		WHERE datname IN ($1, 'temporal', 'temporal_visibility') ORDER BY datname`, pgEnv["LINDUNGI_DB_NAME"])
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		rows.Scan(&s)
		dbOwners = append(dbOwners, s)
	}
	rows.Close()
	wantOwners := []string{pgEnv["LINDUNGI_DB_NAME"] + ":" + pgEnv["LINDUNGI_DB_OWNER"],
		"temporal:" + pgEnv["TEMPORAL_DB_USER"], "temporal_visibility:" + pgEnv["TEMPORAL_DB_USER"]}
	slices.Sort(wantOwners)
	if !slices.Equal(dbOwners, wantOwners) {
		t.Errorf("databases: got %q, want %q", dbOwners, wantOwners)
	}

	// serve and worker, as the application role: they read and write
	// through the store, and cannot touch the audit trail's table itself.
	appDSN := at(t, f.databaseURL(t, "api"), pg.Port)
	app, err := postgres.Open(ctx, appDSN)
	if err != nil {
		t.Fatalf("connect as api's role: %v", err)
	}
	defer app.Close()
	u := lindungi.User{Subject: "caseworker-3305", Name: "Petugas Kasus Kebumen", Unit: "3305", Roles: []string{lindungi.RoleCaseworker}}
	if err := app.UpsertUsers(ctx, []lindungi.User{u}); err != nil {
		t.Fatalf("write a user as the application role: %v", err)
	}
	if _, err := app.FindUser(ctx, u.Subject); err != nil {
		t.Fatalf("read a user as the application role: %v", err)
	}
	appSQL, err := sql.Open("postgres", appDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer appSQL.Close()
	for _, stmt := range []string{
		"TRUNCATE audit_events",
		"DELETE FROM audit_events",
		"ALTER TABLE audit_events DISABLE TRIGGER ALL",
		"UPDATE audit_chain_head SET seq = seq + 1",
		"CREATE TABLE intruder (i int)",
		"CREATE ROLE intruder",
	} {
		if _, err := appSQL.ExecContext(ctx, stmt); sqlState(err) != insufficientPrivilege {
			t.Errorf("%s as the application role: got %v, want permission denied (%s)", stmt, err, insufficientPrivilege)
		}
	}

	// Each role reaches its own databases only. Temporal's role may create
	// tables in its databases (the schema job does) but not databases,
	// which is why the job skips temporal-sql-tool create.
	withUser := func(dsn, user, password, db string) string {
		v, _ := url.Parse(dsn)
		v.User = url.UserPassword(user, password)
		v.Path = "/" + db
		return v.String()
	}
	temporalUser, temporalPassword := pgEnv["TEMPORAL_DB_USER"], pgEnv["TEMPORAL_DB_PASSWORD"]
	for _, c := range []struct {
		user, password, db string
		stmt, wantState    string
	}{
		{temporalUser, temporalPassword, "temporal", "CREATE TABLE schema_check (i int)", ""},
		{temporalUser, temporalPassword, "temporal_visibility", "CREATE TABLE schema_check (i int)", ""},
		{temporalUser, temporalPassword, "temporal", `CREATE DATABASE "temporal"`, insufficientPrivilege},
		{temporalUser, temporalPassword, pgEnv["LINDUNGI_DB_NAME"], "SELECT 1", insufficientPrivilege},
		{pgEnv["LINDUNGI_DB_APP"], pgEnv["LINDUNGI_DB_APP_PASSWORD"], "temporal", "SELECT 1", insufficientPrivilege},
		{pgEnv["LINDUNGI_DB_OWNER"], pgEnv["LINDUNGI_DB_OWNER_PASSWORD"], "temporal_visibility", "SELECT 1", insufficientPrivilege},
	} {
		db, err := sql.Open("postgres", withUser(pg.DSN, c.user, c.password, c.db))
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.ExecContext(ctx, c.stmt)
		db.Close()
		if got := sqlState(err); got != c.wantState || (c.wantState == "" && err != nil) {
			t.Errorf("%s on %s as %s: got %v, want SQLSTATE %q", c.stmt, c.db, c.user, err, c.wantState)
		}
	}
}
