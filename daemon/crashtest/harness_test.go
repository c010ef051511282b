package crashtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tactful/tactful/daemon/client"
	"github.com/tactful/tactful/daemon/pairing"
	"github.com/tactful/tactful/protocol"
)

// Deadlines. Every wait in this package is bounded by one of them; none is
// an assertion of speed.
const (
	startDeadline = 30 * time.Second // from exec to "tactful is listening"
	exitDeadline  = 20 * time.Second // from a signal to the process being gone
	callDeadline  = 20 * time.Second // one request and its reply
)

var (
	binDir    string // made by TestMain, removed after the tests
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "tactful-crashtest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "crashtest:", err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// tactfulBinary builds the tactful command once per test binary (the first
// test that needs it pays for the build; `go test -list` pays nothing).
func tactfulBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		bin := filepath.Join(binDir, "tactful")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, goTool(), "build", "-o", bin, "github.com/tactful/tactful/daemon/cmd/tactful")
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build the tactful command: %v\n%s", err, out)
			return
		}
		binPath = bin
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// goTool is the go command of the toolchain running the tests.
func goTool() string {
	if root := os.Getenv("GOROOT"); root != "" {
		if p := filepath.Join(root, "bin", "go"); fileExists(p) {
			return p
		}
	}
	return "go"
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// proc is one `tactful serve` subprocess.
type proc struct {
	t      testing.TB
	home   string
	addr   string
	cmd    *exec.Cmd
	log    *logTail
	exited chan struct{} // closed once Wait has returned
	err    error         // Wait's error, read after exited
	// dying is set just before the test kills the process on purpose, so
	// writers can tell an expected broken connection from a failure.
	dying atomic.Bool
}

func (p *proc) markKilled()  { p.dying.Store(true) }
func (p *proc) killed() bool { return p.dying.Load() }

// startDaemon runs `tactful serve` on home and addr (127.0.0.1:0 picks a
// port) and returns once the daemon logs that it listens. When the process
// exits first, or does not listen within startDeadline, it returns an error
// carrying the daemon's own words; the process is gone by then.
func startDaemon(t testing.TB, home, addr string) (*proc, error) {
	t.Helper()
	p := &proc{t: t, home: home, log: newLogTail(), exited: make(chan struct{})}
	p.cmd = exec.Command(tactfulBinary(t), "serve", "--home", home, "--addr", addr, "--log-format", "json")
	p.cmd.Stdout = p.log
	p.cmd.Stderr = p.log
	// No proxy variables or TACTFUL_* from the caller's environment.
	p.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir()}
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start tactful: %w", err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() { p.kill() })

	timer := time.NewTimer(startDeadline)
	defer timer.Stop()
	select {
	case a := <-p.log.listening:
		p.addr = a
		return p, nil
	case <-p.exited:
		return nil, fmt.Errorf("tactful serve exited before listening (%v); it said:\n%s", p.err, p.log.String())
	case <-timer.C:
		p.kill()
		return nil, fmt.Errorf("tactful serve did not listen within %s; it said:\n%s", startDeadline, p.log.String())
	}
}

