package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/rs/zerolog"

	"github.com/tactful/tactful/daemon/annotate"
	"github.com/tactful/tactful/daemon/pairing"
	"github.com/tactful/tactful/daemon/store"
	"github.com/tactful/tactful/protocol"
)

// TestMain fails the package when a test leaves goroutines behind: every
// connection's goroutines must end when it closes, and Close must wait for
// them.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if t, ok := http.DefaultTransport.(*http.Transport); ok {
			t.CloseIdleConnections()
		}
		// Goroutines of closed sockets take a moment to unwind.
		deadline := time.Now().Add(10 * time.Second)
		for leaked() > 0 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if n := leaked(); n > 0 {
			fmt.Fprintf(os.Stderr, "goroutine leak: %d goroutines remain besides main\n%s\n", n, stacks())
			code = 1
		}
	}
	os.Exit(code)
}

// leaked counts the goroutines besides main and the runtime's signal loop
// (which the fuzzing engine starts).
func leaked() int {
	n := 0
	for _, g := range strings.Split(string(stacks()), "\n\n") {
		if strings.Contains(g, "os/signal.loop") || strings.Contains(g, "TestMain") {
			continue
		}
		n++
	}
	return n
}

func stacks() []byte {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return buf[:n]
		}
		buf = make([]byte, 2*len(buf))
	}
}

const chromeOrigin = "chrome-extension://" + protocol.ExtensionID

// clock is a settable clock, so "recently" and the rate limiter are stable.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// env is a server with a real store and pairing code, behind httptest.
type env struct {
	t      *testing.T
	srv    *Server
	ts     *httptest.Server
	home   string
	code   string
	db     *store.DB
	keeper *pairing.Keeper
	clock  *clock
}

