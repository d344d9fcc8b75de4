package devenv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// TemporalCLIVersion is the one place the temporal CLI version is pinned.
const TemporalCLIVersion = "v1.5.1"

const temporalCLIPackage = "github.com/temporalio/cli/cmd/temporal"

// TemporalCLI returns the path of the temporal CLI binary.
//
// If the environment variable LINDUNGI_TEMPORAL_BIN is set, it must name an
// existing executable, which is returned. Otherwise the binary is
// <user cache dir>/lindungi/temporal-<TemporalCLIVersion>/bin/temporal. If
// that file is missing, TemporalCLI builds it with `go install`, which takes
// several minutes, and streams the go command's output to log (nil means
// discard). An existing binary is never rebuilt. A lock file makes
// concurrent callers, also in other processes, wait for a single build.
func TemporalCLI(ctx context.Context, log io.Writer) (string, error) {
	if log == nil {
		log = io.Discard
	}
	if bin := os.Getenv("LINDUNGI_TEMPORAL_BIN"); bin != "" {
		if !isExecutableFile(bin) {
			return "", fmt.Errorf("LINDUNGI_TEMPORAL_BIN=%s is not an executable file", bin)
		}
		return bin, nil
	}

	cacheDir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find the temporal CLI: %w", err)
	}
	dir := filepath.Join(cacheDir, "lindungi", "temporal-"+TemporalCLIVersion)
	bin := filepath.Join(dir, "bin", "temporal")
	if isExecutableFile(bin) {
		return bin, nil
	}

	if err := os.MkdirAll(filepath.Join(dir, "bin"), 0o755); err != nil {
		return "", fmt.Errorf("build the temporal CLI: %w", err)
	}
	unlock, err := lockFile(ctx, filepath.Join(dir, "build.lock"), log)
	if err != nil {
		return "", fmt.Errorf("build the temporal CLI: %w", err)
	}
	defer unlock()

	// Another caller may have built it while we waited for the lock.
	if isExecutableFile(bin) {
		return bin, nil
	}
	if err := buildTemporalCLI(ctx, dir, bin, log); err != nil {
		return "", fmt.Errorf("build the temporal CLI %s: %w", TemporalCLIVersion, err)
	}
	return bin, nil
}

// buildTemporalCLI runs `go install` into a temporary GOBIN inside dir and
// then renames the result to bin, so an interrupted build never leaves a
// partial binary at bin. The caller holds the build lock.
func buildTemporalCLI(ctx context.Context, dir, bin string, log io.Writer) error {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("the go command is needed to build it (or set LINDUNGI_TEMPORAL_BIN): %w", err)
	}

	// Remove what killed builds left behind; we hold the lock, so no build
	// is using them.
	leftovers, _ := filepath.Glob(filepath.Join(dir, "gobin-*"))
	for _, d := range leftovers {
		_ = os.RemoveAll(d)
	}

	tmpBin, err := os.MkdirTemp(dir, "gobin-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmpBin)

	// Run outside any module, so the build uses the CLI's own go.mod and
	// does not touch ours.
	workDir, err := os.MkdirTemp("", "lindungi-temporal-build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(workDir)

	fmt.Fprintf(log, "Building the temporal CLI %s; this takes several minutes and is done only once.\n", TemporalCLIVersion)
	cmd := exec.CommandContext(ctx, goCmd, "install", temporalCLIPackage+"@"+TemporalCLIVersion)
	cmd.Dir = workDir
	cmd.Env = append(os.Environ(),
		"GOBIN="+tmpBin,
		"GOFLAGS=-mod=mod",
		"GO111MODULE=on",
		"GOWORK=off",
	)
	out := &outputTail{w: log}
	cmd.Stdout = out
	cmd.Stderr = out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go install %s@%s: %w\n%s", temporalCLIPackage, TemporalCLIVersion, err, out.lastLines(20))
	}
	if err := os.Rename(filepath.Join(tmpBin, "temporal"), bin); err != nil {
		return err
	}
	fmt.Fprintf(log, "Built %s\n", bin)
	return nil
}

// lockFile takes an exclusive flock on path, waiting until it is free or ctx
// is done. It returns the function that releases the lock.
func lockFile(ctx context.Context, path string, log io.Writer) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	told := false
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if !told {
			fmt.Fprintf(log, "Waiting for another process that holds %s (building the temporal CLI)...\n", path)
			told = true
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
	return func() {
		// Closing the file releases the lock.
		f.Close()
	}, nil
}