// mustStart is startDaemon that fails the test on error.
func mustStart(t testing.TB, home, addr string) *proc {
	t.Helper()
	p, err := startDaemon(t, home, addr)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// restartDaemon starts the daemon again on the address it had, as a
// user's daemon would. Should something else have taken the port since (an
// outgoing connection's ephemeral port, on a busy machine), it logs that and
// takes a free one: the port is not what these tests are about.
func restartDaemon(t testing.TB, home, addr string) *proc {
	t.Helper()
	p, err := startDaemon(t, home, addr)
	if err != nil && addr != "127.0.0.1:0" && strings.Contains(err.Error(), "in use") {
		t.Logf("port %s was taken meanwhile; restarting on a free port", addr)
		p, err = startDaemon(t, home, "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// running reports whether the process is still alive.
func (p *proc) running() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// kill sends SIGKILL and waits (bounded) for the process to be gone.
func (p *proc) kill() error {
	if !p.running() {
		return nil
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	select {
	case <-p.exited:
		return nil
	case <-time.After(exitDeadline):
		return fmt.Errorf("tactful (pid %d) still runs %s after SIGKILL", p.cmd.Process.Pid, exitDeadline)
	}
}

// stop asks the daemon to shut down (SIGTERM) and waits for a clean exit.
func (p *proc) stop() error {
	if !p.running() {
		return fmt.Errorf("tactful had already exited (%v); it said:\n%s", p.err, p.log.String())
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(exitDeadline):
		p.kill()
		return fmt.Errorf("tactful did not stop within %s of SIGTERM; it said:\n%s", exitDeadline, p.log.String())
	}
	if p.err != nil {
		return fmt.Errorf("tactful exited with %v after SIGTERM; it said:\n%s", p.err, p.log.String())
	}
	return nil
}

func (p *proc) mustStop(t testing.TB) {
	t.Helper()
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
}

// dial connects a client with the pairing code the daemon keeps in its home.
func (p *proc) dial(ctx context.Context) (*client.Client, error) {
	code, err := os.ReadFile(pairing.Path(p.home))
	if err != nil {
		return nil, fmt.Errorf("read the pairing code: %w", err)
	}
	dctx, cancel := context.WithTimeout(ctx, callDeadline)
	defer cancel()
	return client.Dial(dctx, p.addr, string(bytes.TrimSpace(code)), &client.Options{Client: "crashtest"})
}

func (p *proc) mustDial(t testing.TB) *client.Client {
	t.Helper()
	c, err := p.dial(context.Background())
	if err != nil {
		t.Fatalf("connect to tactful on %s: %v", p.addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// call is one request under callDeadline. A rate_limited reply (the daemon
// allows a connection 200 messages a second, and checking a long soak reads
// hundreds of contacts) is waited out and the request sent again.
func call(c *client.Client, req, reply any) error {
	ctx, cancel := context.WithTimeout(context.Background(), callDeadline)
	defer cancel()
	for {
		err := c.Call(ctx, req, reply)
		if codeOf(err) != protocol.CodeRateLimited {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// logTail keeps the daemon's output for failure messages and watches for
// the line that says where it listens.
type logTail struct {
	mu        sync.Mutex
	partial   []byte
	lines     []string
	listening chan string
}

const keepLines = 200

func newLogTail() *logTail { return &logTail{listening: make(chan string, 1)} }

func (l *logTail) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial = append(l.partial, b...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		line := string(l.partial[:i])
		l.partial = l.partial[i+1:]
		l.lines = append(l.lines, line)
		if len(l.lines) > keepLines {
			l.lines = l.lines[len(l.lines)-keepLines:]
		}
		var entry struct {
			Message string `json:"message"`
			Addr    string `json:"addr"`
		}
		if json.Unmarshal([]byte(line), &entry) == nil && entry.Message == "tactful is listening" && entry.Addr != "" {
			select {
			case l.listening <- entry.Addr:
			default:
			}
		}
	}
	return len(b), nil
}

func (l *logTail) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(append(append([]string{}, l.lines...), string(l.partial)), "\n")
}

// seeContacts makes sure each slug is a stored contact.
func seeContacts(t testing.TB, c *client.Client, slugs []string) {
	t.Helper()
	req := protocol.ContactsSeen{Locale: "en-US"}
	for _, s := range slugs {
		req.Contacts = append(req.Contacts, protocol.SeenContact{Slug: s, Name: "Crash " + s, Headline: "Kept through kill -9"})
	}
	var reply protocol.Annotations
	if err := call(c, req, &reply); err != nil {
		t.Fatalf("contacts_seen: %v", err)
	}
	if len(reply.Annotations) != len(slugs) {
		t.Fatalf("contacts_seen: %d annotations for %d contacts", len(reply.Annotations), len(slugs))
	}
}

// getContact returns the stored contact slug.
func getContact(c *client.Client, slug string) (protocol.Contact, error) {
	var reply protocol.ContactReply
	if err := call(c, protocol.ContactGet{Slug: slug}, &reply); err != nil {
		return protocol.Contact{}, fmt.Errorf("contact_get %s: %w", slug, err)
	}
	if reply.Type != protocol.TypeContact || reply.Contact.Slug != slug {
		return protocol.Contact{}, fmt.Errorf("contact_get %s: got a %q reply for %q", slug, reply.Type, reply.Contact.Slug)
	}
	return reply.Contact, nil
}

// noteAddedEvents pages through the whole history and counts the
// note_added events of each note id.
func noteAddedEvents(c *client.Client) (map[string]int, error) {
	counts := map[string]int{}
	cursor := ""
	for page := 0; ; page++ {
		if page > 100000 {
			return nil, errors.New("history_get: the cursor never ends")
		}
		var reply protocol.HistoryReply
		req := protocol.HistoryGet{Kinds: []protocol.EventKind{protocol.EventNoteAdded}, Limit: protocol.MaxHistoryLimit, Cursor: cursor}
		if err := call(c, req, &reply); err != nil {
			return nil, fmt.Errorf("history_get: %w", err)
		}
		for _, e := range reply.Events {
			counts[e.NoteID]++
		}
		if reply.NextCursor == "" {
			return counts, nil
		}
		cursor = reply.NextCursor
	}
}

// codeOf is the protocol error code of err, or "" when err is not an error
// reply from the daemon.
func codeOf(err error) protocol.Code {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}
