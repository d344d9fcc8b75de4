package fault_test

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"
)

// binary is the lindungi binary the suite builds once and runs as every
// process.
var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	if _, run := faultSize(); !run || testing.Short() {
		// Nothing to build: TestFault says why it skips.
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "lindungi-fault-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "fault:", err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "lindungi")
	build := exec.Command("go", "build", "-o", binary, "../cmd/lindungi")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "fault: build lindungi:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}

	// An interrupted run must not leave PostgreSQL (in its own process
	// group) or a frozen server behind.
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-signals
		fmt.Fprintf(os.Stderr, "fault: got %v, stopping the system\n", sig)
		liveMu.Lock()
		s := liveSystem
		liveMu.Unlock()
		if s != nil {
			s.shutdown()
		}
		os.RemoveAll(dir)
		os.Exit(1)
	}()

	code := m.Run()
	signal.Stop(signals)
	os.RemoveAll(dir)
	os.Exit(code)
}
