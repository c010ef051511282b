package e2e

import (
	"fmt"
	"strings"
	"time"

	"github.com/chromedp/cdproto/cdp"
)

// What the extension draws on the Connections page (docs/architecture.md,
// "Contracts inside the extension"): one element data-tactful="card" per
// connection card with a closed shadow root holding data-role="badge"
// (data-kind), "add-note", "pending" and, while open, the composer's
// <iframe data-role="composer"> (composer_test.go); the removal reminder in
// data-tactful="reminder".

// cards lists the page's connection cards in a snapshot.
func (p *connectionsPage) cards(tr *domTree) []*cdp.Node { return find(tr.root, p.fx.isCard) }

// hosts lists every card host the extension drew.
func hosts(tr *domTree) []*cdp.Node { return findAttr(tr.root, "data-tactful", "card") }

// slugOfCard reads the profile slug of a card in a snapshot.
func slugOfCard(card *cdp.Node) string {
	for _, a := range find(card, byLocalName("a")) {
		href, _ := attr(a, "href")
		if i := strings.Index(href, "/in/"); i >= 0 {
			return strings.Trim(href[i+len("/in/"):], "/")
		}
	}
	return "?"
}

// badgeReport checks the hosts against the cards: one host in every card,
// none elsewhere, each a closed shadow root with an "Add note" button and
// the daemon's annotation drawn (the host no longer aria-busy). It returns "" when all is well, else what is wrong.
func (p *connectionsPage) badgeReport(tr *domTree) string {
	cards := p.cards(tr)
	perCard := map[*cdp.Node]int{}
	var problems []string
	for _, h := range hosts(tr) {
		card := tr.ancestor(h, p.fx.isCard)
		if card == nil {
			problems = append(problems, fmt.Sprintf("a card host outside any connection card (under <%s %v>)",
				strings.ToLower(tr.parent[h].NodeName), tr.parent[h].Attributes))
			continue
		}
		perCard[card]++
		root := shadow(h)
		switch {
		case root == nil:
			problems = append(problems, slugOfCard(card)+": the host has no shadow root")
		case root.ShadowRootType != cdp.ShadowRootTypeClosed:
			problems = append(problems, fmt.Sprintf("%s: the shadow root is %s, not closed", slugOfCard(card), root.ShadowRootType))
		default:
			if len(findAttr(root, "data-role", "add-note")) != 1 {
				problems = append(problems, slugOfCard(card)+": no single Add note button")
			}
			// The daemon's answer is drawn once the host is no longer
			// busy; it may hold no badge at all (nothing to say yet).
			if _, busy := attr(h, "aria-busy"); busy {
				problems = append(problems, slugOfCard(card)+": the daemon's annotation is not drawn yet")
			}
		}
	}
	for _, c := range cards {
		if n := perCard[c]; n != 1 {
			problems = append(problems, fmt.Sprintf("%s: %d card hosts", slugOfCard(c), n))
		}
	}
	if len(problems) == 0 {
		return ""
	}
	if len(problems) > 8 {
		problems = append(problems[:8], fmt.Sprintf("and %d more", len(problems)-8))
	}
	return fmt.Sprintf("%d cards: %s", len(cards), strings.Join(problems, "; "))
}

// waitBadgedOnce waits until every card on the page has exactly one badge
// host and nothing else has one, then checks it still holds a moment later
// (a second pass of the extension must not add a second host).
func (p *connectionsPage) waitBadgedOnce() *domTree {
	p.t.Helper()
	var tr *domTree
	waitFor(p.t, waitShort, "every card badged exactly once", func() (bool, string) {
		tr = p.snapshot()
		r := p.badgeReport(tr)
		return r == "", r
	})
	time.Sleep(300 * time.Millisecond) // let a late duplicate show
	tr = p.snapshot()
	if r := p.badgeReport(tr); r != "" {
		p.t.Fatalf("badges changed after settling: %s", r)
	}
	return tr
}

