package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
)

// TestLiveWhereTheListIs: the extension badges LinkedIn's connections list
// at both of its addresses, and at another address when the page shows the
// list (its title, LinkedIn's hooks); a LinkedIn page that is not the list
// stays untouched.
func TestLiveWhereTheListIs(t *testing.T) {
	e := newEnv(t)
	lp := listPage{People: 6}
	for _, tc := range []struct {
		name, url string
		lp        listPage
	}{
		{name: "the classic address", url: connectionsURL, lp: lp},
		{name: "the short address", url: "https://www.linkedin.com/mynetwork/connections/", lp: listPage{People: 6, Title: "LinkedIn"}},
		{name: "an address LinkedIn might move it to", url: "https://www.linkedin.com/mynetwork/grow/people/", lp: lp},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tb := e.b.openListPage(t, tc.lp, tc.url)
			tr := waitListBadged(t, tb)
			if n := len(hosts(tr)); n != 6 {
				t.Errorf("%d hosts for 6 cards", n)
			}
		})
	}
	t.Run("a page that is not the list", func(t *testing.T) {
		notList := listPage{People: 6, Title: "Feed | LinkedIn"}
		page := strings.ReplaceAll(string(notList.html(t)), `'connections-list'`, `'feed-item'`)
		page = strings.ReplaceAll(page, `'connections-profile'`, `'feed-actor'`)
		page = strings.ReplaceAll(page, "6 connections", "Your feed")
		tb := e.b.newTab(t)
		tb.mu.Lock()
		tb.fixture = []byte(page)
		tb.also = []string{"/feed/"}
		tb.mu.Unlock()
		tb.navigate("https://www.linkedin.com/feed/")
		for end := time.Now().Add(1500 * time.Millisecond); time.Now().Before(end); time.Sleep(pollEvery) {
			if n := len(hosts(tb.snapshot())); n > 0 {
				t.Fatalf("%d badge hosts on a page that is not the connections list", n)
			}
		}
	})
}

// TestNoNewOnFirstVisit: on a person's first look at their connections,
// every card is badged once and none says "New".
func TestNoNewOnFirstVisit(t *testing.T) {
	e := newEnv(t)
	tb := e.b.openListPage(t, listPage{People: 12}, connectionsURL)
	tr := waitListBadged(t, tb)
	for _, h := range hosts(tr) {
		root := shadow(h)
		if root == nil {
			t.Fatal("a host without a shadow root")
		}
		if n := len(findAttr(root, "data-kind", "new")); n > 0 {
			t.Errorf("%s says New on the first visit", slugOfCard(tr.ancestor(h, isListRow)))
		}
	}
	// The daemon knows them all, so the badges are its answer, not a guess.
	for _, p := range (listPage{People: 12}).people() {
		if _, ok := e.contact(p.Slug); !ok {
			t.Errorf("the daemon does not know %s", p.Slug)
		}
	}
}

// pageReport asks the LinkedIn tab for its report the way the popup does,
// from the popup page opened as a tab, and returns it with what the popup
// shows.
func pageReportFromPopup(t *testing.T, e *env) (report map[string]any, summary, warning string, warningShown bool) {
	t.Helper()
	pop := e.b.openExtensionPage(t, "popup/popup.html")
	waitFor(t, waitShort, "the popup's On this page section", func() (bool, string) {
		summary = eval[string](pop, `document.querySelector('[data-role="page-summary"]')?.textContent ?? ''`)
		return summary != "" && !strings.Contains(summary, "Open LinkedIn"), summary
	})
	warning = eval[string](pop, `document.querySelector('[data-role="page-warning"]').textContent`)
	warningShown = eval[bool](pop, `!document.querySelector('[data-role="page-warning"]').hidden`)
	raw := eval[string](pop, `import('./page-report.js').then((m) => m.findTabReport(chrome.tabs)).then((r) => JSON.stringify(r))`)
	if err := json.Unmarshal([]byte(raw), &report); err != nil || report == nil {
		t.Fatalf("the tab's report: %v (%s)", err, raw)
	}
	return report, summary, warning, warningShown
}

