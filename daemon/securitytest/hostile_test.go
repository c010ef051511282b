package securitytest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/tactful/tactful/daemon"
	"github.com/tactful/tactful/daemon/client"
	"github.com/tactful/tactful/daemon/pairing"
	"github.com/tactful/tactful/daemon/server"
	"github.com/tactful/tactful/daemon/store"
	"github.com/tactful/tactful/protocol"
)

// harness is what every case sees: the running daemon and the well-behaved
// client that must be served throughout.
type harness struct {
	d     *daemon.Daemon
	addr  string
	port  string
	code  string
	clock *clock
	good  *goodClient
}

// hostileCase is one row of the table. A case either refuses the upgrade
// (status), or opens a connection and then either expects a close (close)
// or says hello and sends one message that must be refused with code.
// attack replaces all of that for the floods.
type hostileCase struct {
	name string
	// slow cases wait out a real deadline; they run in parallel.
	slow bool

	origin string // the Origin header; "" sends none
	host   string // the Host header; "" is the daemon's address
	status int    // the HTTP status that must refuse the upgrade

	// first are the first messages; nil is the real hello with the
	// pairing code, silent sends nothing at all. Before a close for no
	// hello, each must be refused with an error and leave the connection
	// open until the deadline.
	first  []map[string]any
	silent bool
	close  websocket.StatusCode // the close code that must end the connection

	// After a good hello: one frame (binary when binary is set) and the
	// error it must get; id is the id the refusal must echo.
	send   []byte
	binary bool
	code   protocol.Code
	id     string

	attack func(t *testing.T, h *harness)
}

// hostileSlugs are profile slugs with path tricks; each must be
// invalid_slug wherever a slug is read.
var hostileSlugs = []struct{ name, slug string }{
	{"dot-dot path", "../../etc/passwd"},
	{"percent-encoded dot-dot", "%2e%2e%2f"},
	{"a slash", "a/b"},
	{"a NUL", "abc\x00def"},
	{"dot-dot alone", ".."},
	{"encoded slash in a name", "ada%2flovelace"},
	{"backslashes", `..\..\windows`},
}

