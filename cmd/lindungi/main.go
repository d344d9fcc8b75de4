// Command lindungi is Lindungi's one binary: the HTTP API (serve), the
// Temporal worker (worker), migrations (migrate), a laptop setup that runs
// everything (dev), development tokens (token), and the key files
// production needs (keygen).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"syscall"
)

// subcommand is one verb of the binary.
type subcommand struct {
	name  string
	usage string
	run   func(ctx context.Context, args []string, cfg Config, stdout io.Writer) error
}

func subcommands() []subcommand {
	return []subcommand{
		{"serve", "run the HTTP API", runServe},
		{"worker", "run the Temporal worker and the journey reconciler", runWorker},
		{"migrate", "apply database migrations and load reference data (units, holidays)", runMigrate},
		{"dev", "run everything on this machine: PostgreSQL, Temporal dev server, migrations, demo data, worker and API", runDev},
		{"token", "print a development token: token --sub NAME --unit CODE --role ROLE[,ROLE]", runToken},
		{"policy", "policy check: answer an access or routing question and name the rule that decided", runPolicy},
		{"backup", "backup --out FILE: pg_dump of the database with a manifest of its audit chain head", runBackup},
		{"audit", "audit verify: re-check the audit trail or an export of it; audit key, keygen, checkpoint", runAudit},
		{"keygen", "make the payload, audit and session key files of the configuration that are missing; keep the others", runKeygen},
		{"temporal-cli", "print the path of the temporal CLI, building it once if missing", runTemporalCLI},
	}
}

// subcommandNames lists the binary's subcommands.
func subcommandNames() []string {
	var names []string
	for _, s := range subcommands() {
		names = append(names, s.name)
	}
	return names
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "lindungi:", err)
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printUsage(stdout)
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	i := slices.IndexFunc(subcommands(), func(s subcommand) bool { return s.name == args[0] })
	if i < 0 {
		printUsage(stdout)
		return fmt.Errorf("unknown subcommand %q", args[0])
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	return subcommands()[i].run(ctx, args[1:], cfg, stdout)
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: lindungi <subcommand> [flags]")
	for _, s := range subcommands() {
		fmt.Fprintf(w, "  %-13s %s\n", s.name, s.usage)
	}
	fmt.Fprintln(w, "configuration comes from the environment:", envNames())
}