// TestPopupExplainsThePage: on a page it reads, the popup says what it
// found and warns of nothing; on a page with profile links but no card it
// recognises, and on one without dates, it says LinkedIn's page may have
// changed. The report holds none of the page's personal text.
func TestPopupExplainsThePage(t *testing.T) {
	for _, tc := range []struct {
		name    string
		lp      listPage
		verdict string
		summary []string
		warning string
	}{
		{name: "readable", lp: listPage{People: 8}, verdict: "ok",
			summary: []string{"8 connection cards recognised, 8 badged", "Connection dates: 8 read, 8 understood", "Removal flow: 8 card menus found"}},
		{name: "unknown card structure", lp: listPage{People: 8, Unknown: true}, verdict: "no_cards",
			warning: "LinkedIn’s page may have changed: the page shows 16 profile links, but tactful recognised no connection card."},
		{name: "no dates", lp: listPage{People: 8, NoDates: true}, verdict: "no_dates",
			warning: "LinkedIn’s page may have changed: tactful could not read a connection date on any card."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			tb := e.b.openListPage(t, tc.lp, connectionsURL)
			if tc.verdict != "no_cards" {
				waitListBadged(t, tb)
			} else {
				time.Sleep(500 * time.Millisecond) // give the reader its chance
			}
			report, summary, warning, shown := pageReportFromPopup(t, e)
			if report["verdict"] != tc.verdict {
				t.Errorf("verdict %v, want %s; report %s", report["verdict"], tc.verdict, jsonString(report["counts"]))
			}
			for _, s := range tc.summary {
				if !strings.Contains(summary, s) {
					t.Errorf("the popup says %q; want it to say %q", summary, s)
				}
			}
			if shown != (tc.warning != "") || !strings.HasPrefix(warning, tc.warning) {
				t.Errorf("the popup's warning (shown %v): %q; want %q", shown, warning, tc.warning)
			}
			checkNoPersonalText(t, report, tc.lp)
		})
	}
}

// TestCopyPageReport: the button copies the report, and what lands on the
// clipboard holds no name, slug, headline or date of the page.
func TestCopyPageReport(t *testing.T) {
	e := newEnv(t)
	lp := listPage{People: 5}
	tb := e.b.openListPage(t, lp, connectionsURL)
	waitListBadged(t, tb)
	pop := e.b.openExtensionPage(t, "popup/popup.html")
	waitFor(t, waitShort, "the Copy page report button", func() (bool, string) {
		return eval[bool](pop, `!!document.querySelector('[data-role="copy-page-report"]:not([hidden])')`), "hidden"
	})
	// The clipboard, seen from the page: writeText stands in so the copy
	// needs no focus or permission in a headless browser.
	eval[bool](pop, `(navigator.clipboard.writeText = async (s) => { window.copied = s; }, true)`)
	pop.clickCSS(`[data-role="copy-page-report"]`)
	var copied string
	waitFor(t, waitShort, "the copy", func() (bool, string) {
		copied = eval[string](pop, `window.copied ?? ''`)
		return copied != "", eval[string](pop, `document.querySelector('[data-role="copy-status"]').textContent`)
	})
	var report map[string]any
	if err := json.Unmarshal([]byte(copied), &report); err != nil {
		t.Fatalf("the copied report is not JSON: %v", err)
	}
	if report["verdict"] != "ok" {
		t.Errorf("copied verdict %v", report["verdict"])
	}
	checkNoPersonalText(t, report, lp)
	t.Logf("copied %d bytes", len(copied))
}

// checkNoPersonalText fails when the report holds any name, slug,
// headline or "Connected on" date of the page's people.
func checkNoPersonalText(t *testing.T, report map[string]any, lp listPage) {
	t.Helper()
	data, _ := json.Marshal(report)
	text := strings.ToLower(string(data))
	for _, needle := range []string{"quentin", "xylander", "zymurgist", "brewery", "me-myself", "connected on"} {
		if strings.Contains(text, needle) {
			t.Errorf("the report holds %q", needle)
		}
	}
	for _, p := range lp.people() {
		for _, s := range []string{p.Slug, p.Name, p.Headline} {
			if strings.Contains(text, strings.ToLower(s)) {
				t.Errorf("the report holds %q", s)
			}
		}
	}
}

