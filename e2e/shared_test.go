package e2e

import (
	"os"
	"path/filepath"
	"testing"
)

// The LinkedIn reference pages in ../shared/fixtures/linkedin, beside the
// repository, are an extra acceptance set when they are there: a plain
// clone has none, and these tests skip.

// sharedFixtures describes the reference pages, or skips the test when they
// are absent.
func sharedFixtures(t testing.TB) []fixture {
	t.Helper()
	dir := filepath.Join(repoRoot(t), "..", "shared", "fixtures", "linkedin")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("skipping: no reference pages at %s (they are an extra check, not needed)", dir)
	}
	classic := classicFixture
	classic.name, classic.shape, classic.path = "shared-classic", "", filepath.Join(dir, "connections-classic.html")
	sdui := sduiFixture
	sdui.name, sdui.shape, sdui.path = "shared-sdui", "", filepath.Join(dir, "connections-sdui.html")
	sdui.removeItem = func(string) string { return `[role="menu"] [role="menuitem"]` }
	sdui.confirm = `#remove-dialog [data-action="confirm"]`
	sdui.cancel = `#remove-dialog [data-action="cancel"]`
	sdui.dialog = `#remove-dialog[open]`
	v2025 := fixture2025
	v2025.name, v2025.shape, v2025.path = "shared-2025", "", filepath.Join(dir, "connections-2025.html")
	v2025.removeItem = func(string) string { return `._popover [role="button"]` }
	v2025.dialog = `._overlay > div`
	return []fixture{classic, sdui, v2025}
}

// TestSharedPagesAcceptance: on each reference page every connection card
// is badged once, nothing else is, and the daemon learns every card.
func TestSharedPagesAcceptance(t *testing.T) {
	for _, fx := range sharedFixtures(t) {
		t.Run(fx.name, func(t *testing.T) {
			e := newEnv(t)
			p := e.b.openConnections(t, fx)
			tr := p.waitBadgedOnce()
			checkOnlyCardsBadged(t, tr, p)
			checkDaemonKnowsPage(t, e, p)
		})
	}
}