func newEnv(t *testing.T, opts ...func(*Config)) *env {
	t.Helper()
	logger := zerolog.New(zerolog.NewTestWriter(t))
	home := t.TempDir()
	clk := &clock{now: time.Date(2026, 11, 29, 12, 0, 0, 0, time.Local)}
	keeper, err := pairing.NewKeeper(home, logger)
	if err != nil {
		t.Fatal(err)
	}
	code, err := pairing.Ensure(home)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(home, "tactful.db"), store.Options{Now: clk.Now, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cfg := Config{
		Store:        db,
		Rules:        annotate.Rules{Now: clk.Now},
		Pairing:      keeper,
		Logger:       logger,
		Version:      "test",
		BadCodeDelay: -1,
		Now:          clk.Now,
	}
	for _, o := range opts {
		o(&cfg)
	}
	srv := New(cfg)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	t.Cleanup(srv.Close) // runs first: hijacked sockets are not httptest's to close
	return &env{t: t, srv: srv, ts: ts, home: home, code: code, db: db, keeper: keeper, clock: clk}
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func (e *env) wsURL() string { return "ws" + strings.TrimPrefix(e.ts.URL, "http") + protocol.Path }

// dial opens a WebSocket with origin ("" sends none) and no hello.
func (e *env) dial(ctx context.Context, origin string, opts ...func(*websocket.DialOptions)) (*client, *http.Response, error) {
	o := &websocket.DialOptions{HTTPHeader: http.Header{}}
	if origin != "" {
		o.HTTPHeader.Set("Origin", origin)
	}
	for _, f := range opts {
		f(o)
	}
	ws, resp, err := websocket.Dial(ctx, e.wsURL(), o)
	if err != nil {
		return nil, resp, err
	}
	ws.SetReadLimit(-1)
	c := &client{t: e.t, ctx: ctx, ws: ws}
	e.t.Cleanup(func() { ws.CloseNow() })
	return c, resp, nil
}

// connect dials as the extension and completes hello.
func (e *env) connect(ctx context.Context) *client {
	e.t.Helper()
	c, _, err := e.dial(ctx, chromeOrigin)
	if err != nil {
		e.t.Fatalf("dial: %v", err)
	}
	c.hello(e.code)
	return c
}

type client struct {
	t   *testing.T
	ctx context.Context
	ws  *websocket.Conn
	seq int
}

// hello says hello with code and expects welcome.
func (c *client) hello(code string) protocol.Welcome {
	c.t.Helper()
	var w protocol.Welcome
	c.call(map[string]any{"type": "hello", "protocol": protocol.Version, "client": "test", "pairing_code": code}, &w)
	if w.Type != protocol.TypeWelcome {
		c.t.Fatalf("hello answered %q, want welcome", w.Type)
	}
	return w
}

// sendRaw writes one text message as it is.
func (c *client) sendRaw(s string) {
	c.t.Helper()
	if err := c.ws.Write(c.ctx, websocket.MessageText, []byte(s)); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// send writes req, giving it an id when it has none; it returns the id.
func (c *client) send(req map[string]any) string {
	c.t.Helper()
	if _, ok := req["id"]; !ok {
		c.seq++
		req["id"] = fmt.Sprintf("r%d", c.seq)
	}
	data, err := json.Marshal(req)
	if err != nil {
		c.t.Fatal(err)
	}
	c.sendRaw(string(data))
	return req["id"].(string)
}

// recv reads one message into out (when not nil) and returns its raw form.
func (c *client) recv(out any) []byte {
	c.t.Helper()
	typ, data, err := c.ws.Read(c.ctx)
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	if typ != websocket.MessageText {
		c.t.Fatalf("got a %v message, want text", typ)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			c.t.Fatalf("decode %s: %v", data, err)
		}
	}
	return data
}

// call sends req and reads the reply, which must echo the id.
func (c *client) call(req map[string]any, out any) []byte {
	c.t.Helper()
	id := c.send(req)
	var head protocol.Header
	data := c.recv(&head)
	if head.ID != id {
		c.t.Fatalf("reply %s has id %q, want %q", data, head.ID, id)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			c.t.Fatalf("decode %s: %v", data, err)
		}
	}
	return data
}

// mustCall is call that fails the test on an error reply or a reply of
// another type than want.
func (c *client) mustCall(req map[string]any, want string, out any) []byte {
	c.t.Helper()
	data := c.call(req, out)
	var head protocol.ErrorReply
	if err := json.Unmarshal(data, &head); err != nil {
		c.t.Fatal(err)
	}
	if head.Type != want {
		c.t.Fatalf("%v answered %s, want %s", req["type"], data, want)
	}
	return data
}

// expectError sends raw and expects an error reply with code.
func (c *client) expectError(raw string, code protocol.Code) protocol.ErrorReply {
	c.t.Helper()
	c.sendRaw(raw)
	var e protocol.ErrorReply
	data := c.recv(&e)
	if e.Type != protocol.TypeError || e.Code != code {
		c.t.Fatalf("got %s, want an error with code %s", data, code)
	}
	if e.Message == "" {
		c.t.Fatalf("error %s has no message", data)
	}
	return e
}

// ping checks that the connection still answers.
func (c *client) ping() {
	c.t.Helper()
	c.mustCall(map[string]any{"type": "ping"}, protocol.TypePong, nil)
}

// expectClose reads until the connection ends and checks the close code;
// it returns the reason.
func (c *client) expectClose(code websocket.StatusCode) string {
	c.t.Helper()
	for {
		_, data, err := c.ws.Read(c.ctx)
		if err == nil {
			continue // replies and pushes before the close
		}
		var ce websocket.CloseError
		if !errors.As(err, &ce) {
			c.t.Fatalf("connection ended with %v, want close code %d (last message %s)", err, code, data)
		}
		if ce.Code != code {
			c.t.Fatalf("closed with %d %q, want %d", ce.Code, ce.Reason, code)
		}
		if len(ce.Reason) > 123 {
			c.t.Errorf("close reason is %d bytes, over 123", len(ce.Reason))
		}
		return ce.Reason
	}
}

// see reports contacts as the connections page would.
func (c *client) see(locale string, contacts ...protocol.SeenContact) []protocol.Annotation {
	c.t.Helper()
	var r protocol.Annotations
	c.mustCall(map[string]any{"type": "contacts_seen", "locale": locale, "contacts": contacts}, protocol.TypeAnnotations, &r)
	return r.Annotations
}
