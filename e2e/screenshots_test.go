package e2e

import (
	"os"
	"path/filepath"
	"testing"
)

// rect is an area of the page in CSS pixels, scroll included.
type rect struct{ X, Y, W, H float64 }

// union returns the smallest rect holding all of rs, grown by pad and kept
// inside the page's left and top edges.
func union(pad float64, rs ...rect) rect {
	u := rs[0]
	for _, r := range rs[1:] {
		x0, y0 := min(u.X, r.X), min(u.Y, r.Y)
		x1, y1 := max(u.X+u.W, r.X+r.W), max(u.Y+u.H, r.Y+r.H)
		u = rect{x0, y0, x1 - x0, y1 - y0}
	}
	x, y := max(0, u.X-pad), max(0, u.Y-pad)
	return rect{x, y, u.X + u.W + pad - x, u.Y + u.H + pad - y}
}

// rectOf is the union of the boxes of the page's elements matching css (the
// first n of them; n <= 0 for all).
func (tb *tab) rectOf(css string, n int) rect {
	tb.t.Helper()
	return eval[rect](tb, `(() => {
		let els = [...document.querySelectorAll(`+jsString(css)+`)];
		if (`+jsonString(n)+` > 0) els = els.slice(0, `+jsonString(n)+`);
		if (!els.length) throw new Error('nothing matches '+`+jsString(css)+`);
		let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
		for (const e of els) {
			const r = e.getBoundingClientRect();
			x0 = Math.min(x0, r.left); y0 = Math.min(y0, r.top);
			x1 = Math.max(x1, r.right); y1 = Math.max(y1, r.bottom);
		}
		return {X: x0 + scrollX, Y: y0 + scrollY, W: x1 - x0, H: y1 - y0};
	})()`)
}

// shoot writes the area r of the tab, cut to the viewport, to
// docs/img/name.
func shoot(t *testing.T, tb *tab, r rect, name string) {
	t.Helper()
	v := eval[rect](tb, `({X: scrollX, Y: scrollY, W: innerWidth, H: innerHeight})`)
	x0, y0 := max(r.X, v.X), max(r.Y, v.Y)
	x1, y1 := min(r.X+r.W, v.X+v.W), min(r.Y+r.H, v.Y+v.H)
	r = rect{x0, y0, x1 - x0, y1 - y0}
	png := tb.screenshot(r.X, r.Y, r.W, r.H)
	dir := filepath.Join(repoRoot(t), "docs", "img")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%.0fx%.0f)", path, r.W, r.H)
}

// TestScreenshots writes the pictures of the README into docs/img: the
// badges, the open note composer, the removal reminder and the popup, on the
// classic fixture. It runs only with TACTFUL_SCREENSHOTS=1 (make
// screenshots).
func TestScreenshots(t *testing.T) {
	if os.Getenv("TACTFUL_SCREENSHOTS") != "1" {
		t.Skip("set TACTFUL_SCREENSHOTS=1 (make screenshots) to write docs/img")
	}
	fx := fixtures[0]
	e := newEnv(t)
	p := e.b.openConnections(t, fx)
	p.waitBadgedOnce()

	// Some history to show: two notes, a kept connection.
	p.addNote("grace-hopper-1906", "Met at the COBOL meetup; ask about compilers.")
	waitNoteBadge(p, "grace-hopper-1906", "1 note")
	p.addNote("siobhan-oconnor", "Hiring for platform roles in spring; keep in touch.")
	waitNoteBadge(p, "siobhan-oconnor", "1 note")
	eval[bool](p.tab, `(window.scrollTo(0, 0), true)`)

	// Badges: the first cards of the list, no focus ring.
	eval[bool](p.tab, `(document.activeElement?.blur(), true)`)
	shoot(t, p.tab, union(0, p.rectOf(fx.card, 4)), "badges.png")

	// The composer, open on a card, with a note half typed.
	p.clickAddNote("ada-lovelace-1815")
	p.waitComposer("ada-lovelace-1815").waitFieldFocused()
	p.typeText("Wants an intro to the Analytical Engine team")
	eval[bool](p.tab, `(window.scrollTo(0, 0), true)`)
	shoot(t, p.tab, union(0, p.rectOf(fx.cardOf("ada-lovelace-1815"), 1)), "composer.png")
	p.typeText("\x1b") // Escape closes it unsaved

	// The reminder beside LinkedIn's confirmation.
	p.openRemoval("grace-hopper-1906")
	p.waitReminder("Grace Hopper")
	// The dialog and the reminder are fixed: with the page at its top,
	// their boxes are where the screenshot looks.
	eval[bool](p.tab, `(window.scrollTo(0, 0), true)`)
	shoot(t, p.tab, union(16, p.rectOf(fx.dialog, 1), p.rectOf(`[data-tactful="reminder"]`, 1)), "reminder.png")
	p.clickCSS(fx.cancel)
	p.waitNoDialog()
	waitOutcome(e, "grace-hopper-1906", "kept")

	// The popup, opened as a page.
	pop := e.b.openExtensionPage(t, "popup/popup.html")
	waitFor(t, waitShort, "the popup's history", func() (bool, string) {
		n := pop.count(`[data-role="history-entry"]`)
		return n >= 3, "entries: " + jsonString(n)
	})
	// As tall as Chrome shows a popup at most.
	r := union(0, pop.rectOf("body", 1))
	r.H = min(r.H, 600)
	shoot(t, pop, r, "popup.png")
}