func hostileCases(h *harness) []hostileCase {
	other, err := pairing.Generate()
	if err != nil {
		panic(err)
	}
	if strings.EqualFold(other, h.code) {
		other = strings.Repeat("Z", len(h.code))
	}
	hello := func(code any) map[string]any {
		m := map[string]any{"type": "hello", "id": "h", "protocol": protocol.Version, "client": "attacker"}
		if code != nil {
			m["pairing_code"] = code
		}
		return m
	}
	msgs := func(m ...map[string]any) []map[string]any { return m }
	mustJSON := func(v any) []byte {
		b, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		return b
	}
	bigBatch := make([]protocol.SeenContact, 10000)
	for i := range bigBatch {
		bigBatch[i] = protocol.SeenContact{Slug: fmt.Sprintf("flood-contact-%05d", i), Name: "Flood"}
	}
	bigPlan := make([]protocol.Scheduled, 10000)
	for i := range bigPlan {
		bigPlan[i] = protocol.Scheduled{Slug: fmt.Sprintf("good-contact-%d", i), On: "2030-01-01"}
	}
	const moz = "moz-extension://0f9c3b2a-1d4e-4f6a-9b8c-7d6e5f4a3b2c"

	cases := []hostileCase{
		// Controls: the harness refuses only what it should.
		{name: "control: tactful's extension with the code is served", origin: chromeOrigin},
		{name: "control: a local program with the code is served"},

		// Web pages and other extensions never reach the upgrade.
		{name: "origin https://www.linkedin.com", origin: "https://www.linkedin.com", status: http.StatusForbidden},
		{name: "origin http://localhost:8080", origin: "http://localhost:8080", status: http.StatusForbidden},
		{name: "origin of a page on the daemon's own port", origin: "http://127.0.0.1:" + h.port, status: http.StatusForbidden},
		{name: "origin null", origin: "null", status: http.StatusForbidden},
		{name: "origin of another chrome extension", origin: "chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", status: http.StatusForbidden},
		{name: "origin with tactful's id as a prefix", origin: chromeOrigin + ".evil.example", status: http.StatusForbidden},
		{name: "DNS rebinding: Host evil.example with tactful's origin", origin: chromeOrigin, host: "evil.example:" + h.port, status: http.StatusForbidden},
		{name: "DNS rebinding: a loopback look-alike Host", origin: chromeOrigin, host: "127.0.0.1.evil.example:" + h.port, status: http.StatusForbidden},

		// Past the upgrade, nothing without the pairing code.
		{name: "moz-extension origin without the code", slow: true, origin: moz, first: msgs(hello(nil)), close: protocol.CloseBadPairingCode},
		{name: "pairing code missing", slow: true, first: msgs(hello(nil)), close: protocol.CloseBadPairingCode},
		{name: "pairing code empty", slow: true, first: msgs(hello("")), close: protocol.CloseBadPairingCode},
		{name: "pairing code wrong", slow: true, origin: chromeOrigin, first: msgs(hello("not-the-code")), close: protocol.CloseBadPairingCode},
		{name: "pairing code of the right length, wrong", slow: true, origin: chromeOrigin, first: msgs(hello(other)), close: protocol.CloseBadPairingCode},
		{name: "no hello within the deadline", slow: true, origin: chromeOrigin, silent: true, close: protocol.CloseHelloTimeout},
		{name: "a request before hello", origin: chromeOrigin, close: protocol.CloseHelloExpected,
			first: msgs(map[string]any{"type": "status", "id": "s"})},
		{name: "a hello with a wrong-typed code", close: protocol.CloseHelloExpected, first: msgs(hello(12345))},
		{name: "a hello that does not decode", origin: chromeOrigin, close: protocol.CloseHelloExpected,
			first: msgs(map[string]any{"type": "hello", "id": "h"})},
		{name: "a first message over the hello limit", origin: chromeOrigin, close: websocket.StatusMessageTooBig,
			first: msgs(map[string]any{"type": "hello", "id": "h", "client": strings.Repeat("x", 8<<10)})},

		// Paired, and hostile all the same.
		{name: "a frame over the read limit", send: bytes.Repeat([]byte(" "), protocol.MaxMessageBytes+1), close: websocket.StatusMessageTooBig},
		{name: "malformed JSON", send: []byte(`{"type":"ping","id":"m1",`), code: protocol.CodeBadJSON},
		{name: "not an object", send: []byte(`["ping"]`), code: protocol.CodeBadJSON},
		{name: "two objects in one frame", send: []byte(`{"type":"ping","id":"two"}{"type":"ping"}`), code: protocol.CodeBadJSON},
		{name: "invalid UTF-8", send: []byte("{\"type\":\"ping\",\"id\":\"u1\",\"x\":\"\xff\xfe\xc0\xaf\"}"), code: protocol.CodeBadJSON},
		{name: "a binary frame", send: []byte(`{"type":"ping","id":"b1"}`), binary: true, code: protocol.CodeBadJSON},
		{name: "unknown type", send: []byte(`{"type":"drop_database","id":"t1"}`), code: protocol.CodeUnknownType, id: "t1"},
		{name: "unknown field", send: []byte(`{"type":"ping","id":"f1","admin":true}`), code: protocol.CodeUnknownField, id: "f1"},
		{name: "wrong-typed field", send: []byte(`{"type":"note_add","id":"w1","slug":42,"note_id":"n1","text":"hi"}`), code: protocol.CodeInvalidField, id: "w1"},
		{name: "wrong-typed id", send: []byte(`{"type":"ping","id":{"$gt":""}}`), code: protocol.CodeInvalidField},
		{name: "a second hello", send: mustJSON(hello(h.code)), code: protocol.CodeInvalidField, id: "h"},
		{name: "a 10,000-contact batch", code: protocol.CodeBatchTooLarge, id: "batch",
			send: mustJSON(map[string]any{"type": "contacts_seen", "id": "batch", "locale": "en-US", "contacts": bigBatch})},
		{name: "a 1 MB note", code: protocol.CodeNoteTooLarge, id: "big-note",
			send: mustJSON(map[string]any{"type": "note_add", "id": "big-note", "slug": "good-contact-0", "note_id": "big", "text": strings.Repeat("x", 1<<20)})},

		// Guided review: the user's words stay one line and bounded, plans bounded.
		{name: "a review why with an escape sequence", code: protocol.CodeInvalidField, id: "r1",
			send: mustJSON(map[string]any{"type": "review_save", "id": "r1", "slug": "good-contact-0", "decision": "keep", "why": "ok\x1b]0;owned\x07"})},
		{name: "a 1 MB review draft", code: protocol.CodeInvalidField, id: "r2",
			send: mustJSON(map[string]any{"type": "review_save", "id": "r2", "slug": "good-contact-0", "decision": "keep", "draft": strings.Repeat("x", 1<<20)})},
		{name: "a review day that is not a day", code: protocol.CodeInvalidField, id: "r3",
			send: mustJSON(map[string]any{"type": "review_save", "id": "r3", "slug": "good-contact-0", "decision": "revisit", "on": "2027-02-30T00:00:00Z"})},
		{name: "a review queue of a million", code: protocol.CodeInvalidField, id: "q1",
			send: mustJSON(map[string]any{"type": "review_queue", "id": "q1", "filter": map[string]any{}, "limit": 1000000})},
		{name: "a removal plan of 10,000 dates", code: protocol.CodeBatchTooLarge, id: "p1",
			send: mustJSON(map[string]any{"type": "removal_plan_apply", "id": "p1", "schedule": bigPlan})},

		// Floods.
		{name: "a connection flood beyond the cap", attack: connectionFlood},
		{name: "a message flood beyond the rate", attack: messageFlood},
	}
	for _, s := range hostileSlugs {
		cases = append(cases,
			hostileCase{name: "contact_get slug " + s.name, code: protocol.CodeInvalidSlug, id: "g",
				send: mustJSON(map[string]any{"type": "contact_get", "id": "g", "slug": s.slug})},
			hostileCase{name: "note_add slug " + s.name, code: protocol.CodeInvalidSlug, id: "n",
				send: mustJSON(map[string]any{"type": "note_add", "id": "n", "slug": s.slug, "note_id": "trick", "text": "planted"})},
			hostileCase{name: "tags_set slug " + s.name, code: protocol.CodeInvalidSlug, id: "t",
				send: mustJSON(map[string]any{"type": "tags_set", "id": "t", "slug": s.slug, "tags": []string{"keep"}})},
			hostileCase{name: "review_save slug " + s.name, code: protocol.CodeInvalidSlug, id: "r",
				send: mustJSON(map[string]any{"type": "review_save", "id": "r", "slug": s.slug, "decision": "keep"})},
			hostileCase{name: "removal_plan_apply slug " + s.name, code: protocol.CodeInvalidSlug, id: "p",
				send: mustJSON(map[string]any{"type": "removal_plan_apply", "id": "p", "schedule": []map[string]string{{"slug": s.slug, "on": "2030-01-01"}}})},
		)
	}
	return cases
}