// host returns the card host inside slug's card.
func (p *connectionsPage) host(tr *domTree, slug string) *cdp.Node {
	p.t.Helper()
	card := p.cardNode(tr, slug)
	hs := find(card, func(n *cdp.Node) bool { return isElement(n) && is(n, "data-tactful", "card") })
	if len(hs) != 1 {
		p.t.Fatalf("%s: %d card hosts in the card, want 1", slug, len(hs))
	}
	return hs[0]
}

// inCard lists the elements with data-role=role in slug's card host.
func (p *connectionsPage) inCard(tr *domTree, slug, role string) []*cdp.Node {
	p.t.Helper()
	root := shadow(p.host(tr, slug))
	if root == nil {
		p.t.Fatalf("%s: the card host has no shadow root", slug)
	}
	return findAttr(root, "data-role", role)
}

// shown reports whether an element is present and not hidden by the
// hidden attribute (on it or an ancestor in the same tree).
func shown(tr *domTree, n *cdp.Node) bool {
	for x := n; x != nil; x = tr.parent[x] {
		if _, ok := attr(x, "hidden"); ok {
			return false
		}
	}
	return true
}

// noteBadge returns the text of slug's note badge, "" when there is none.
func (p *connectionsPage) noteBadge(tr *domTree, slug string) string {
	for _, b := range p.inCard(tr, slug, "badge") {
		if is(b, "data-kind", "note") {
			return textOf(b)
		}
	}
	return ""
}

// addNote clicks slug's "Add note" button, waits for the composer frame
// and its focused note field, types text and presses Enter: real mouse and
// key events throughout, with no click inside the frame (the field must
// have the focus already).
func (p *connectionsPage) addNote(slug, text string) {
	p.t.Helper()
	p.clickAddNote(slug)
	f := p.waitComposer(slug)
	f.waitFieldFocused()
	p.typeText(text)
	p.pressEnter()
	p.waitComposerClosed(slug, "after Enter")
}

// clickAddNote clicks slug's "Add note" button.
func (p *connectionsPage) clickAddNote(slug string) {
	p.t.Helper()
	tr := p.snapshot()
	buttons := p.inCard(tr, slug, "add-note")
	if len(buttons) != 1 {
		p.t.Fatalf("%s: %d Add note buttons", slug, len(buttons))
	}
	btn := buttons[0]
	if name, _ := attr(btn, "aria-label"); textOf(btn) != "Add note" && name != "Add note" {
		p.t.Errorf(`%s: the add-note button is named %q (aria-label %q), want "Add note"`, slug, textOf(btn), name)
	}
	p.click(btn)
}

// openRemoval opens slug's card menu and clicks "Remove connection", as a
// user would, and waits for the page's confirmation.
func (p *connectionsPage) openRemoval(slug string) {
	p.t.Helper()
	p.clickCSS(p.fx.menuOf(slug))
	p.clickCSS(p.fx.removeItem(slug))
	waitFor(p.t, waitShort, "the page's removal confirmation", func() (bool, string) {
		return p.exists(p.fx.dialog), "no dialog"
	})
}

// reminder returns the reminder host and its text, or nil.
func reminder(tr *domTree) (*cdp.Node, string) {
	for _, h := range findAttr(tr.root, "data-tactful", "reminder") {
		if shown(tr, h) {
			return h, textOf(h)
		}
	}
	return nil, ""
}

// waitReminder waits for the reminder to show and to name the person.
func (p *connectionsPage) waitReminder(name string) (*domTree, string) {
	p.t.Helper()
	var tr *domTree
	var text string
	waitFor(p.t, waitShort, "the removal reminder naming "+name, func() (bool, string) {
		tr = p.snapshot()
		var h *cdp.Node
		h, text = reminder(tr)
		if h == nil {
			return false, "no data-tactful=reminder"
		}
		return strings.Contains(text, name), "it reads: " + clip(text, 400)
	})
	return tr, text
}

// waitNoDialog waits until the page's confirmation is closed.
func (p *connectionsPage) waitNoDialog() {
	p.t.Helper()
	waitFor(p.t, waitShort, "the confirmation to close", func() (bool, string) {
		return !p.exists(p.fx.dialog), "still open"
	})
}
