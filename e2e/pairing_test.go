package e2e

import (
	"regexp"
	"testing"
	"time"
)

// TestPairingRefusedWithWrongCode: a wrong pairing code typed on the options
// page is refused with a sentence that says so, and leaves the extension
// unpaired; the right code then works.
func TestPairingRefusedWithWrongCode(t *testing.T) {
	e := newUnpairedEnv(t)

	wrong := "wrong-" + e.code
	status, outcome := e.opts.pair(e.addr, wrong)
	if outcome != "error" {
		t.Fatalf("a wrong code was not refused: %q (%s)", status, outcome)
	}
	if !regexp.MustCompile(`(?i)\bcode\b`).MatchString(status) ||
		!regexp.MustCompile(`(?i)refused|wrong|incorrect|invalid|not accepted|does not match`).MatchString(status) {
		t.Errorf("the refusal does not clearly say the code was wrong: %q", status)
	}
	if regexp.MustCompile(`(?i)\bpaired with\b`).MatchString(status) {
		t.Errorf("the refusal reads like a success: %q", status)
	}
	s := e.state()
	if c, _ := s["connected"].(bool); c {
		t.Errorf("connected after a refused code: %s", jsonString(s))
	}
	t.Logf("refusal: %q; state %s", status, jsonString(s))

	// The right code still pairs.
	status, outcome = e.opts.pair(e.addr, e.code)
	if outcome != "success" {
		t.Fatalf("the right code after a wrong one: %q (%s)", status, outcome)
	}
	e.waitConnected(true)
}

// TestRepairToNewAddress: the daemon moved to another port. While the
// extension keeps retrying the old address, the user types the new address
// and the code on the options page and presses Pair: the typed address must
// stay as typed (not be replaced by the stored one when the background
// reports its state) and pairing must reach the new daemon.
func TestRepairToNewAddress(t *testing.T) {
	e := newEnv(t)
	e.stopDaemon()
	e.waitConnected(false)

	// A new daemon, elsewhere.
	e.home = t.TempDir() + "/home2"
	e.addr = "127.0.0.1:0"
	e.startDaemon()

	tb := e.opts
	addrID, codeID := tb.pairingFields()
	tb.fill("#"+addrID, e.addr)
	tb.fill("#"+codeID, e.code) // the focus leaves the address field
	// The background retries the old address meanwhile and may report its
	// state; the typed address must survive that.
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		if got := eval[string](tb, `document.getElementById(`+jsString(addrID)+`).value`); got != e.addr {
			t.Fatalf("the address typed on the options page (%s) was replaced by %q before Pair was pressed", e.addr, got)
		}
		time.Sleep(pollEvery)
	}
	status, outcome := tb.pressPair()
	if outcome != "success" {
		t.Fatalf("pairing with the new daemon failed: %q", status)
	}
	e.waitConnected(true)
	if s := e.state(); s["address"] != e.addr {
		t.Errorf("the extension talks to %v, want the new daemon on %s", s["address"], e.addr)
	}
}
