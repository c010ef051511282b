package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tactful/tactful/protocol"
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

// TestScreenshotsReview writes the pictures of the review page into
// docs/img: review.png (one person, the five steps) and
// review-overview.png (the network at a glance and a cluster warning with
// its spread-out plan). Five months of decisions are made on a clock
// moved back, so the chart has something to show. It runs only with
// TACTFUL_SCREENSHOTS=1 (make screenshots).
func TestScreenshotsReview(t *testing.T) {
	if os.Getenv("TACTFUL_SCREENSHOTS") != "1" {
		t.Skip("set TACTFUL_SCREENSHOTS=1 (make screenshots) to write docs/img")
	}
	clock := &testClock{offset: -150 * 24 * time.Hour}
	e := newEnvAt(t, clock.Now)
	people := []reviewPerson{
		{"Mary", "Jackson", "mary-jackson", "NACA", "02 Mar 2015"},
		{"Dorothy", "Vaughan", "dorothy-vaughan", "NACA", "10 Apr 2016"},
		{"Evelyn", "Berezin", "evelyn-berezin", "Acme", "21 Jun 2017"},
		{"Kathleen", "Booth", "kathleen-booth", "Acme", "05 Sep 2018"},
		{"Joan", "Clarke", "joan-clarke", "Acme", "30 Jan 2019"},
		{"Ida", "Rhodes", "ida-rhodes", "Census Bureau", "14 Feb 2019"},
		{"Betty", "Holberton", "betty-holberton", "Remington Rand", "08 Aug 2020"},
		{"Klara", "Dan", "klara-dan", "Los Alamos", "11 Nov 2021"},
		{"Adele", "Goldstine", "adele-goldstine", "Moore School", "19 May 2022"},
		{"Marlyn", "Meltzer", "marlyn-meltzer", "Moore School", "23 Jul 2023"},
	}
	e.importPeople(people)
	save := func(slug string, d protocol.Decision, inDays int, tags ...string) {
		t.Helper()
		req := protocol.ReviewSave{Slug: slug, Decision: d, Why: "Quiet for a long time."}
		if d.Dated() {
			req.On = reviewDay(clock.Now(), inDays)
		}
		if len(tags) > 0 {
			req.Tags = &tags
		}
		var r protocol.ContactReply
		if err := e.call(req, &r); err != nil {
			t.Fatalf("review_save %s: %v", slug, err)
		}
	}
	// A month at a time: keep some, unfollow one, plan a revisit, a removal.
	plan := [][]struct {
		slug string
		d    protocol.Decision
		tags []string
	}{
		{{"mary-jackson", protocol.DecisionKeep, []string{"keep"}}, {"ida-rhodes", protocol.DecisionRevisit, []string{"inactive"}}},
		{{"dorothy-vaughan", protocol.DecisionKeep, []string{"keep"}}, {"klara-dan", protocol.DecisionUnfollow, []string{"interests-drifted"}}, {"betty-holberton", protocol.DecisionRevisit, []string{"inactive"}}},
		{{"adele-goldstine", protocol.DecisionRemoveNow, []string{"inactive"}}},
		{{"ida-rhodes", protocol.DecisionKeep, nil}, {"marlyn-meltzer", protocol.DecisionUnfollow, []string{"re-evaluating"}}},
	}
	for _, month := range plan {
		for _, s := range month {
			save(s.slug, s.d, 60, s.tags...)
		}
		clock.advance(30 * 24 * time.Hour)
	}
	clock.advance(30 * 24 * time.Hour) // back to today
	// Three colleagues at Acme, all planned for one week: a cluster.
	for _, slug := range []string{"evelyn-berezin", "kathleen-booth", "joan-clarke"} {
		save(slug, protocol.DecisionRemoveOn, 12, "inactive")
	}
	var saved protocol.NoteSaved
	if err := e.call(protocol.NoteAdd{Slug: "betty-holberton", NoteID: "n-shot-1", Text: "Worked together on the sort-merge generator; she moved to another field."}, &saved); err != nil {
		t.Fatalf("note_add: %v", err)
	}

	rv := e.openReview()
	waitFor(t, waitShort, "the cluster warning", func() (bool, string) {
		s := rv.text("clusters")
		return strings.Contains(s, "Acme"), s
	})
	rv.clickCSS(`[data-role="spread"]`)
	waitFor(t, waitShort, "the proposed schedule", func() (bool, string) {
		n := rv.count(`[data-role="schedule-table"] tbody tr`)
		return n >= 3, fmt.Sprintf("%d rows", n)
	})
	eval[bool](rv, `(document.activeElement?.blur(), window.scrollTo(0, 0), true)`)
	shoot(t, rv, union(8, rv.rectOf(`header.top`, 1), rv.rectOf(`.overview`, 1)), "review-overview.png")

	// One person, the steps half answered.
	rv.clickCSS(`#filter-company`)
	rv.typeText("Remington")
	rv.clickCSS(`[data-role="start"]`)
	rv.waitText("person-name", "Betty Holberton", false)
	rv.fill(`#why-line`, "She moved to another field; we have not spoken in years.")
	rv.fill(`#assessment-line`, "Kind and generous; still a good person to know.")
	eval[bool](rv, `(document.activeElement?.blur(), true)`)
	rv.typeText("5")
	// Tall enough for the whole person and the five steps.
	if err := chromedp.Do(rv.ctx, chromedp.EmulateViewport(viewportWidth, 1400)); err != nil {
		t.Fatalf("resize the viewport: %v", err)
	}
	eval[bool](rv, `(document.getElementById('review-section').scrollIntoView(), true)`)
	shoot(t, rv, rv.rectOf(`#review-section`, 1), "review.png")
}
