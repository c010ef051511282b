package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
)

// The SDUI page can behave like two more of LinkedIn's markups (see
// e2e/testdata/linkedin/README.md): rows re-rendered as fresh nodes
// (?rerender=1), and a virtualized list that loads on scroll and drops rows
// far above the viewport (?virtual=1).

// TestBadgesOnRerenderedRows: the page replaces its first card with a fresh
// node every 700 ms; the fresh node is badged again, and no card ever holds
// two badge hosts.
func TestBadgesOnRerenderedRows(t *testing.T) {
	fx := sduiFixture.variant("?rerender=1")
	e := newEnv(t)
	p := e.b.openConnections(t, fx)
	waitFor(t, waitShort, "the first badges", func() (bool, string) {
		r := p.badgeReport(p.snapshot())
		return r == "", r
	})

	// Sample for a few re-renders: count the fresh nodes of the first card
	// and how often each was seen badged.
	first := func(tr *domTree) *cdp.Node {
		if cs := p.cards(tr); len(cs) > 0 {
			return cs[0]
		}
		return nil
	}
	nodes := map[cdp.BackendNodeID]bool{} // first-card node → seen badged
	samples, badged := 0, 0
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		tr := p.snapshot()
		for _, c := range p.cards(tr) {
			if n := len(findAttr(c, "data-tactful", "card")); n > 1 {
				t.Fatalf("%s's card holds %d badge hosts", slugOfCard(c), n)
			}
		}
		for _, h := range hosts(tr) {
			if tr.ancestor(h, fx.isCard) == nil {
				t.Fatalf("a badge host outside the cards after a re-render")
			}
		}
		c := first(tr)
		if c == nil {
			continue
		}
		samples++
		ok := len(findAttr(c, "data-tactful", "card")) == 1
		if ok {
			badged++
		}
		nodes[c.BackendNodeID] = nodes[c.BackendNodeID] || ok
	}
	if len(nodes) < 3 {
		t.Fatalf("the page re-rendered its first card %d times in 3 s; the fixture's re-render did not run", len(nodes)-1)
	}
	unbadged := 0
	for _, ok := range nodes {
		if !ok {
			unbadged++
		}
	}
	// The newest node may not have been sampled badged yet.
	if unbadged > 1 || badged*2 < samples {
		t.Errorf("re-rendered cards were not badged again: %d of %d fresh nodes never seen badged, %d of %d samples badged",
			unbadged, len(nodes), badged, samples)
	}
}

// TestBadgesOnVirtualizedList: more cards load as the user scrolls, and rows
// far above are dropped; every row in the DOM stays badged once, and the
// daemon learns every connection the page showed.
func TestBadgesOnVirtualizedList(t *testing.T) {
	fx := sduiFixture.variant("?virtual=1")
	e := newEnv(t)
	p := e.b.openConnections(t, fx)
	p.waitBadgedOnce()

	seen := map[string]bool{}
	remember := func() {
		for _, c := range p.cards(p.snapshot()) {
			seen[slugOfCard(c)] = true
		}
	}
	remember()
	// Scroll like a user, with the mouse wheel, until nothing more loads.
	for range 20 {
		before := len(seen)
		p.wheel(0, 4000)
		time.Sleep(200 * time.Millisecond)
		p.waitBadgedOnce()
		remember()
		if len(seen) == before && len(seen) >= 30 {
			break
		}
	}
	if len(seen) < 30 {
		t.Fatalf("scrolling showed %d connections, the fixture has 30", len(seen))
	}
	if n := p.count(fx.card); n > 25 {
		t.Errorf("the virtualized list kept %d rows; the fixture's script keeps 25", n)
	}
	for slug := range seen {
		s := slug
		waitFor(t, waitShort, fmt.Sprintf("the daemon to know %s", s), func() (bool, string) {
			_, ok := e.contact(canonical(t, s))
			return ok, "unknown"
		})
	}
}
