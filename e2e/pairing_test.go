package e2e

import (
	"regexp"
	"testing"
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