// TestHostileInput runs every hostile input against one real daemon while a
// well-behaved client keeps writing notes, then checks that it was served
// throughout and that nothing stored was lost.
func TestHostileInput(t *testing.T) {
	clk := &clock{}
	d, code := startDaemon(t, clk)
	_, port, err := net.SplitHostPort(d.Addr())
	if err != nil {
		t.Fatal(err)
	}
	goodSlugs := []string{"good-contact-0", "good-contact-1", "good-contact-2"}
	h := &harness{d: d, addr: d.Addr(), port: port, code: code, clock: clk}
	h.good = startGoodClient(t, h.addr, code, goodSlugs)
	h.good.served(t, boundedContext(t))

	t.Run("cases", func(t *testing.T) {
		for _, tc := range hostileCases(h) {
			t.Run(tc.name, func(t *testing.T) {
				if tc.slow {
					t.Parallel()
				}
				ctx := boundedContext(t)
				if tc.attack != nil {
					tc.attack(t, h)
				} else {
					runCase(t, ctx, h, tc)
				}
				// Whatever the attack, the well-behaved client is served.
				h.good.served(t, ctx)
			})
		}
	})

	// Nothing stored was lost.
	notes := h.good.halt()
	if err := h.good.failure(); err != nil {
		t.Fatalf("the well-behaved client was not served: %v", err)
	}
	if len(notes) == 0 {
		t.Fatal("the well-behaved client had no note acknowledged")
	}
	ctx := boundedContext(t)
	byID := map[string]note{}
	for _, n := range notes {
		byID[n.id] = n
	}
	for _, slug := range goodSlugs {
		var got protocol.ContactReply
		if err := h.good.c.Call(ctx, protocol.ContactGet{Slug: slug}, &got); err != nil {
			t.Fatalf("contact_get %s: %v", slug, err)
		}
		for _, n := range got.Contact.Notes {
			if _, ok := byID[n.ID]; !ok {
				t.Errorf("%s has note %s that was never acknowledged", slug, n.ID)
			}
		}
	}
	// Every attacking connection has ended and given its slot back: only
	// the well-behaved client is left. The daemon notices a closed socket
	// on its own time, so this is a bounded poll.
	var st protocol.StatusReply
	for i := 0; ; i++ {
		if err := h.good.c.Call(ctx, protocol.StatusGet{}, &st); err != nil {
			t.Fatalf("status: %v", err)
		}
		if st.Connections == 1 {
			break
		}
		if i > 2000 {
			t.Fatalf("%d connections still open after every attack ended; want only the well-behaved client's", st.Connections)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%d connections still open after every attack ended; want only the well-behaved client's", st.Connections)
		case <-time.After(10 * time.Millisecond):
		}
	}
	want := store.Stats{Contacts: len(goodSlugs), Notes: len(notes), Events: len(goodSlugs) + len(notes)}
	if got := (store.Stats{Contacts: st.Contacts, Notes: st.Notes, Events: st.Events}); got != want {
		t.Errorf("status says %+v; want %+v (%d contacts seen, one first_seen event each, %d notes acknowledged, one note_added event each): an attack stored something or lost something",
			got, want, len(goodSlugs), len(notes))
	}
	h.good.c.Close()

	// After a clean stop the file checks out and holds every note.
	if err := d.Close(ctx); err != nil {
		t.Fatalf("close the daemon: %v", err)
	}
	if err := store.Verify(d.DBPath()); err != nil {
		t.Fatalf("the database does not verify: %v", err)
	}
	db, err := store.Open(d.DBPath(), store.Options{ReadOnly: true, Timeout: wait})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	if got, err := db.Stats(); err != nil || got != want {
		t.Errorf("reopened store stats %+v (%v), want %+v", got, err, want)
	}
	for _, n := range notes {
		c, err := db.Contact(n.slug)
		if err != nil {
			t.Fatalf("contact %s: %v", n.slug, err)
		}
		if !hasNote(c, n) {
			t.Errorf("acknowledged note %s on %s is lost", n.id, n.slug)
		}
	}
	t.Logf("the well-behaved client had %d notes acknowledged during the attacks; every one is stored", len(notes))
}

