package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tactful/tactful/protocol"
)

// nameOf is the person's name as the page shows it: the table the page was
// written from, or on a ../shared page the photo's alt text.
func (p *connectionsPage) nameOf(slug string) string {
	p.t.Helper()
	if p.fx.shape != "" {
		for _, x := range people {
			if x.Path == slug {
				return x.Name
			}
		}
		p.t.Fatalf("no person %s on the %s page", slug, p.fx.name)
	}
	return eval[string](p.tab, `document.querySelector(`+jsString(p.fx.cardOf(slug)+` img[alt]`)+`).alt`)
}

// skipRemovalOn2025 skips where the extension does not yet find the 2025
// shape's confirmation (a plain overlay without a dialog role).
func skipRemovalOn2025(t *testing.T, fx fixture) {
	t.Helper()
	if fx.shape == "2025" {
		t.Skip("skipping: the removal flow on the 2025 shape is issue 9 point 1, in progress on the removal branch")
	}
}

// outcomeOf returns the newest outcome event of slug, if any.
func outcomeOf(events []protocol.Event, slug string) (protocol.Event, bool) {
	for _, ev := range events { // newest first
		if ev.Kind == protocol.EventOutcome && ev.Slug == slug {
			return ev, true
		}
	}
	return protocol.Event{}, false
}

// waitOutcome waits until the daemon has recorded outcome for slug.
func waitOutcome(e *env, slug string, want protocol.Outcome) protocol.Event {
	e.t.Helper()
	var ev protocol.Event
	waitFor(e.t, waitShort, fmt.Sprintf("the outcome %q of %s", want, slug), func() (bool, string) {
		var ok bool
		ev, ok = outcomeOf(e.history(protocol.EventOutcome), slug)
		return ok && ev.Outcome == want, fmt.Sprintf("recorded %v: %+v", ok, ev)
	})
	return ev
}

// checkBeside checks the reminder does not cover the page's confirmation.
func (p *connectionsPage) checkBeside() {
	p.t.Helper()
	overlap := eval[bool](p.tab, `(() => {
		const a = document.querySelector('[data-tactful="reminder"]').getBoundingClientRect();
		const d = document.querySelector(`+jsString(p.fx.dialog)+`);
		const b = (d.matches('[role="dialog"]') ? d : (d.querySelector('[role="dialog"]') || d)).getBoundingClientRect();
		return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
	})()`)
	if overlap {
		p.t.Errorf("the reminder covers the page's confirmation")
	}
}

// checkFits checks the whole reminder is inside the viewport: it is fixed,
// so a part below the fold can never be scrolled to.
func checkFits(t *testing.T, p *connectionsPage) {
	t.Helper()
	type box struct{ X, Y, W, H, VW, VH float64 }
	b, err := tryEval[box](p.tab, `(() => { const r = document.querySelector('[data-tactful="reminder"]').getBoundingClientRect();
		return {X: r.left, Y: r.top, W: r.width, H: r.height, VW: innerWidth, VH: innerHeight}; })()`)
	if err != nil {
		t.Fatalf("measure the reminder: %v", err)
	}
	if b.X < 0 || b.Y < 0 || b.X+b.W > b.VW || b.Y+b.H > b.VH {
		t.Errorf("the fixed reminder (at %.0f,%.0f, %.0fx%.0f) does not fit the %.0fx%.0f viewport: its end is off screen and cannot be scrolled to",
			b.X, b.Y, b.W, b.H, b.VW, b.VH)
	}
}

