package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"

	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/bearer"
	"github.com/octroi/octroi/internal/client"
	"github.com/octroi/octroi/internal/pgtest"
)

// Bounds of process handling. Generous for a loaded 2-core machine, short
// enough that a hung process fails the test well within its budget.
const (
	startTimeout = 20 * time.Second // process start to /readyz answering ready
	stopTimeout  = 15 * time.Second // SIGTERM to exit
	killTimeout  = 5 * time.Second  // SIGKILL to exit
)

// datastore is where a server keeps its data: the data dir (the SQLite
// file) and the --datastore value ("" for SQLite in the data dir).
type datastore struct {
	name    string // "sqlite" or "postgres", for test names
	dataDir string
	url     string
}

// sqliteStore returns a migrated SQLite datastore in a temporary dir.
func sqliteStore(t *testing.T) datastore {
	t.Helper()
	ds := datastore{name: "sqlite", dataDir: t.TempDir()}
	migrate(t, ds)
	return ds
}

// postgresStore returns a migrated, empty PostgreSQL database (skipped, or
// failed under CI, when PostgreSQL is not available: pgtest decides).
func postgresStore(t *testing.T) datastore {
	t.Helper()
	ds := datastore{name: "postgres", dataDir: t.TempDir(), url: pgtest.URL(t)}
	migrate(t, ds)
	return ds
}

// backends are the datastores every durability test runs on. PostgreSQL is
// skipped (failed under CI) only by pgtest, and only in its own subtest.
var backends = []struct {
	name string
	open func(*testing.T) datastore
}{
	{"sqlite", sqliteStore},
	{"postgres", postgresStore},
}

// args returns the flags that select ds.
func (ds datastore) args() []string {
	a := []string{"--data-dir", ds.dataDir}
	if ds.url != "" {
		a = append(a, "--datastore", ds.url)
	}
	return a
}

// migrate runs `octroi migrate` on ds.
func migrate(t *testing.T, ds datastore) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, append([]string{"migrate"}, ds.args()...)...)
	cmd.Env = baseEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("octroi migrate: %v\n%s", err, out)
	}
}

// baseEnv is the test's environment without OCTROI_* variables, so that a
// developer's settings cannot change what the servers do.
func baseEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OCTROI_") {
			env = append(env, kv)
		}
	}
	return env
}

// newToken returns a random API token.
func newToken() string { return bearer.NewSecret("e2e_") }

// node is one running `octroi serve` process.
type node struct {
	t      *testing.T
	name   string
	cmd    *exec.Cmd
	logs   *logBuffer
	URL    string // http://127.0.0.1:PORT
	Client *client.Client
	exited chan struct{} // closed when the process has exited
	err    error         // Wait's result, valid once exited is closed
}

// startNode starts `octroi serve --no-portal` on ds, listening on a free loopback port
// (chosen by the kernel: --listen 127.0.0.1:0, so no other process can take
// it in between), with OCTROI_TOKEN=token and the extra env, and waits until
// /readyz says ready. The process is killed when the test ends if still
// running, and its log goes to the test log if the test failed.
func startNode(t *testing.T, name string, ds datastore, token string, env ...string) *node {
	t.Helper()
	// The tests write their own schemas: the relationship API alone.
	args := append([]string{"serve", "--no-portal", "--listen", "127.0.0.1:0"}, ds.args()...)
	cmd := exec.Command(binary, args...)
	cmd.Env = append(baseEnv(), "OCTROI_TOKEN="+token)
	cmd.Env = append(cmd.Env, env...)
	logs := &logBuffer{addr: make(chan string, 1)}
	cmd.Stdout, cmd.Stderr = logs, logs
	// If the test binary dies, its servers die with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s: starting octroi: %v", name, err)
	}
	n := &node{t: t, name: name, cmd: cmd, logs: logs, exited: make(chan struct{})}
	go func() {
		n.err = cmd.Wait()
		close(n.exited)
	}()
	t.Cleanup(func() {
		n.kill()
		if t.Failed() {
			t.Logf("--- log of %s (pid %d) ---\n%s", n.name, cmd.Process.Pid, logs.String())
		}
	})

	deadline := time.Now().Add(startTimeout)
	select {
	case addr := <-logs.addr:
		n.URL = "http://" + addr
	case <-n.exited:
		t.Fatalf("%s exited during start-up: %v", name, n.err)
	case <-time.After(startTimeout):
		t.Fatalf("%s did not announce its address within %s", name, startTimeout)
	}
	if !strings.HasPrefix(n.URL, "http://127.0.0.1:") {
		t.Fatalf("%s listens on %s, want 127.0.0.1 only", name, n.URL)
	}
	n.Client = client.New(n.URL, token)
	n.Client.HTTP = &http.Client{
		Timeout:   15 * time.Second, // bounds every request, even to a stuck server
		Transport: &http.Transport{MaxIdleConnsPerHost: 32},
	}
	n.waitReady(time.Until(deadline))
	return n
}

// waitReady polls /readyz until it answers 200, for at most d.
func (n *node) waitReady(d time.Duration) {
	n.t.Helper()
	deadline := time.Now().Add(d)
	last := "no answer"
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		code, body, err := n.get(ctx, "/readyz")
		cancel()
		switch {
		case err != nil:
			last = err.Error()
		case code == http.StatusOK:
			return
		default:
			last = fmt.Sprintf("%d %s", code, body)
		}
		select {
		case <-n.exited:
			n.t.Fatalf("%s exited while waiting for /readyz: %v", n.name, n.err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	n.t.Fatalf("%s: /readyz not ready within %s: %s", n.name, d, last)
}

// get fetches path and returns its status and body.
func (n *node) get(ctx context.Context, path string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", n.URL+path, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, err = b.ReadFrom(resp.Body)
	return resp.StatusCode, strings.TrimSpace(b.String()), err
}

// stop sends SIGTERM and waits (bounded) for the process to exit; it
// reports the process's exit error (nil for status 0).
func (n *node) stop() error {
	n.t.Helper()
	if err := n.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return fmt.Errorf("%s: SIGTERM: %w", n.name, err)
	}
	select {
	case <-n.exited:
		return n.err
	case <-time.After(stopTimeout):
		n.kill()
		return fmt.Errorf("%s did not exit within %s of SIGTERM", n.name, stopTimeout)
	}
}

// kill sends SIGKILL (if the process still runs) and waits for it to be
// gone. Safe to call more than once.
func (n *node) kill() {
	select {
	case <-n.exited:
		return
	default:
	}
	_ = n.cmd.Process.Kill()
	select {
	case <-n.exited:
	case <-time.After(killTimeout):
		n.t.Errorf("%s (pid %d) still running %s after SIGKILL", n.name, n.cmd.Process.Pid, killTimeout)
	}
}

// logBuffer collects a process's output and reports the address from the
// "octroi serving on http://ADDR" line. Safe for concurrent use.
type logBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	scanned int
	addr    chan string // receives the address once
	found   bool
}

const servingPrefix = "octroi serving on http://"

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	if !l.found {
		// Look at complete lines only, from where the last look stopped.
		for {
			rest := l.buf.Bytes()[l.scanned:]
			i := bytes.IndexByte(rest, '\n')
			if i < 0 {
				break
			}
			line := string(rest[:i])
			l.scanned += i + 1
			if a, ok := strings.CutPrefix(line, servingPrefix); ok {
				l.found = true
				l.addr <- strings.TrimSpace(a)
				break
			}
		}
	}
	return len(p), nil
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
