package securitytest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/rs/zerolog"

	"github.com/tactful/tactful/daemon"
	"github.com/tactful/tactful/daemon/annotate"
	"github.com/tactful/tactful/daemon/client"
	"github.com/tactful/tactful/protocol"
)

// chromeOrigin is the Origin of tactful's own Chromium extension.
const chromeOrigin = "chrome-extension://" + protocol.ExtensionID

// wait bounds every single wait in the suite. It is generous: the machine
// may be slow, and a wait that ends early ends the test with a clear failure
// rather than a hang. No assertion depends on it being short.
const wait = 60 * time.Second

// clock is the daemon's clock (daemon.Config.Rules.Now, which the server's
// rate limiter reads too). It follows real time, except while frozen: then
// no connection's token bucket refills, so a flood is beyond the rate
// however slowly a loaded machine reads it.
type clock struct {
	mu     sync.Mutex
	frozen bool
	at     time.Time
	step   time.Duration // when not zero, every call advances a fake time by step
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.step != 0 {
		c.at = c.at.Add(c.step)
		return c.at
	}
	if c.frozen {
		return c.at
	}
	return time.Now()
}

func (c *clock) freeze() {
	c.mu.Lock()
	c.frozen, c.at = true, time.Now()
	c.mu.Unlock()
}

func (c *clock) thaw() {
	c.mu.Lock()
	c.frozen = false
	c.mu.Unlock()
}

// startDaemon starts the real daemon on 127.0.0.1:0 with its home in a
// temporary directory, and returns it with its pairing code.
func startDaemon(tb testing.TB, clk *clock) (*daemon.Daemon, string) {
	tb.Helper()
	rules := annotate.Default()
	rules.Now = clk.Now
	d, err := daemon.Start(daemon.Config{
		Home:    tb.TempDir(),
		Addr:    "127.0.0.1:0",
		Logger:  zerolog.Nop(),
		Rules:   rules,
		Version: "securitytest",
	})
	if err != nil {
		tb.Fatalf("start the daemon: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		d.Close(ctx)
	})
	code, err := d.PairingCode()
	if err != nil {
		tb.Fatalf("pairing code: %v", err)
	}
	return d, code
}

func boundedContext(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	tb.Cleanup(cancel)
	return ctx
}

// dialRaw opens a WebSocket to the daemon with the given Origin ("" sends
// none) and Host ("" is the daemon's address) and says nothing.
func dialRaw(ctx context.Context, addr, origin, host string) (*websocket.Conn, *http.Response, error) {
	o := &websocket.DialOptions{HTTPHeader: http.Header{}}
	if origin != "" {
		o.HTTPHeader.Set("Origin", origin)
	}
	if host != "" {
		o.Host = host
	}
	ws, resp, err := websocket.Dial(ctx, "ws://"+addr+protocol.Path, o)
	if err != nil {
		return nil, resp, err
	}
	ws.SetReadLimit(64 << 20)
	return ws, resp, nil
}

// refusedBefore checks that a dial was refused before the upgrade with
// status and a sentence saying why.
func refusedBefore(tb testing.TB, ws *websocket.Conn, resp *http.Response, err error, status int) {
	tb.Helper()
	if err == nil {
		ws.CloseNow()
		tb.Fatalf("upgraded; want %d before the upgrade", status)
	}
	if resp == nil {
		tb.Fatalf("no HTTP answer (%v); want %d", err, status)
	}
	if resp.StatusCode != status {
		tb.Fatalf("status %d (%v), want %d", resp.StatusCode, err, status)
	}
	if resp.Body != nil {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		if len(strings.TrimSpace(string(body))) < 10 {
			tb.Errorf("the %d refusal %q has no sentence saying why", status, body)
		}
	}
}

// attacker is a raw WebSocket that sends exactly the bytes a test chooses.
type attacker struct {
	tb  testing.TB
	ctx context.Context
	ws  *websocket.Conn
	seq int
}

