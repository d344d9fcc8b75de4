// Package devenv starts the local PostgreSQL server and Temporal dev server
// that `lindungi dev` and the tests use.
//
// The servers run as child processes in their own process group, so a Ctrl-C
// in the terminal reaches only the parent, which then stops them with Stop.
package devenv

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// FreePort returns a free TCP port on 127.0.0.1.
//
// The port is free when FreePort returns; another process may take it before
// the caller uses it.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	return port, nil
}

// process is a running server child process.
type process struct {
	name string // for messages, e.g. "PostgreSQL"
	cmd  *exec.Cmd
	out  *outputTail

	done    chan struct{} // closed when the process has exited
	waitErr error         // result of cmd.Wait; read it only after done is closed

	stopOnce sync.Once
	stopErr  error
}

// startProcess starts cmd in its own process group. Its stdout and stderr go
// to log (nil means discard) and are also kept to be shown in error messages.
func startProcess(name string, cmd *exec.Cmd, log io.Writer) (*process, error) {
	out := &outputTail{w: log}
	cmd.Stdout = out
	cmd.Stderr = out
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	// If a grandchild keeps the output pipe open after the server exits,
	// do not wait for it forever.
	cmd.WaitDelay = 5 * time.Second

	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, out: out, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the process has exited.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// exitError describes why the process exited early, with the last lines of
// its output.
func (p *process) exitError() error {
	return fmt.Errorf("%s exited: %v\n%s", p.name, p.waitErr, p.out.lastLines(20))
}

// stop sends SIGINT to the process, waits up to timeout for it to exit, then
// sends SIGKILL to its whole process group. It is safe to call more than once.
func (p *process) stop(timeout time.Duration) error {
	p.stopOnce.Do(func() {
		p.stopErr = p.doStop(timeout)
	})
	return p.stopErr
}

func (p *process) doStop(timeout time.Duration) error {
	if p.exited() {
		if p.waitErr != nil {
			return fmt.Errorf("%s had already exited: %v", p.name, p.waitErr)
		}
		return nil
	}
	pid := p.cmd.Process.Pid
	if err := syscall.Kill(pid, syscall.SIGINT); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("stop %s (pid %d): %w", p.name, pid, err)
	}
	select {
	case <-p.done:
		if p.waitErr != nil && !interrupted(p.waitErr) {
			return fmt.Errorf("%s (pid %d) exited: %v\n%s", p.name, pid, p.waitErr, p.out.lastLines(20))
		}
		return nil
	case <-time.After(timeout):
	}
	// A negative pid means the whole process group.
	if err := syscall.Kill(-pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("kill %s (pid %d): %w", p.name, pid, err)
	}
	<-p.done
	return fmt.Errorf("%s (pid %d) did not stop within %s and was killed", p.name, pid, timeout)
}

// interrupted reports whether err says the process was ended by SIGINT,
// which is what stop asked for.
func interrupted(err error) bool {
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		return false
	}
	status, ok := exitErr.Sys().(syscall.WaitStatus)
	return ok && status.Signaled() && status.Signal() == syscall.SIGINT
}

// outputTail passes a child process's output on to w and keeps the end of
// it for error messages.
type outputTail struct {
	mu  sync.Mutex
	w   io.Writer // may be nil
	buf []byte
}

const outputTailSize = 16 << 10

func (t *outputTail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > 2*outputTailSize {
		t.buf = append([]byte(nil), t.buf[len(t.buf)-outputTailSize:]...)
	}
	if t.w != nil {
		// A failing log writer must not block or stop the server, so the
		// error is ignored.
		_, _ = t.w.Write(p)
	}
	return len(p), nil
}

// lastLines returns the last n lines of output, indented, for error messages.
func (t *outputTail) lastLines(n int) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := strings.Split(string(bytes.TrimRight(t.buf, "\n")), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	if len(lines) == 1 && lines[0] == "" {
		return "    (no output)"
	}
	return "    " + strings.Join(lines, "\n    ")
}

// isExecutableFile reports whether path is a regular file with an execute bit.
func isExecutableFile(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular() && info.Mode().Perm()&0o111 != 0
}
