package server

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/tactful/tactful/daemon/pairing"
	"github.com/tactful/tactful/daemon/store"
	"github.com/tactful/tactful/protocol"
)

func TestHealthz(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name   string
		host   string
		status int
	}{
		{name: "127.0.0.1", host: "", status: http.StatusOK},
		{name: "localhost", host: "localhost:1234", status: http.StatusOK},
		{name: "ipv6 loopback", host: "[::1]:1234", status: http.StatusOK},
		{name: "rebinding host", host: "evil.example:1234", status: http.StatusForbidden},
		{name: "loopback look-alike", host: "127.0.0.1.evil.example", status: http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(testContext(t), http.MethodGet, e.ts.URL+"/healthz", nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.host != "" {
				req.Host = tt.host
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, body, tt.status)
			}
			if tt.status != http.StatusOK {
				return
			}
			var h map[string]any
			if err := json.Unmarshal(body, &h); err != nil {
				t.Fatalf("body %s: %v", body, err)
			}
			if h["service"] != "tactful" || h["version"] != "test" || h["protocol"] != float64(protocol.Version) || len(h) != 3 {
				t.Errorf("healthz = %s", body)
			}
		})
	}
}

func TestOrigins(t *testing.T) {
	e := newEnv(t)
	const moz = "moz-extension://0f9c3b2a-1d4e-4f6a-9b8c-7d6e5f4a3b2c"
	tests := []struct {
		name   string
		origin string
		status int // refused before the upgrade with this status; 0 means upgraded
		code   string
		close  websocket.StatusCode // when the hello should be refused
	}{
		{name: "tactful's extension", origin: chromeOrigin, code: "good"},
		{name: "no origin: a local program", origin: "", code: "good"},
		{name: "firefox extension with the code", origin: moz, code: "good"},
		{name: "firefox extension without the code", origin: moz, code: "", close: protocol.CloseBadPairingCode},
		{name: "another chrome extension", origin: "chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", status: http.StatusForbidden},
		{name: "linkedin page", origin: "https://www.linkedin.com", status: http.StatusForbidden},
		{name: "local web page", origin: "http://localhost:3000", status: http.StatusForbidden},
		{name: "loopback page on our port", origin: strings.Replace(e.ts.URL, "http://", "http://", 1), status: http.StatusForbidden},
		{name: "null origin", origin: "null", status: http.StatusForbidden},
		{name: "id as prefix", origin: chromeOrigin + ".evil", status: http.StatusForbidden},
		{name: "moz-extension not a uuid", origin: "moz-extension://evil.example", status: http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := testContext(t)
			c, resp, err := e.dial(ctx, tt.origin)
			if tt.status != 0 {
				if err == nil {
					t.Fatal("upgraded; want a refusal before the upgrade")
				}
				if resp == nil || resp.StatusCode != tt.status {
					t.Fatalf("response %v (%v), want status %d", resp, err, tt.status)
				}
				return
			}
			if err != nil {
				t.Fatalf("dial: %v", err)
			}
			code := tt.code
			if code == "good" {
				code = e.code
			}
			if tt.close != 0 {
				c.send(map[string]any{"type": "hello", "protocol": 1, "pairing_code": code})
				c.expectClose(tt.close)
				return
			}
			c.hello(code)
			c.ping()
		})
	}
}

func TestExtraOrigins(t *testing.T) {
	const dev = "chrome-extension://bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	e := newEnv(t, func(c *Config) { c.ExtraOrigins = []string{dev} })
	ctx := testContext(t)
	c, _, err := e.dial(ctx, dev)
	if err != nil {
		t.Fatalf("dial with an extra origin: %v", err)
	}
	c.hello(e.code)
	if _, resp, err := e.dial(ctx, "chrome-extension://cccccccccccccccccccccccccccccccc"); err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("an origin not listed got %v, %v; want 403", resp, err)
	}
}

func TestHostRebinding(t *testing.T) {
	e := newEnv(t)
	ctx := testContext(t)
	port := e.ts.URL[strings.LastIndex(e.ts.URL, ":")+1:]
	_, resp, err := e.dial(ctx, chromeOrigin, func(o *websocket.DialOptions) { o.Host = "evil.example:" + port })
	if err == nil {
		t.Fatal("upgraded with Host evil.example")
	}
	if resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("response %v, want 403", resp)
	}
	// The same request with a loopback Host is served.
	c, _, err := e.dial(ctx, chromeOrigin, func(o *websocket.DialOptions) { o.Host = "localhost:" + port })
	if err != nil {
		t.Fatalf("Host localhost refused: %v", err)
	}
	c.hello(e.code)
}