// TestEveryRowBadgedWhileScrolling: on a virtualized list whose rows come
// into view as fresh nodes, every row in the DOM is badged once, and no
// frame is painted with a row that has no host.
func TestEveryRowBadgedWhileScrolling(t *testing.T) {
	e := newEnv(t)
	tb := e.b.newTab(t)
	installLatencyObserver(t, tb)
	lp := listPage{People: 120, Virtual: true}
	tb.mu.Lock()
	tb.fixture = lp.html(t)
	tb.mu.Unlock()
	tb.navigate(connectionsURL)
	waitListBadged(t, tb)
	scrollList(t, tb, 60, 150)
	time.Sleep(300 * time.Millisecond)
	tr := waitListBadged(t, tb)
	if n := len(find(tr.root, func(n *cdp.Node) bool { return isListRow(n) })); n > 20 {
		t.Errorf("the virtualized list kept %d rows", n)
	}
	r := latencyResults(t, tb)
	if r.Entered < 60 {
		t.Fatalf("only %d rows entered while scrolling", r.Entered)
	}
	if r.UnbadgedFrames > 0 {
		t.Errorf("%d of %d frames were painted with a row without its badge host", r.UnbadgedFrames, r.Frames)
	}
	t.Logf("%d rows entered, %d measured, %d frames", r.Entered, len(r.Latencies), r.Frames)
}

// TestRerenderedCardsNeverPaintUnbadged: on every shape, a page that
// replaces a card with a fresh node (?rerender=1, React-style) never paints
// a frame in which a card has no host, or in which a person already drawn
// waits for the daemon: the fresh node is drawn complete before the paint.
func TestRerenderedCardsNeverPaintUnbadged(t *testing.T) {
	for _, base := range fixtures {
		fx := base.variant("?rerender=1")
		t.Run(fx.name, func(t *testing.T) {
			e := newEnv(t)
			tb := e.b.newTab(t)
			installLatencyObserver(t, tb, fx.card)
			tb.mu.Lock()
			tb.fixture = fx.html(t)
			tb.mu.Unlock()
			tb.navigate(connectionsURL + fx.query)
			p := &connectionsPage{tab: tb, fx: fx}
			p.waitBadgedOnce()
			time.Sleep(3 * time.Second) // four re-renders or more
			r := latencyResults(t, tb)
			if len(r.Known) < 3 {
				t.Fatalf("%d re-rendered cards of people already drawn were seen; the page's re-render did not run", len(r.Known))
			}
			if r.UnbadgedFrames > 0 {
				t.Errorf("%d of %d frames were painted with a card without its badge", r.UnbadgedFrames, r.Frames)
			}
			t.Logf("%d re-rendered cards drawn, %d frames", len(r.Known), r.Frames)
		})
	}
}

// TestPageReportOnEveryShape: on each of the repository's LinkedIn-shaped
// pages the popup finds every card, reads and understands every date,
// finds the cards' menus, warns of nothing, and its report names nobody.
func TestPageReportOnEveryShape(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			e := newEnv(t)
			p := e.b.openConnections(t, fx)
			p.waitBadgedOnce()
			report, summary, warning, shown := pageReportFromPopup(t, e)
			counts, _ := report["counts"].(map[string]any)
			n := float64(len(fx.people(t)))
			if report["verdict"] != "ok" || counts["cards_recognised"] != n || counts["dates_understood"] != n {
				t.Errorf("verdict %v, counts %s; want ok and %v cards and dates understood", report["verdict"], jsonString(counts), n)
			}
			if removal, _ := report["removal"].(map[string]any); removal["cards_with_menu"] != n {
				t.Errorf("card menus found: %v of %v", removal["cards_with_menu"], n)
			}
			if shown {
				t.Errorf("the popup warns on a page it reads: %q", warning)
			}
			data, _ := json.Marshal(report)
			text := strings.ToLower(string(data))
			for _, who := range fx.people(t) {
				for _, s := range []string{who.Path, who.Slug(), who.Name, who.Headline} {
					if s != "" && strings.Contains(text, strings.ToLower(s)) {
						t.Errorf("the report holds %q", s)
					}
				}
			}
			t.Logf("%s: %s", fx.name, summary)
		})
	}
}