// closeAdvice is what the reason of each close must tell the client.
var closeAdvice = map[websocket.StatusCode]string{
	protocol.CloseHelloTimeout:    "hello",
	protocol.CloseHelloExpected:   "hello",
	websocket.StatusMessageTooBig: "limit",
	protocol.CloseBadPairingCode:  "tactful pair",
}

func runCase(t *testing.T, ctx context.Context, h *harness, tc hostileCase) {
	start := time.Now()
	ws, resp, err := dialRaw(ctx, h.addr, tc.origin, tc.host)
	if tc.status != 0 {
		refusedBefore(t, ws, resp, err, tc.status)
		return
	}
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	a := newAttacker(t, ctx, ws)
	switch {
	case tc.silent:
	case tc.first != nil:
		for _, m := range tc.first {
			a.sendJSON(m)
			if tc.close == protocol.CloseHelloExpected {
				// A first message that is not a good hello gets its error,
				// then the close.
				head, data := a.read()
				if head.Type != protocol.TypeError || head.ID != m["id"] {
					t.Fatalf("before hello, %v answered %.300s", m, data)
				}
			}
		}
	default:
		a.hello(h.code)
	}
	if tc.close != 0 && tc.send == nil {
		reason := a.expectClose(tc.close)
		if want := closeAdvice[tc.close]; !strings.Contains(reason, want) {
			t.Errorf("close %d reason %q does not say %q", tc.close, reason, want)
		}
		if tc.close == protocol.CloseHelloTimeout {
			// Never before the deadline: the clock started after the dial.
			if took := time.Since(start); took < protocol.HelloTimeout {
				t.Errorf("closed for no hello after %v, before the %v deadline", took, protocol.HelloTimeout)
			}
		}
		return
	}
	if tc.send == nil {
		a.ping() // a control: served
		return
	}
	typ := websocket.MessageText
	if tc.binary {
		typ = websocket.MessageBinary
	}
	a.write(typ, tc.send)
	if tc.close != 0 {
		a.expectClose(tc.close)
		return
	}
	head, data := a.read()
	if head.Type != protocol.TypeError || head.Code != tc.code {
		t.Fatalf("answered %.300s, want an error %s", data, tc.code)
	}
	if head.ID != tc.id {
		t.Errorf("the refusal has id %q, want %q", head.ID, tc.id)
	}
	if n := len(head.Message); n < 10 || n > 300 {
		t.Errorf("the refusal's message %q is not one clear sentence", head.Message)
	}
	// The connection stays usable after every error.
	a.ping()
}