func TestHelloTimeout(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.HelloTimeout = 200 * time.Millisecond })
	ctx := testContext(t)
	tests := []struct {
		name string
		say  func(c *client)
	}{
		{name: "silent", say: func(c *client) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, err := e.dial(ctx, chromeOrigin)
			if err != nil {
				t.Fatal(err)
			}
			tt.say(c)
			c.expectClose(protocol.CloseHelloTimeout)
		})
	}
}

func TestHelloVersions(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name     string
		protocol int
		reason   string
	}{
		{name: "too new", protocol: protocol.Version + 1, reason: "upgrade the tactful daemon"},
		{name: "far too new", protocol: 1 << 40, reason: "upgrade the tactful daemon"},
		{name: "negative", protocol: -3, reason: "update the extension"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := testContext(t)
			c, _, err := e.dial(ctx, chromeOrigin)
			if err != nil {
				t.Fatal(err)
			}
			c.send(map[string]any{"type": "hello", "protocol": tt.protocol, "pairing_code": e.code})
			reason := c.expectClose(protocol.CloseUnsupportedVersion)
			if !strings.Contains(reason, tt.reason) {
				t.Errorf("reason %q does not say %q", reason, tt.reason)
			}
		})
	}
}

func TestPairingCodes(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.BadCodeDelay = time.Millisecond })
	other, err := pairing.Generate()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		code any // nil: no pairing_code field
		ok   bool
	}{
		{name: "right", code: e.code, ok: true},
		{name: "right, typed loosely", code: strings.ToLower(strings.ReplaceAll(e.code, "-", " ")), ok: true},
		{name: "missing", code: nil},
		{name: "empty", code: ""},
		{name: "wrong, right length", code: other},
		{name: "one symbol off", code: e.code[:len(e.code)-1] + map[bool]string{true: "0", false: "1"}[!strings.HasSuffix(e.code, "0")]},
		{name: "prefix", code: e.code[:5]},
		{name: "long garbage", code: strings.Repeat("x", 200)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := testContext(t)
			c, _, err := e.dial(ctx, chromeOrigin)
			if err != nil {
				t.Fatal(err)
			}
			hello := map[string]any{"type": "hello", "protocol": 1}
			if tt.code != nil {
				hello["pairing_code"] = tt.code
			}
			if tt.ok {
				var w protocol.Welcome
				c.mustCall(hello, protocol.TypeWelcome, &w)
				return
			}
			c.send(hello)
			reason := c.expectClose(protocol.CloseBadPairingCode)
			if !strings.Contains(reason, "tactful pair") {
				t.Errorf("reason %q does not say to run tactful pair", reason)
			}
			if tt.code != nil && tt.code != "" && strings.Contains(reason, tt.code.(string)) {
				t.Errorf("reason %q repeats the code", reason)
			}
		})
	}
}

func TestRotationClosesOldSessions(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.PairingPoll = 10 * time.Millisecond })
	ctx := testContext(t)
	a, b := e.connect(ctx), e.connect(ctx)
	fresh, err := pairing.Rotate(e.home)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*client{a, b} {
		reason := c.expectClose(protocol.ClosePairingRotated)
		if reason != reasonRotated {
			t.Errorf("reason %q, want %q", reason, reasonRotated)
		}
	}
	// The new code pairs; the old one no longer does.
	old, _, err := e.dial(ctx, chromeOrigin)
	if err != nil {
		t.Fatal(err)
	}
	old.send(map[string]any{"type": "hello", "protocol": 1, "pairing_code": e.code})
	old.expectClose(protocol.CloseBadPairingCode)
	nc, _, err := e.dial(ctx, chromeOrigin)
	if err != nil {
		t.Fatal(err)
	}
	nc.hello(fresh)
	nc.ping()
}

