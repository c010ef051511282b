package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"

	"github.com/tactful/tactful/protocol"
)

// The fixtures' trap: a member whose name looks like HTML.
const (
	markupSlug = "renee-xss-test"
	markupName = "Renée <img src=x onerror=alert(1)>"
	// A note that looks like HTML too, typed by the user.
	markupNote = `<img src=y onerror=alert(2)> <b>bold</b> & "quoted"`
)

// markupElements lists elements under n that could only have come from
// parsing the name or the note as HTML.
func markupElements(n *cdp.Node) []string {
	var out []string
	for _, x := range find(n, isElement) {
		src, _ := attr(x, "src")
		_, onerror := attr(x, "onerror")
		switch {
		case x.LocalName == "img":
			out = append(out, fmt.Sprintf("<img src=%q>", src))
		case onerror:
			out = append(out, "<"+x.LocalName+" onerror>")
		case x.LocalName == "b" && textOf(x) == "bold":
			out = append(out, "<b>bold</b>")
		}
	}
	return out
}

// TestMarkupInNamesStaysText: a name and a note that look like HTML are
// shown as text in the badges, the composer, the reminder and the popup; no
// element is made from them and no script runs (a dialog would fail the
// test through the tab's dialog watch).
func TestMarkupInNamesStaysText(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			e := newEnv(t)
			p := e.b.openConnections(t, fx)
			p.waitBadgedOnce()
			if got := p.nameOf(markupSlug); got != markupName {
				t.Fatalf("the fixture's name for %s is %q, want %q", markupSlug, got, markupName)
			}

			p.addNote(markupSlug, markupNote)
			waitFor(t, waitShort, "the note with markup to be stored as text", func() (bool, string) {
				c, ok := e.contact(markupSlug)
				return ok && len(notesWith(c.Contact, markupNote)) == 1, fmt.Sprintf("known %v, notes %+v", ok, c.Contact.Notes)
			})
			if c, _ := e.contact(markupSlug); c.Contact.Name != markupName {
				t.Errorf("the daemon has the name %q, want the page's text %q", c.Contact.Name, markupName)
			}
			waitNoteBadge(p, markupSlug, "1 note")

			if fx.shape == "2025" {
				return // skipRemovalOn2025: the reminder is not found there yet
			}
			p.openRemoval(markupSlug)
			tr, text := p.waitReminder(markupName)
			if !strings.Contains(text, markupNote) {
				t.Logf("the reminder does not quote the note (it may not list notes): %s", clip(text, 400))
			}
			// Every tactful shadow root: the cards and the reminder.
			for _, h := range find(tr.root, func(n *cdp.Node) bool { _, ok := attr(n, "data-tactful"); return isElement(n) && ok }) {
				if bad := markupElements(h); len(bad) > 0 {
					kind, _ := attr(h, "data-tactful")
					t.Errorf("elements made from text in a data-tactful=%s host: %v", kind, bad)
				}
			}
			p.clickCSS(fx.cancel)
			p.waitNoDialog()
			waitOutcome(e, markupSlug, protocol.OutcomeKept)

			pop := e.b.openExtensionPage(t, "popup/popup.html")
			var popText string
			waitFor(t, waitShort, "the popup to show the name and the note as text", func() (bool, string) {
				popText = textOf(pop.snapshot().root)
				return strings.Contains(popText, markupName) && strings.Contains(popText, markupNote), clip(popText, 600)
			})
			if bad := markupElements(pop.snapshot().root); len(bad) > 0 {
				// The popup may have images of its own, but none with
				// these sources or handlers.
				var made []string
				for _, b := range bad {
					if strings.Contains(b, `"x"`) || strings.Contains(b, `"y"`) || strings.Contains(b, "onerror") || strings.Contains(b, "<b>") {
						made = append(made, b)
					}
				}
				if len(made) > 0 {
					t.Errorf("the popup made elements from text: %v", made)
				}
			}
		})
	}
}
