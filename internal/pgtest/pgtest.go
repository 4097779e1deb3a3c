// Package pgtest gives tests real, empty PostgreSQL databases.
//
// Use it from any package's tests:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
//	func TestSomething(t *testing.T) {
//		url := pgtest.URL(t) // a fresh, empty database, dropped after the test
//		…
//	}
//
// Where the databases come from:
//
//   - When OCTROI_TEST_POSTGRES_URL is set (a postgres:// URL of a role that
//     may CREATE DATABASE), every URL call creates a new database on that
//     server and drops it when the test ends.
//   - Otherwise the first URL call of the test binary starts a throwaway
//     cluster — initdb into a temporary directory, postgres on a free
//     loopback port — shared by all tests of the binary and stopped by Main
//     when they are done. PostgreSQL refuses to run as root, so when the
//     tests run as root the cluster runs as the "postgres" OS user. The
//     binaries are found on PATH, else in /usr/lib/postgresql/<newest>/bin.
//     fsync and synchronous_commit stay on, as in production, so crash and
//     durability tests mean something; only logging and checkpoint spacing
//     are tuned for tests.
//
// When PostgreSQL cannot be had, URL skips the test with the reason — unless
// the environment variable CI is non-empty: then it fails the test, so that
// CI never passes by silently skipping every PostgreSQL test.
//
// Every database is created from template0 with UTF8 encoding and the C
// locale, so that tests do not depend on the server's defaults.
//
// Cleanup: Main stops the cluster and removes its directory. If the test
// binary dies without running Main's cleanup, the kernel kills postgres with
// the binary (parent-death signal), and the next start of a cluster removes
// the directories of clusters whose test binary is gone.
package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/octroi/octroi/internal/testbin"
)

// EnvURL names the environment variable of an existing server to use.
const EnvURL = "OCTROI_TEST_POSTGRES_URL"

// dirPrefix names cluster directories in os.TempDir, for stale cleanup.
const dirPrefix = "octroi-pgtest-"

// The cluster is per test binary by design, so it lives in package state,
// guarded by mu: started once by the first URL call, stopped by Main.
var (
	mu       sync.Mutex
	shared   *cluster
	startErr error
	dbSeq    atomic.Int64
)

// Main runs the tests, then stops the shared cluster (if one was started)
// and exits with the tests' code. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	Stop()
	os.Exit(code)
}

// Stop stops the shared cluster now, if one runs. Main calls it; it is
// exported for TestMains that need their own exit sequence. URL after Stop
// starts a new cluster.
func Stop() {
	mu.Lock()
	defer mu.Unlock()
	if shared != nil {
		shared.stop()
		shared = nil
	}
	startErr = nil
}