// connectionFlood opens paired connections until the daemon refuses one
// with 503, then checks that more attempts are refused too, that the
// well-behaved client is served meanwhile, and that a slot frees once the
// flood ends. It runs on its own (not in parallel), so the only other open
// connection is the well-behaved client's; a connection of an earlier case
// may still be closing, which is why the count is a bound, not exact.
func connectionFlood(t *testing.T, h *harness) {
	ctx := boundedContext(t)
	var held []*client.Client
	var rawHeld []*attacker
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	// Fill every slot with paired clients (no hello deadline closes them)
	// until the daemon answers 503.
	filled := false
	for i := 0; i < 2*server.DefaultMaxConns; i++ {
		c, err := client.Dial(ctx, h.addr, h.code, &client.Options{Client: "flood"})
		if err != nil {
			if !strings.Contains(err.Error(), "503") {
				t.Fatalf("flood connection %d: %v", i, err)
			}
			filled = true
			break
		}
		held = append(held, c)
	}
	open := func() int { return len(held) + len(rawHeld) + 1 } // and the well-behaved client
	if !filled {
		t.Fatalf("%d connections were accepted; the cap is %d", open(), server.DefaultMaxConns)
	}
	if open() > server.DefaultMaxConns {
		t.Fatalf("%d connections were open at once; the cap is %d", open(), server.DefaultMaxConns)
	}
	if len(held) < server.DefaultMaxConns/2 {
		t.Fatalf("only %d connections before the first 503; the cap is %d", len(held), server.DefaultMaxConns)
	}
	// The excess is refused, each attempt, while the flood holds its slots.
	excess := 0
	for i := 0; i < 20; i++ {
		ws, resp, err := dialRaw(ctx, h.addr, chromeOrigin, "")
		if err == nil {
			// A slot an earlier case's connection was still giving back:
			// hold it too, paired, and count it.
			a := newAttacker(t, ctx, ws)
			a.hello(h.code)
			rawHeld = append(rawHeld, a)
			if open() > server.DefaultMaxConns {
				t.Fatalf("%d connections open at once; the cap is %d", open(), server.DefaultMaxConns)
			}
			continue
		}
		refusedBefore(t, ws, resp, err, http.StatusServiceUnavailable)
		excess++
	}
	t.Logf("%d connections held besides the well-behaved client; %d of 20 more refused with 503", len(held)+len(rawHeld), excess)
	if excess < 10 {
		t.Fatalf("only %d of 20 connections over the cap were refused with 503", excess)
	}
	// The flood's own connections and the well-behaved client are served.
	h.good.served(t, ctx)
	var pong protocol.Pong
	if err := held[len(held)-1].Call(ctx, protocol.Ping{}, &pong); err != nil || pong.Type != protocol.TypePong {
		t.Fatalf("a flood connection's ping: %v", err)
	}
	// Once the flood ends, a new connection is accepted again.
	for _, c := range held {
		c.Close()
	}
	held = nil
	for _, a := range rawHeld {
		a.ws.Close(websocket.StatusNormalClosure, "")
	}
	for i := 0; ; i++ {
		c, err := client.Dial(ctx, h.addr, h.code, nil)
		if err == nil {
			c.Close()
			break
		}
		if ctx.Err() != nil || i > 1000 {
			t.Fatalf("no slot freed after the flood ended: %v", err)
		}
		select { // the daemon frees a slot once the close handshake ends
		case <-ctx.Done():
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// messageFlood sends pings back to back on one paired connection while the
// daemon's clock stands still, so no token comes back however slowly the
// machine reads: the burst is answered, then every further message is
// rate_limited (echoing its id), and after server.DefaultMaxRefusals refusals
// in a row the daemon closes the connection with 4008.
func messageFlood(t *testing.T, h *harness) {
	ctx := boundedContext(t)
	ws, _, err := dialRaw(ctx, h.addr, chromeOrigin, "")
	if err != nil {
		t.Fatal(err)
	}
	a := newAttacker(t, ctx, ws)
	a.hello(h.code)
	h.clock.freeze()
	defer h.clock.thaw()

	// Phase one: the burst and a few more, every reply read in order.
	n := server.DefaultRateBurst + 10
	var wg sync.WaitGroup
	wg.Add(1)
	writeErr := make(chan error, 1)
	go func() {
		defer wg.Done()
		for i := 0; i < n; i++ {
			if err := ws.Write(ctx, websocket.MessageText, fmt.Appendf(nil, `{"type":"ping","id":"f%d"}`, i)); err != nil {
				writeErr <- err
				return
			}
		}
	}()
	pongs, limited := 0, 0
	for i := 0; i < n; i++ {
		head, data := a.read()
		if head.ID != fmt.Sprintf("f%d", i) {
			t.Fatalf("reply %d is %.200s, out of order", i, data)
		}
		switch {
		case head.Type == protocol.TypePong && limited == 0:
			pongs++
		case head.Type == protocol.TypeError && head.Code == protocol.CodeRateLimited:
			limited++
			if len(head.Message) < 10 {
				t.Errorf("rate_limited without a sentence: %s", data)
			}
		default:
			t.Fatalf("reply %d is %.200s after %d pongs and %d rate_limited", i, data, pongs, limited)
		}
	}
	wg.Wait()
	select {
	case err := <-writeErr:
		t.Fatalf("write: %v", err)
	default:
	}
	if pongs < server.DefaultRateBurst-1 || limited == 0 {
		t.Fatalf("%d pongs then %d rate_limited; want the burst of %d answered, then rate_limited", pongs, limited, server.DefaultRateBurst)
	}

	t.Logf("the flood got %d pongs, then %d rate_limited", pongs, limited)

	// Phase two: keep flooding; the daemon closes with 4008.
	go func() {
		for i := 0; i < 2*server.DefaultMaxRefusals; i++ {
			if ws.Write(ctx, websocket.MessageText, fmt.Appendf(nil, `{"type":"ping","id":"g%d"}`, i)) != nil {
				return
			}
		}
	}()
	reason := a.expectClose(protocol.CloseRateLimited)
	if !strings.Contains(reason, "slow down") {
		t.Errorf("close reason %q does not say to slow down", reason)
	}
}
