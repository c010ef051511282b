package e2e

import (
	"fmt"
	"regexp"
	"testing"
	"time"
)

// TestIdleElsewhereThenSinglePageNavigation: the content scripts run on
// every LinkedIn page but stay idle until the path is My Network >
// Connections, which users reach by clicking inside LinkedIn's single-page
// app (history.pushState, no page load), and stop again when they leave.
func TestIdleElsewhereThenSinglePageNavigation(t *testing.T) {
	fx := fixtures[0]
	e := newEnv(t)
	tb := e.b.newTab(t)
	tb.mu.Lock()
	tb.fixture = notTheListPage(fx.html(t))
	tb.also = []string{"/feed/"}
	tb.mu.Unlock()

	// The same cards, but at /feed/ and without the title or the count that
	// say "your connections": nothing is drawn or reported.
	tb.navigate("https://www.linkedin.com/feed/")
	p := &connectionsPage{tab: tb, fx: fx}
	slugs := fx.slugs(t)
	for end := time.Now().Add(1500 * time.Millisecond); time.Now().Before(end); time.Sleep(pollEvery) {
		if n := len(hosts(p.snapshot())); n > 0 {
			t.Fatalf("%d badge hosts on /feed/", n)
		}
	}
	for _, s := range slugs[:3] {
		if _, ok := e.contact(canonical(t, s)); ok {
			t.Errorf("the daemon learned %s from /feed/", s)
		}
	}

	// The app moves to the Connections page without a load.
	eval[bool](tb, `(history.pushState({}, '', '/mynetwork/invite-connect/connections/'), true)`)
	p.waitBadgedOnce()
	waitFor(t, waitShort, "the daemon to learn the cards", func() (bool, string) {
		_, ok := e.contact(canonical(t, slugs[0]))
		return ok, fmt.Sprintf("%s unknown", slugs[0])
	})

	// And away again: cards that appear now are left alone. (The
	// extension checks the path once a second.)
	badged := len(hosts(p.snapshot()))
	eval[bool](tb, `(history.pushState({}, '', '/feed/'), true)`)
	time.Sleep(1500 * time.Millisecond)
	p.clickCSS(fx.more)
	waitFor(t, waitShort, "more cards", func() (bool, string) {
		n := p.count(fx.card)
		return n > len(slugs), fmt.Sprintf("%d cards", n)
	})
	for end := time.Now().Add(1500 * time.Millisecond); time.Now().Before(end); time.Sleep(pollEvery) {
		if n := len(hosts(p.snapshot())); n != badged {
			t.Fatalf("after leaving the Connections page, cards still get badges: %d hosts, was %d", n, badged)
		}
	}
}

// notTheListPage takes from a fixture what says it is the connections list
// (the extension also goes live where the page shows that list, whatever
// its path): the title and the count over the list.
func notTheListPage(html []byte) []byte {
	html = regexp.MustCompile(`<title>[^<]*</title>`).ReplaceAll(html, []byte("<title>Feed | LinkedIn</title>"))
	return regexp.MustCompile(`(?i)[\d.,]+ connections`).ReplaceAll(html, []byte("Your feed"))
}