func TestConnectionCap(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.MaxConns = 2 })
	ctx := testContext(t)
	a := e.connect(ctx)
	// Connections before hello have places of their own: they take none of
	// the paired ones, so both of these get in...
	b, _, err := e.dial(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	late, _, err := e.dial(ctx, chromeOrigin)
	if err != nil {
		t.Fatal(err)
	}
	// ...and the first to pair takes the last paired place; the other is
	// told to come back later.
	b.hello(e.code)
	late.send(map[string]any{"type": "hello", "protocol": protocol.Version, "pairing_code": e.code})
	if reason := late.expectClose(websocket.StatusTryAgainLater); !strings.Contains(reason, "too many paired connections") {
		t.Errorf("reason %q", reason)
	}
	// With every paired place taken, a new connection gets 503 at once.
	_, resp, err := e.dial(ctx, chromeOrigin)
	if err == nil {
		t.Fatal("a third connection was accepted with MaxConns 2")
	}
	if resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("response %v, want 503", resp)
	}
	body, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(body), "Too many connections") {
		t.Errorf("503 body %q has no sentence", body)
	}
	a.ping()
	// A slot frees when a connection ends.
	b.ws.Close(websocket.StatusNormalClosure, "")
	for {
		c, _, err := e.dial(ctx, chromeOrigin)
		if err == nil {
			c.hello(e.code)
			break
		}
		if ctx.Err() != nil {
			t.Fatal("no slot freed after a connection closed")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestReadLimit(t *testing.T) {
	e := newEnv(t)
	ctx := testContext(t)
	good := e.connect(ctx)
	big := e.connect(ctx)
	good.ping()
	// One byte over the limit, in one frame: the server reads it all, so the
	// close frame is not lost to a reset.
	huge := bytes.Repeat([]byte(" "), protocol.MaxMessageBytes+1)
	if err := big.ws.Write(ctx, websocket.MessageText, huge); err != nil {
		t.Fatalf("write: %v", err)
	}
	good.ping()
	big.expectClose(websocket.StatusMessageTooBig)
	good.ping()
	// A message at the limit is read (and refused as JSON, not closed).
	atLimit := e.connect(ctx)
	atLimit.expectError(string(huge[:protocol.MaxMessageBytes]), protocol.CodeBadJSON)
	atLimit.ping()
}

func TestBackup(t *testing.T) {
	e := newEnv(t)
	ctx := testContext(t)
	c := e.connect(ctx)
	c.see("en-US", protocol.SeenContact{Slug: "ada-lovelace-1815", Name: "Ada Lovelace"})
	tests := []struct {
		name   string
		auth   string
		origin string
		status int
	}{
		{name: "no authorization", status: http.StatusUnauthorized},
		{name: "wrong code", auth: "Bearer " + strings.Repeat("0", 20), status: http.StatusUnauthorized},
		{name: "not bearer", auth: "Basic " + e.code, status: http.StatusUnauthorized},
		{name: "from a browser", auth: "Bearer " + e.code, origin: chromeOrigin, status: http.StatusForbidden},
		{name: "from a web page", auth: "Bearer " + e.code, origin: "https://www.linkedin.com", status: http.StatusForbidden},
		{name: "local program with the code", auth: "Bearer " + e.code, status: http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(testContext(t), http.MethodGet, e.ts.URL+"/backup", nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, body, tt.status)
			}
			if tt.status != http.StatusOK {
				if len(bytes.TrimSpace(body)) < 10 {
					t.Errorf("refusal %q has no sentence", body)
				}
				if bytes.Contains(body, []byte(e.code)) {
					t.Error("refusal repeats the pairing code")
				}
				return
			}
			path := filepath.Join(t.TempDir(), "backup.db")
			if err := os.WriteFile(path, body, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := store.Verify(path); err != nil {
				t.Fatalf("backup does not verify: %v", err)
			}
			db, err := store.Open(path, store.Options{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Contact("ada-lovelace-1815"); err != nil {
				t.Errorf("backup lacks the contact: %v", err)
			}
		})
	}
}

func TestCloseShutsEveryConnection(t *testing.T) {
	e := newEnv(t)
	ctx := testContext(t)
	a := e.connect(ctx)
	b, _, err := e.dial(ctx, chromeOrigin) // not yet paired
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		e.srv.Close()
		close(done)
	}()
	for _, c := range []*client{a, b} {
		if reason := c.expectClose(websocket.StatusGoingAway); reason != "daemon shutting down" {
			t.Errorf("reason %q", reason)
		}
	}
	<-done
	if _, resp, err := e.dial(ctx, chromeOrigin); err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("after Close: %v, %v; want 503", resp, err)
	}
}

func TestHelloTimeoutSparesPairedConnections(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.HelloTimeout = 50 * time.Millisecond })
	ctx := testContext(t)
	c := e.connect(ctx)
	// Well past the hello deadline: a stale timer would have closed it.
	time.Sleep(200 * time.Millisecond)
	c.ping()
	c.ping()
}

func TestWrongCodeNearTheDeadlineIsStillAWrongCode(t *testing.T) {
	// The pause before refusing a wrong code outlasts the hello deadline; the
	// client must still learn that its code was wrong.
	e := newEnv(t, func(c *Config) {
		c.HelloTimeout = 300 * time.Millisecond
		c.BadCodeDelay = 600 * time.Millisecond
	})
	ctx := testContext(t)
	c, _, err := e.dial(ctx, chromeOrigin)
	if err != nil {
		t.Fatal(err)
	}
	c.send(map[string]any{"type": "hello", "protocol": 1, "pairing_code": strings.Repeat("0", 20)})
	c.expectClose(protocol.CloseBadPairingCode)
}