// URL returns the URL of a new, empty database, dropped when t ends (after
// cleanups registered later by the test, such as closing pools, have run).
// It skips t (fails it when CI is set) if PostgreSQL is not available.
func URL(t testing.TB) string {
	t.Helper()
	admin, err := adminURL()
	if err != nil {
		unavailable(t, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name := fmt.Sprintf("octroi_test_%d_%d", os.Getpid(), dbSeq.Add(1))
	if err := adminExec(ctx, admin, `CREATE DATABASE `+name+` TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`); err != nil {
		unavailable(t, fmt.Errorf("creating database %s: %w", name, err))
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		// FORCE: a test that leaked a connection must not leak the database.
		if err := adminExec(ctx, admin, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Logf("pgtest: dropping database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// unavailable skips, or fails under CI.
func unavailable(t testing.TB, err error) {
	t.Helper()
	testbin.Unavailable(t, "pgtest: PostgreSQL is not available: %v", err)
}

func adminExec(ctx context.Context, admin, sql string) error {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}

// adminURL returns a URL on the "postgres" database of the server to use,
// starting the shared cluster if needed. A failed start is remembered: the
// following tests skip (or fail) at once instead of retrying.
func adminURL() (string, error) {
	if env := os.Getenv(EnvURL); env != "" {
		u, err := url.Parse(env)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			return "", fmt.Errorf("%s must be a postgres:// URL", EnvURL)
		}
		return env, nil
	}
	mu.Lock()
	defer mu.Unlock()
	if shared == nil && startErr == nil {
		shared, startErr = start()
	}
	if startErr != nil {
		return "", startErr
	}
	return shared.url, nil
}

// cluster is a running throwaway PostgreSQL.
type cluster struct {
	dir    string
	url    string
	cmd    *exec.Cmd
	exited chan struct{} // closed when postgres exits
}

// findBin locates a PostgreSQL program.
func findBin(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { // newest major version first
		va, _ := strconv.Atoi(filepath.Base(filepath.Dir(a)))
		vb, _ := strconv.Atoi(filepath.Base(filepath.Dir(b)))
		return vb - va
	})
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found on PATH nor in /usr/lib/postgresql/*/bin", name)
}

// runAs returns the credentials postgres must run with: none unless we are
// root, which PostgreSQL refuses; then the "postgres" OS user.
func runAs() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root and there is no postgres OS user to run PostgreSQL as: %w", err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("postgres user has ids %s:%s", u.Uid, u.Gid)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func start() (*cluster, error) {
	initdb, err := findBin("initdb")
	if err != nil {
		return nil, err
	}
	postgres := filepath.Join(filepath.Dir(initdb), "postgres")
	if _, err := os.Stat(postgres); err != nil {
		if postgres, err = findBin("postgres"); err != nil {
			return nil, err
		}
	}
	cred, err := runAs()
	if err != nil {
		return nil, err
	}
	removeStale()

	dir, err := os.MkdirTemp("", dirPrefix)
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(dir)
		}
	}()
	// owner.pid lets a later run recognise this directory as stale.
	if err := os.WriteFile(filepath.Join(dir, "owner.pid"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return nil, err
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, fmt.Errorf("giving %s to the postgres user: %w", dir, err)
		}
	}
	data := filepath.Join(dir, "data")
	// --no-sync: initdb's own files need no fsync, the cluster is
	// throwaway; the server itself runs with fsync on.
	cmd := exec.Command(initdb, "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions")
	cmd.Env = pgEnv()
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %w\n%s", err, out)
	}
	// A free port can be taken by someone else before postgres binds it
	// (parallel test binaries): retry with another.
	var lastErr error
	for range 3 {
		c, err := launch(postgres, dir, data, cred)
		if err == nil {
			ok = true
			return c, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

func pgEnv() []string {
	env := []string{"LC_ALL=C", "LANG=C"}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PATH=") || strings.HasPrefix(kv, "TZ=") {
			env = append(env, kv)
		}
	}
	return env
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func launch(postgres, dir, data string, cred *syscall.Credential) (*cluster, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, "postgres.log")
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer logf.Close() // the child has its own descriptor
	cmd := exec.Command(postgres,
		"-D", data,
		"-p", strconv.Itoa(port),
		"-k", dir, // Unix socket in our directory, not /var/run/postgresql
		"-c", "listen_addresses=127.0.0.1",
		"-c", "fsync=on", // durability is tested: keep it as in production
		"-c", "synchronous_commit=on",
		"-c", "full_page_writes=on",
		"-c", "max_connections=300", // many tests × pool connections
		"-c", "shared_buffers=128MB",
		"-c", "max_wal_size=4GB", // no checkpoint storms during bulk tests
		"-c", "checkpoint_timeout=30min",
		"-c", "log_min_messages=warning",
		"-c", "log_min_error_statement=panic", // expected errors (unique violations…) are not news
		"-c", "log_checkpoints=off",
	)
	cmd.Env = pgEnv()
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Credential: cred,
		// If the test binary dies, postgres shuts down at once (SIGQUIT
		// is PostgreSQL's immediate shutdown) instead of lingering.
		Pdeathsig: syscall.SIGQUIT,
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting postgres: %w", err)
	}
	c := &cluster{
		dir:    dir,
		url:    fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port),
		cmd:    cmd,
		exited: make(chan struct{}),
	}
	go func() {
		cmd.Wait()
		close(c.exited)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		conn, err := pgx.Connect(ctx, c.url)
		cancel()
		if err == nil {
			conn.Close(context.Background())
			return c, nil
		}
		select {
		case <-c.exited:
			return nil, fmt.Errorf("postgres exited during start-up: %s", tail(logPath))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			c.stop()
			return nil, fmt.Errorf("postgres not ready after 60s: %v\n%s", err, tail(logPath))
		}
	}
}

// stop shuts postgres down at once (the data is throwaway) and removes the
// directory.
func (c *cluster) stop() {
	if c.cmd.Process != nil {
		c.cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-c.exited:
		case <-time.After(15 * time.Second):
			c.cmd.Process.Kill()
			<-c.exited
		}
	}
	os.RemoveAll(c.dir)
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(bytes.TrimSpace(b))
}

// removeStale removes cluster directories left by test binaries that died,
// stopping their postgres first if it somehow survived. Best effort.
func removeStale() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), dirPrefix+"*"))
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, "owner.pid"))
		if err != nil {
			continue
		}
		owner, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || alive(owner) {
			continue
		}
		if pm, err := os.ReadFile(filepath.Join(dir, "data", "postmaster.pid")); err == nil {
			first, _, _ := strings.Cut(string(pm), "\n")
			if pid, err := strconv.Atoi(strings.TrimSpace(first)); err == nil && isPostgres(pid) {
				syscall.Kill(pid, syscall.SIGQUIT)
				for i := 0; i < 50 && alive(pid); i++ {
					time.Sleep(100 * time.Millisecond)
				}
			}
		}
		os.RemoveAll(dir)
	}
}

func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

func isPostgres(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return err == nil && bytes.Contains(b, []byte("postgres"))
}