// TestRemovalReminderAndOutcomes: opening "Remove connection" from a card's
// menu (real clicks on the page's own menu) shows the reminder beside the
// page's confirmation; for someone connected recently it has a timing point
// saying so, for an old connection it has none. Cancel is recorded as
// "kept", confirming as "removed", closing the dialog otherwise (✕, Escape)
// as "kept", and the popup's history shows them.
func TestRemovalReminderAndOutcomes(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			skipRemovalOn2025(t, fx)
			// Dates are read against the real clock: pick a card connected
			// within the daemon's 90 days today, and one years ago.
			recent, ok := fx.pickByAge(t, "grace-hopper-1906", 1, 60)
			if !ok {
				t.Skipf("no card of %s was connected 1 to 60 days before today (%s); the fixture's dates are fixed", fx.name, todayString())
			}
			old, ok := fx.pickByAge(t, "zoe-angstrom-77", 400, 1<<20)
			if !ok {
				t.Fatalf("no card of %s was connected over 400 days ago", fx.name)
			}
			t.Logf("recent: %s (%s); old: %s (%s)", recent, fx.connectedText(t, recent), old, fx.connectedText(t, old))

			e := newEnv(t)
			p := e.b.openConnections(t, fx)
			p.waitBadgedOnce()
			const third = "siobhan-oconnor"
			recentName, oldName, thirdName := p.nameOf(recent), p.nameOf(old), p.nameOf(third)

			t.Run("reminder for a recent connection, cancelled", func(t *testing.T) {
				p.openRemoval(recent)
				tr, text := p.waitReminder(recentName)
				host, _ := reminder(tr)
				if root := shadow(host); root == nil || string(root.ShadowRootType) != "closed" {
					t.Errorf("the reminder is not in a closed shadow root")
				}
				if len(findAttr(host, "data-kind", "recent")) == 0 || !strings.Contains(text, "Recently connected") {
					t.Errorf("no timing point about the recent connection (%q) in the reminder: %s", fx.connectedText(t, recent), clip(text, 600))
				}
				p.checkBeside()
				t.Run("fits the viewport", func(t *testing.T) { checkFits(t, p) })
				t.Logf("reminder: %s", clip(text, 300))

				p.clickCSS(fx.cancel)
				p.waitNoDialog()
				waitFor(t, waitShort, "the reminder to go with the dialog", func() (bool, string) {
					h, _ := reminder(p.snapshot())
					return h == nil, "still there"
				})
				waitOutcome(e, recent, protocol.OutcomeKept)
				if !p.exists(fx.cardOf(recent)) {
					t.Errorf("cancelling removed %s's card", recent)
				}
			})

			t.Run("reminder for an old connection, confirmed", func(t *testing.T) {
				p.openRemoval(old)
				tr, text := p.waitReminder(oldName)
				host, _ := reminder(tr)
				if len(findAttr(host, "data-kind", "recent")) > 0 || strings.Contains(text, "Recently connected") {
					t.Errorf("a recent-connection point for %s (%q): %s", old, fx.connectedText(t, old), clip(text, 600))
				}
				before := p.count(fx.card)
				p.clickCSS(fx.confirm)
				p.waitNoDialog()
				waitFor(t, waitShort, "the page to drop the removed card", func() (bool, string) {
					n := p.count(fx.card)
					return n == before-1 && !p.exists(fx.cardOf(old)), fmt.Sprintf("%d cards (was %d)", n, before)
				})
				waitOutcome(e, old, protocol.OutcomeRemoved)
				if ev, _ := outcomeOf(e.history(protocol.EventOutcome), recent); ev.Outcome != protocol.OutcomeKept {
					t.Errorf("%s's outcome changed to %q", recent, ev.Outcome)
				}
				if n := len(e.history(protocol.EventOutcome)); n != 2 {
					t.Errorf("%d outcome events, want 2 (one kept, one removed)", n)
				}
			})

			t.Run("reminder closed without a choice", func(t *testing.T) {
				// The modal's ✕ on the classic page, Escape on the native
				// dialog: the connection is kept.
				p.openRemoval(third)
				p.waitReminder(thirdName)
				if fx.dismiss != "" {
					p.clickCSS(fx.dismiss)
				} else {
					p.typeText("\x1b")
				}
				p.waitNoDialog()
				waitOutcome(e, third, protocol.OutcomeKept)
			})

			t.Run("popup history", func(t *testing.T) {
				events := e.history(protocol.EventOutcome)
				pop := e.b.openExtensionPage(t, "popup/popup.html")
				checkPopupShows(t, pop, events, map[string]string{recent: recentName, old: oldName, third: thirdName})
				if ws := pop.openedSockets(); len(ws) > 0 {
					t.Errorf("the popup opened WebSockets %q; only the background script may", ws)
				}
			})
		})
	}
}

// checkPopupShows waits until the popup's history lists each event (by its
// slug, kind and summary) and names each person.
func checkPopupShows(t *testing.T, pop *tab, events []protocol.Event, names map[string]string) {
	t.Helper()
	type entry struct {
		Kind, Slug, Summary, Text string
	}
	const read = `[...document.querySelectorAll('[data-role="history-entry"]')].map(li => ({
		Kind: li.dataset.kind || '',
		Slug: li.querySelector('[data-slug]')?.dataset.slug || '',
		Summary: (li.querySelector('[data-role="summary"]')?.textContent || '').trim(),
		Text: li.textContent.replace(/\s+/g, ' ').trim(),
	}))`
	var got []entry
	waitFor(t, waitShort, "the popup's history to list the outcomes", func() (bool, string) {
		got = eval[[]entry](pop, read)
		for _, ev := range events {
			found := false
			for _, g := range got {
				if g.Kind == string(ev.Kind) && g.Slug == ev.Slug && g.Summary == ev.Summary && strings.Contains(g.Text, names[ev.Slug]) {
					found = true
				}
			}
			if !found {
				return false, fmt.Sprintf("no entry for %s %s %q naming %q; entries: %+v", ev.Kind, ev.Slug, ev.Summary, names[ev.Slug], got)
			}
		}
		return true, ""
	})
	t.Logf("popup history: %d entries", len(got))
}
