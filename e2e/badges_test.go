package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"

	"github.com/tactful/tactful/protocol"
)

// TestBadges: every connection card gets exactly one badge host, nothing
// else does (the nav's "Me" link, "People you may know"), and the cards the
// page's own "Show more results"/"Load more" button adds get theirs too.
func TestBadges(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			e := newEnv(t)
			p := e.b.openConnections(t, fx)

			want := len(fx.slugs(t))
			if got := p.count(fx.card); got != want {
				t.Fatalf("the page shows %d cards, its source has %d", got, want)
			}
			tr := p.waitBadgedOnce()
			checkOnlyCardsBadged(t, tr, p)
			if got := len(hosts(tr)); got != want {
				t.Errorf("%d card hosts for %d connection cards", got, want)
			}

			// The page's own button, or its infinite scroll, used like a person.
			p.loadMore()
			waitFor(t, waitShort, "more cards", func() (bool, string) {
				n := p.count(fx.card)
				return n > want, fmt.Sprintf("%d cards", n)
			})
			more := p.count(fx.card)
			tr = p.waitBadgedOnce()
			checkOnlyCardsBadged(t, tr, p)
			if got := len(hosts(tr)); got != more {
				t.Errorf("after loading more: %d card hosts for %d connection cards", got, more)
			}
			checkDaemonKnowsPage(t, e, p)
			if ws := p.openedSockets(); len(ws) > 0 {
				t.Errorf("the content scripts opened WebSockets %q; only the background script may", ws)
			}
			t.Logf("%s: %d cards badged, then %d after loading more", fx.name, want, more)
			if b := p.blockedRequests(); len(b) > 0 {
				t.Logf("requests the test refused: %q", b)
			}
		})
	}
}

// checkOnlyCardsBadged checks that the traps stay untouched: the "Me" link
// in the navigation and the "People you may know" suggestions are /in/
// links but not connections.
func checkOnlyCardsBadged(t *testing.T, tr *domTree, p *connectionsPage) {
	t.Helper()
	for _, h := range hosts(tr) {
		if tr.ancestor(h, p.fx.isCard) == nil {
			t.Errorf("a card host outside the connection cards, under <%s>", strings.ToLower(tr.parent[h].NodeName))
		}
	}
	// The light-DOM hosts are visible to LinkedIn's scripts: they carry no
	// personal data.
	for _, h := range hosts(tr) {
		card := tr.ancestor(h, p.fx.isCard)
		if card == nil {
			continue
		}
		slug := slugOfCard(card)
		var name string
		if imgs := find(card, byLocalName("img")); len(imgs) > 0 {
			name, _ = attr(imgs[0], "alt")
		}
		for i := 0; i+1 < len(h.Attributes); i += 2 {
			v := strings.ToLower(h.Attributes[i+1])
			if strings.Contains(v, strings.ToLower(slug)) || (name != "" && strings.Contains(v, strings.ToLower(name))) {
				t.Errorf("%s's card host shows personal data to the page: %s=%q", slug, h.Attributes[i], h.Attributes[i+1])
			}
		}
	}
	traps := find(tr.root, func(n *cdp.Node) bool {
		if !isElement(n) {
			return false
		}
		label, _ := attr(n, "aria-label")
		return (n.LocalName == "header" && is(n, "id", "global-nav")) || n.LocalName == "nav" || (n.LocalName == "aside" && label == "People you may know")
	})
	if len(traps) < 2 {
		t.Fatalf("the fixture's navigation and suggestions were not found (%d)", len(traps))
	}
	for _, trap := range traps {
		for _, x := range find(trap, func(n *cdp.Node) bool { _, ok := attr(n, "data-tactful"); return isElement(n) && ok }) {
			v, _ := attr(x, "data-tactful")
			t.Errorf("data-tactful=%q inside <%s> (the nav's Me link or People you may know)", v, trap.LocalName)
		}
	}
}

// trapSlugs are /in/ links of both fixtures that are not connections.
var trapSlugs = []string{"casey-curator", "pat-suggested-123", "robin-maybe-you-know"}

// checkDaemonKnowsPage checks the page reader told the daemon about every
// card on the page, under its canonical slug, and about none of the traps.
func checkDaemonKnowsPage(t *testing.T, e *env, p *connectionsPage) {
	t.Helper()
	var slugs []string
	for _, c := range p.cards(p.snapshot()) {
		s, err := protocol.CanonicalSlug(slugOfCard(c))
		if err != nil {
			t.Fatalf("a card's slug %q: %v", slugOfCard(c), err)
		}
		slugs = append(slugs, s)
	}
	waitFor(t, waitShort, "the daemon to know every card on the page", func() (bool, string) {
		for _, s := range slugs {
			if _, ok := e.contact(s); !ok {
				return false, s + " is unknown to the daemon"
			}
		}
		return true, ""
	})
	for _, s := range trapSlugs {
		if c, ok := e.contact(s); ok {
			t.Errorf("the daemon recorded %s (%q), who is not a connection card", s, c.Contact.Name)
		}
	}
}