func newAttacker(tb testing.TB, ctx context.Context, ws *websocket.Conn) *attacker {
	tb.Cleanup(func() { ws.CloseNow() })
	return &attacker{tb: tb, ctx: ctx, ws: ws}
}

func (a *attacker) write(typ websocket.MessageType, data []byte) {
	a.tb.Helper()
	if err := a.ws.Write(a.ctx, typ, data); err != nil {
		a.tb.Fatalf("write: %v", err)
	}
}

func (a *attacker) sendJSON(v map[string]any) {
	a.tb.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		a.tb.Fatal(err)
	}
	a.write(websocket.MessageText, data)
}

// read reads the next reply, which must be a JSON text message. Events the
// daemon pushes to every paired connection (contact_changed, from the
// well-behaved client's notes) are skipped: they answer no request.
func (a *attacker) read() (protocol.ErrorReply, []byte) {
	a.tb.Helper()
	for i := 0; ; i++ {
		head, data := a.readAny()
		if head.Type != protocol.TypeContactChanged || head.ID != "" {
			return head, data
		}
		if i > 100000 {
			a.tb.Fatalf("only pushed events, no reply")
		}
	}
}

func (a *attacker) readAny() (protocol.ErrorReply, []byte) {
	a.tb.Helper()
	typ, data, err := a.ws.Read(a.ctx)
	if err != nil {
		a.tb.Fatalf("read: %v", err)
	}
	if typ != websocket.MessageText {
		a.tb.Fatalf("got a %v message, want text", typ)
	}
	var head protocol.ErrorReply
	if err := json.Unmarshal(data, &head); err != nil {
		a.tb.Fatalf("the daemon sent %.200q, which is not JSON: %v", data, err)
	}
	return head, data
}

// hello says hello with the pairing code and expects welcome.
func (a *attacker) hello(code string) {
	a.tb.Helper()
	a.sendJSON(map[string]any{"type": "hello", "id": "hello", "protocol": protocol.Version, "client": "securitytest", "pairing_code": code})
	head, data := a.read()
	if head.Type != protocol.TypeWelcome || head.ID != "hello" {
		a.tb.Fatalf("hello answered %.300s, want welcome", data)
	}
}

// ping checks that the connection still answers.
func (a *attacker) ping() {
	a.tb.Helper()
	a.seq++
	id := fmt.Sprintf("ping-%d", a.seq)
	a.sendJSON(map[string]any{"type": "ping", "id": id})
	head, data := a.read()
	if head.Type != protocol.TypePong || head.ID != id {
		a.tb.Fatalf("ping answered %.300s, want pong %s", data, id)
	}
}

// expectClose reads until the daemon closes the connection and checks the
// close code; it returns the reason.
func (a *attacker) expectClose(code websocket.StatusCode) string {
	a.tb.Helper()
	for i := 0; ; i++ {
		_, data, err := a.ws.Read(a.ctx)
		if err == nil {
			if i > 10000 {
				a.tb.Fatalf("still reading messages instead of close %d", code)
			}
			continue // replies queued before the close
		}
		var ce websocket.CloseError
		if !errors.As(err, &ce) {
			a.tb.Fatalf("the connection ended with %v, want close code %d (last message %.200s)", err, code, data)
		}
		if ce.Code != code {
			a.tb.Fatalf("closed with %d %q, want %d", ce.Code, ce.Reason, code)
		}
		if strings.TrimSpace(ce.Reason) == "" {
			a.tb.Errorf("close %d has no reason", code)
		}
		return ce.Reason
	}
}

// note is a note the well-behaved client had acknowledged.
type note struct{ slug, id, text string }

// goodClient is the well-behaved client: paired, no Origin, adding a note
// and reading the contact back in a loop for as long as the suite runs.
type goodClient struct {
	c     *client.Client
	slugs []string
	stop  chan struct{}
	ended chan struct{}

	mu    sync.Mutex
	acked []note
	err   error
	tick  chan struct{} // closed after the next acknowledged round, then replaced
}

