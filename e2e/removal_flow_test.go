package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/tactful/tactful/protocol"
)

// The removal flow found by meaning, and only true outcomes: on every page
// shape and its variants, the reminder appears at the confirmation and
// never on the menu; a page script clicking through the flow records
// nothing; Cancel records no removal; the person's confirm records Removed
// once.

// removalKinds are the history events the removal flow writes.
var removalKinds = []protocol.EventKind{protocol.EventReminderShown, protocol.EventOutcome}

// outcomesOf lists slug's recorded outcomes, newest first.
func outcomesOf(e *env, slug string) []protocol.Outcome {
	var out []protocol.Outcome
	for _, ev := range eventsOf(e, slug) {
		if ev.Kind == protocol.EventOutcome {
			out = append(out, ev.Outcome)
		}
	}
	return out
}

// eventsOf lists slug's removal events, newest first.
func eventsOf(e *env, slug string) []protocol.Event {
	var out []protocol.Event
	for _, ev := range e.history(removalKinds...) {
		if ev.Slug == slug {
			out = append(out, ev)
		}
	}
	return out
}

// waitOutcomes waits until slug has n recorded outcomes.
func waitOutcomes(e *env, slug string, n int) {
	e.t.Helper()
	waitFor(e.t, waitShort, fmt.Sprintf("%d outcomes of %s", n, slug), func() (bool, string) {
		got := outcomesOf(e, slug)
		return len(got) >= n, fmt.Sprintf("%v", got)
	})
}

// checkNoReminderFor watches the page for d and fails if a reminder shows.
func (p *connectionsPage) checkNoReminderFor(d time.Duration, when string) {
	p.t.Helper()
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(pollEvery) {
		if h, text := reminder(p.snapshot()); h != nil {
			p.t.Fatalf("a reminder %s: %s", when, clip(text, 200))
		}
	}
}

// TestRemovalOnEveryShapeAndVariant: in each shape, with the menu as
// role="dialog" and in another UI language, the person's "Remove
// connection" shows the reminder beside the confirmation (not on the open
// menu); Cancel records "kept" and no removal; confirming records "removed"
// exactly once, after the page dropped the card.
func TestRemovalOnEveryShapeAndVariant(t *testing.T) {
	cases := []fixture{
		classicFixture.variant("?menu=dialog"), sduiFixture.variant("?menu=dialog"), fixture2025.variant("?menu=dialog"),
		classicFixture.variant("?lang=fr"), sduiFixture.variant("?lang=de"), fixture2025.variant("?lang=es"),
		classicFixture.variant("?lang=pt"), sduiFixture.variant("?lang=it"), fixture2025.variant("?lang=nl&menu=dialog"),
	}
	if testing.Short() {
		cases = cases[:3]
	}
	e := newEnv(t)
	for _, fx := range cases {
		t.Run(fx.name, func(t *testing.T) {
			p := e.b.openConnections(t, fx)
			p.waitBadgedOnce()
			kept, removed := "grace-hopper-1906", "zoe-angstrom-77"
			// The daemon is shared by the cases: each adds one outcome per person.
			keptBefore, removedBefore := len(outcomesOf(e, kept)), len(outcomesOf(e, removed))

			// The menu open (a role=dialog in the menu variants) is not the
			// confirmation.
			p.clickCSS(fx.menuOf(kept))
			p.checkNoReminderFor(600*time.Millisecond, "while only the card's menu is open")
			p.clickCSS(fx.removeItem(kept))
			waitFor(t, waitShort, "the page's removal confirmation", func() (bool, string) {
				return p.exists(fx.dialog), "no confirmation"
			})
			p.waitReminder(p.nameOf(kept))
			p.checkBeside()
			p.clickCSS(fx.cancel)
			p.waitNoDialog()
			waitOutcomes(e, kept, keptBefore+1)
			if !p.exists(fx.cardOf(kept)) {
				t.Errorf("cancelling removed %s's card", kept)
			}

			p.openRemoval(removed)
			p.waitReminder(p.nameOf(removed))
			before := p.count(fx.card)
			p.clickCSS(fx.confirm)
			p.waitNoDialog()
			waitFor(t, waitShort, "the page to drop the removed card", func() (bool, string) {
				return !p.exists(fx.cardOf(removed)), fmt.Sprintf("%d cards (was %d)", p.count(fx.card), before)
			})
			waitOutcomes(e, removed, removedBefore+1)
			time.Sleep(500 * time.Millisecond) // a late second record would show now
			if got := outcomesOf(e, kept); len(got) != keptBefore+1 || got[0] != protocol.OutcomeKept {
				t.Errorf("%s (cancelled): outcomes %v, want one more, %q", kept, got, protocol.OutcomeKept)
			}
			if got := outcomesOf(e, removed); len(got) != removedBefore+1 || got[0] != protocol.OutcomeRemoved {
				t.Errorf("%s (confirmed): outcomes %v, want one more, %q", removed, got, protocol.OutcomeRemoved)
			}
		})
	}
}

// TestPageScriptClicksRecordNothing: a page script calling .click() on the
// card's menu, "Remove connection" and the confirm button drives the page
// (the card goes), but tactful shows no reminder and records nothing.
func TestPageScriptClicksRecordNothing(t *testing.T) {
	e := newEnv(t)
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			p := e.b.openConnections(t, fx)
			p.waitBadgedOnce()
			const slug = "siobhan-oconnor"
			click := func(css string) {
				t.Helper()
				if !eval[bool](p.tab, `(() => { const el = document.querySelector(`+jsString(css)+`); if (!el) return false; el.click(); return true; })()`) {
					t.Fatalf("the page has no %s to click", css)
				}
			}
			click(fx.menuOf(slug))
			click(fx.removeItem(slug))
			waitFor(t, waitShort, "the page's confirmation, opened by a script", func() (bool, string) {
				return p.exists(fx.dialog), "no confirmation"
			})
			p.checkNoReminderFor(time.Second, "for a script's clicks")
			click(fx.confirm)
			waitFor(t, waitShort, "the page to drop the card for the script", func() (bool, string) {
				return !p.exists(fx.cardOf(slug)), "still there"
			})
			time.Sleep(time.Second) // what would be recorded is sent by now
			if evs := eventsOf(e, slug); len(evs) > 0 {
				t.Errorf("a script's clicks were recorded: %+v", evs)
			}
		})
	}
}
