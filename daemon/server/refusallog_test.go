package server

import (
	"bytes"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/tactful/tactful/protocol"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) lines(substr string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, line := range strings.Split(l.b.String(), "\n") {
		if strings.Contains(line, substr) {
			out = append(out, line)
		}
	}
	return out
}

// Issue 10: one log line per refusal made 17.7 MB of log for 10,000
// attempts. Refusals share a rate-limited budget of info lines, and a line
// that is written counts the ones left out.
func TestRefusalLogLinesAreRateLimited(t *testing.T) {
	var logs lockedBuffer
	e := newEnv(t, func(c *Config) { c.Logger = zerolog.New(&logs).Level(zerolog.InfoLevel) })
	ctx := testContext(t)
	other := "00000-00000-00000-00000"
	const foreign, wrongCodes = 1000, 100
	start := time.Now()
	for range foreign {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.ts.URL+protocol.Path, nil)
		req.Header.Set("Origin", "https://www.linkedin.com")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("a foreign origin got %d", resp.StatusCode)
		}
	}
	for range wrongCodes {
		c, _, err := e.dial(ctx, chromeOrigin)
		if err != nil {
			t.Fatal(err)
		}
		c.send(map[string]any{"type": "hello", "protocol": protocol.Version, "pairing_code": other})
		c.expectClose(protocol.CloseBadPairingCode)
	}
	refused := len(logs.lines("refused"))
	took := time.Since(start)
	t.Logf("%d refusals in %v wrote %d log lines", foreign+wrongCodes, took, refused)
	// The burst, plus one a second for however long the loops took.
	if budget := DefaultRefusalLineBurst + int(took.Seconds()*DefaultRefusalLinesPerSecond) + 1; refused > budget {
		t.Errorf("%d refusals wrote %d lines, over the budget of %d", foreign+wrongCodes, refused, budget)
	}
	if refused == 0 {
		t.Error("no refusal was logged at all")
	}
	// The next line written says how many were left out.
	for len(logs.lines("refusals_not_logged")) == 0 {
		if ctx.Err() != nil {
			t.Fatal("no line counted the refusals left out")
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.ts.URL+protocol.Path, nil)
		req.Header.Set("Origin", "null")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}
	// The paired client is untouched by all this.
	e.connect(ctx).ping()
}
