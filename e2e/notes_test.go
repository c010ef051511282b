package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tactful/tactful/protocol"
)

// noteSlug is the card the note tests write on: a plain ASCII slug present
// in both fixtures.
const noteSlug = "grace-hopper-1906"

// notesWith returns the contact's notes whose text is text.
func notesWith(c protocol.Contact, text string) []protocol.Note {
	var out []protocol.Note
	for _, n := range c.Notes {
		if n.Text == text {
			out = append(out, n)
		}
	}
	return out
}

// noteAddedEvents counts the note_added events of slug with text.
func noteAddedEvents(events []protocol.Event, slug, text string) int {
	n := 0
	for _, ev := range events {
		if ev.Kind == protocol.EventNoteAdded && ev.Slug == slug && ev.Text == text {
			n++
		}
	}
	return n
}

// waitNoteBadge waits until slug's note badge reads want (after a reload,
// the badges come from the daemon).
func waitNoteBadge(p *connectionsPage, slug, want string) {
	p.t.Helper()
	waitFor(p.t, waitShort, slug+"'s note badge", func() (bool, string) {
		got := p.noteBadge(p.snapshot(), slug)
		return strings.Contains(got, want), fmt.Sprintf("it reads %q", got)
	})
}

// TestNoteSavedAndShownAfterReload: "Add note", type, Enter; the daemon has
// the note, and after a reload the card's note badge reads "1 note".
func TestNoteSavedAndShownAfterReload(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			e := newEnv(t)
			p := e.b.openConnections(t, fx)
			p.waitBadgedOnce()

			text := "Met at the COBOL meetup (" + fx.name + ")"
			p.addNote(noteSlug, text)
			waitFor(t, waitShort, "the daemon to store the note", func() (bool, string) {
				c, ok := e.contact(noteSlug)
				return ok && len(notesWith(c.Contact, text)) == 1, fmt.Sprintf("known %v, notes %+v", ok, c.Contact.Notes)
			})
			c, _ := e.contact(noteSlug)
			if len(c.Contact.Notes) != 1 {
				t.Errorf("the contact has %d notes, want 1: %+v", len(c.Contact.Notes), c.Contact.Notes)
			}

			p.reload()
			p.waitBadgedOnce()
			waitNoteBadge(p, noteSlug, "1 note")
		})
	}
}

// TestNoteWhileDaemonStopped: a note taken while the daemon is down shows
// the pending marker, and reaches the daemon exactly once after it starts
// again on the same home and port.
func TestNoteWhileDaemonStopped(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			e := newEnv(t)
			p := e.b.openConnections(t, fx)
			p.waitBadgedOnce()

			e.stopDaemon()
			e.waitConnected(false)

			text := "Asked about the Harvard Mark I while tactful was off (" + fx.name + ")"
			p.addNote(noteSlug, text)
			waitFor(t, waitShort, "the pending marker on "+noteSlug, func() (bool, string) {
				tr := p.snapshot()
				for _, m := range p.inCard(tr, noteSlug, "pending") {
					if shown(tr, m) {
						return true, ""
					}
				}
				return false, "no pending marker shown"
			})
			if s := e.state(); fmt.Sprint(s["pending"]) != "1" {
				t.Errorf("the background holds %v pending notes, want 1: %s", s["pending"], jsonString(s))
			}

			e.startDaemon() // same home, same port
			waitFor(t, waitLong, "the queued note to reach the restarted daemon", func() (bool, string) {
				c, ok := e.contact(noteSlug)
				return ok && len(notesWith(c.Contact, text)) > 0, fmt.Sprintf("known %v, notes %+v", ok, c.Contact.Notes)
			})
			waitFor(t, waitShort, "the pending marker to go", func() (bool, string) {
				tr := p.snapshot()
				for _, m := range p.inCard(tr, noteSlug, "pending") {
					if shown(tr, m) {
						return false, "still shown: " + textOf(m)
					}
				}
				return true, ""
			})
			waitFor(t, waitShort, "the background's queue to empty", func() (bool, string) {
				s := e.state()
				return fmt.Sprint(s["pending"]) == "0", jsonString(s)
			})

			// Exactly once: one note, one note_added event, also after a
			// reload (which sends what the page sees again).
			p.reload()
			p.waitBadgedOnce()
			waitNoteBadge(p, noteSlug, "1 note")
			c, _ := e.contact(noteSlug)
			if got := notesWith(c.Contact, text); len(got) != 1 || len(c.Contact.Notes) != 1 {
				t.Errorf("the daemon holds %d notes (%d with the text), want exactly 1: %+v", len(c.Contact.Notes), len(got), c.Contact.Notes)
			}
			if n := noteAddedEvents(e.history(protocol.EventNoteAdded), noteSlug, text); n != 1 {
				t.Errorf("%d note_added events for the note, want 1", n)
			}
		})
	}
}