// pace spaces the good client's rounds: two requests a round stays far under
// the daemon's per-connection rate even while its clock is frozen for the
// message flood, and leaves the loaded machine to the attacks.
const pace = 20 * time.Millisecond

func startGoodClient(tb testing.TB, addr, code string, slugs []string) *goodClient {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	c, err := client.Dial(ctx, addr, code, &client.Options{Client: "well-behaved"})
	if err != nil {
		tb.Fatalf("the well-behaved client cannot connect: %v", err)
	}
	seen := make([]protocol.SeenContact, len(slugs))
	for i, s := range slugs {
		seen[i] = protocol.SeenContact{Slug: s, Name: fmt.Sprintf("Good Contact %d", i)}
	}
	var anns protocol.Annotations
	if err := c.Call(ctx, protocol.ContactsSeen{Locale: "en-US", Contacts: seen}, &anns); err != nil || len(anns.Annotations) != len(slugs) {
		tb.Fatalf("contacts_seen: %v (%d annotations)", err, len(anns.Annotations))
	}
	g := &goodClient{c: c, slugs: slugs, stop: make(chan struct{}), ended: make(chan struct{}), tick: make(chan struct{})}
	go g.loop()
	tb.Cleanup(func() { g.halt(); c.Close() })
	return g
}

func (g *goodClient) loop() {
	defer close(g.ended)
	t := time.NewTicker(pace)
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-g.stop:
			return
		case <-t.C:
		}
		if err := g.round(i); err != nil {
			g.mu.Lock()
			g.err = err
			close(g.tick)
			g.mu.Unlock()
			return
		}
	}
}

// round adds one note and reads the contact back: the note must be there.
func (g *goodClient) round(i int) error {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	n := note{slug: g.slugs[i%len(g.slugs)], id: fmt.Sprintf("good-%d", i), text: fmt.Sprintf("Round %d: still worth knowing.", i)}
	var saved protocol.NoteSaved
	if err := g.c.Call(ctx, protocol.NoteAdd{Slug: n.slug, NoteID: n.id, Text: n.text}, &saved); err != nil {
		return fmt.Errorf("note_add %s: %w", n.id, err)
	}
	if saved.Type != protocol.TypeNoteSaved || saved.Note.ID != n.id || saved.Note.Text != n.text {
		return fmt.Errorf("note_add %s answered %+v", n.id, saved)
	}
	var got protocol.ContactReply
	if err := g.c.Call(ctx, protocol.ContactGet{Slug: n.slug}, &got); err != nil {
		return fmt.Errorf("contact_get %s: %w", n.slug, err)
	}
	if got.Type != protocol.TypeContact || !hasNote(got.Contact, n) {
		return fmt.Errorf("contact_get %s right after note %s does not show it", n.slug, n.id)
	}
	g.mu.Lock()
	g.acked = append(g.acked, n)
	close(g.tick)
	g.tick = make(chan struct{})
	g.mu.Unlock()
	return nil
}

func hasNote(c protocol.Contact, n note) bool {
	for _, have := range c.Notes {
		if have.ID == n.id {
			return have.Text == n.text
		}
	}
	return false
}

// served waits until the well-behaved client has completed a whole round
// (note_add and contact_get) that started after the call, and fails if it
// met an error instead.
func (g *goodClient) served(tb testing.TB, ctx context.Context) {
	tb.Helper()
	// The round that completes first may have started before the call;
	// the second one cannot have.
	for range 2 {
		g.mu.Lock()
		tick := g.tick
		g.mu.Unlock()
		select {
		case <-tick:
		case <-ctx.Done():
			tb.Fatalf("the well-behaved client completed no round in time")
		}
		if err := g.failure(); err != nil {
			tb.Fatalf("the well-behaved client was not served: %v", err)
		}
	}
}

func (g *goodClient) failure() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.err
}

// halt stops the loop after its current round and returns the acknowledged
// notes.
func (g *goodClient) halt() []note {
	select {
	case <-g.stop:
	default:
		close(g.stop)
	}
	<-g.ended
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]note(nil), g.acked...)
}
