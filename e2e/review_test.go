package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/tactful/tactful/protocol"
)

// Guided review (issue 13) in a real Chromium with the real extension and
// daemon: the review page (extension/review) driven by the keyboard, the
// decisions in the daemon's history and the popup's, the "Revisit" badge
// on the connections page once the daemon's clock passes its day, and the
// warning when planned removals cluster at one company.

// testClock is the daemon's clock: the real time, moved forward by the test.
type testClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// reviewPerson is someone seeded through a Connections.csv import.
type reviewPerson struct {
	first, last, slug, company, connected string // connected as LinkedIn's export writes it
}

func (p reviewPerson) name() string { return p.first + " " + p.last }

// importPeople imports people as LinkedIn's Connections.csv, with its
// preamble, so they have companies and connection dates but were never seen
// on the connections page.
func (e *env) importPeople(people []reviewPerson) {
	e.t.Helper()
	var b strings.Builder
	b.WriteString("Notes:\n\"When exporting your connection data, you may notice that some of the email addresses are missing.\"\n\n")
	b.WriteString("First Name,Last Name,URL,Email Address,Company,Position,Connected On\n")
	for _, p := range people {
		fmt.Fprintf(&b, "%s,%s,https://www.linkedin.com/in/%s,,%s,Engineer,%s\n", p.first, p.last, p.slug, p.company, p.connected)
	}
	var r protocol.ImportResult
	if err := e.call(protocol.ImportConnections{CSV: b.String()}, &r); err != nil {
		e.t.Fatalf("import_connections: %v", err)
	}
	if len(r.Summary.Skipped) > 0 || r.Summary.Added+r.Summary.Updated != len(people) {
		e.t.Fatalf("import: %+v", r.Summary)
	}
}

// reviewPage is the review page open in a tab, connected to the daemon.
func (e *env) openReview() *tab {
	e.t.Helper()
	rv := e.b.openExtensionPage(e.t, "review/review.html")
	waitFor(e.t, waitShort, "the review page to be connected", func() (bool, string) {
		s := eval[string](rv, `document.getElementById('connection')?.dataset.state ?? ''`)
		return s == "connected", "state " + s
	})
	return rv
}

// text is the trimmed text of the first element with data-role=role.
func (tb *tab) text(role string) string {
	tb.t.Helper()
	return eval[string](tb, `(document.querySelector('[data-role="`+role+`"]')?.textContent ?? '').replace(/\s+/g, ' ').trim()`)
}

// waitText waits until the element with data-role=role reads want
// (contains it, when contains).
func (tb *tab) waitText(role, want string, contains bool) string {
	tb.t.Helper()
	var got string
	waitFor(tb.t, waitShort, fmt.Sprintf("[data-role=%s] to read %q", role, want), func() (bool, string) {
		got = tb.text(role)
		if contains {
			return strings.Contains(got, want), got
		}
		return got == want, got
	})
	return got
}

// pressKey presses a key that types nothing (Enter, ArrowRight) with
// modifiers (Alt=1, Ctrl=2, Meta=4, Shift=8): a rawKeyDown and a keyUp.
func (tb *tab) pressKey(key, code string, vk int64, modifiers int64) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, waitShort)
	defer cancel()
	for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
		if _, err := chromedp.Call(ctx, input.DispatchKeyEvent, input.DispatchKeyEventParams{
			Type: typ, Key: key, Code: code, WindowsVirtualKeyCode: vk, NativeVirtualKeyCode: vk, Modifiers: modifiers,
		}); err != nil {
			tb.t.Fatalf("press %s: %v", key, err)
		}
	}
}

// reviewDay is a calendar day n days after the clock's today.
func reviewDay(now time.Time, n int) string { return now.AddDate(0, 0, n).Format(time.DateOnly) }

// TestReviewByKeyboard: five people imported from a Connections.csv are
// reviewed one at a time on the review page with the keyboard only (j, k,
// arrows, 1–5, Enter, Ctrl+Enter from a text field). Every decision is
// stored, appears in the daemon's history and the popup's, and "Remove
// now" opens the person's profile in a new tab and does nothing else;
// reloaded, the page resumes where it was.
func TestReviewByKeyboard(t *testing.T) {
	e := newEnv(t)
	people := []reviewPerson{
		{"Mary", "Jackson", "mary-jackson-review", "NACA", "02 Mar 2015"},
		{"Dorothy", "Vaughan", "dorothy-vaughan-review", "NACA", "10 Apr 2016"},
		{"Evelyn", "Berezin", "evelyn-berezin-review", "Redactron", "21 Jun 2017"},
		{"Kathleen", "Booth", "kathleen-booth-review", "Birkbeck", "05 Sep 2018"},
		{"Joan", "Clarke", "joan-clarke-review", "GCHQ", "30 Jan 2019"},
	}
	e.importPeople(people)
	rv := e.openReview()

	// The queue: people never seen on the connections page (all five),
	// oldest connection first.
	rv.clickCSS(`#filter-never-seen`)
	rv.clickCSS(`[data-role="start"]`)
	rv.waitText("person-name", people[0].name(), false)
	rv.waitText("progress-label", "Person 1 of 5", true)
	if got := eval[string](rv, `document.activeElement?.dataset.role ?? document.activeElement?.tagName`); got != "person-name" {
		t.Errorf("after starting, the focus is on %q, want the person's name", got)
	}

	// Moving without deciding: j and → forward, k and ← back.
	rv.typeText("j")
	rv.waitText("person-name", people[1].name(), false)
	rv.pressKey("ArrowRight", "ArrowRight", 39, 0)
	rv.waitText("person-name", people[2].name(), false)
	rv.typeText("k")
	rv.waitText("person-name", people[1].name(), false)
	rv.pressKey("ArrowLeft", "ArrowLeft", 37, 0)
	rv.waitText("person-name", people[0].name(), false)

	// Mary: keep, with a line typed in "Why"; Ctrl+Enter saves from the field.
	rv.typeText("1")
	rv.clickCSS(`#why-line`)
	rv.typeText("jk1 Still a friend") // letters and digits typed in a field are text
	if got := rv.text("person-name"); got != people[0].name() {
		t.Fatalf("typing in a field moved the review to %q", got)
	}
	rv.pressKey("Enter", "Enter", 13, 2)
	rv.waitText("person-name", people[1].name(), false)
	rv.waitText("review-message", "Saved for Mary Jackson: keep.", true)

	// The others with number keys and Enter.
	steps := []struct {
		key  string
		want protocol.Decision
	}{{"2", protocol.DecisionUnfollow}, {"4", protocol.DecisionRemoveOn}, {"5", protocol.DecisionRevisit}, {"3", protocol.DecisionRemoveNow}}
	for i, s := range steps {
		person := people[i+1]
		rv.waitText("person-name", person.name(), false)
		rv.typeText(s.key)
		checked := eval[string](rv, `document.querySelector('[data-role="decision-choice"]:checked')?.value ?? ''`)
		if checked != string(s.want) {
			t.Fatalf("key %s chose %q for %s, want %s", s.key, checked, person.name(), s.want)
		}
		rv.pressEnter()
		rv.waitText("review-message", "Saved for "+person.name(), true)
	}
	rv.waitText("review-message", "That was the last person in this queue.", true)
	if now := eval[string](rv, `document.querySelector('[role="progressbar"]').getAttribute('aria-valuenow')`); now != "5" {
		t.Errorf("the progress bar says %s decided, want 5", now)
	}

	// Opened again, the page resumes where the person left off.
	rv.reload()
	rv.waitText("review-message", "Resumed where you left off: "+people[4].name()+".", false)
	rv.waitText("person-name", people[4].name(), false)

	// Stored: every decision, with its day where it has one.
	want := map[string]protocol.Decision{
		people[0].slug: protocol.DecisionKeep, people[1].slug: protocol.DecisionUnfollow, people[2].slug: protocol.DecisionRemoveOn,
		people[3].slug: protocol.DecisionRevisit, people[4].slug: protocol.DecisionRemoveNow,
	}
	today := todayString()
	for slug, d := range want {
		c, ok := e.contact(slug)
		if !ok || c.Contact.Review == nil {
			t.Errorf("%s: no review stored", slug)
			continue
		}
		r := c.Contact.Review
		if r.Decision != d {
			t.Errorf("%s: decision %q, want %q", slug, r.Decision, d)
		}
		if d.Dated() != (r.On != "") || (r.On != "" && r.On <= today) {
			t.Errorf("%s: %s on %q (today %s)", slug, r.Decision, r.On, today)
		}
	}
	if r, _ := e.contact(people[0].slug); r.Contact.Review != nil && r.Contact.Review.Why != "jk1 Still a friend" {
		t.Errorf("Mary's why line is %q", r.Contact.Review.Why)
	}
	if c, _ := e.contact(people[2].slug); c.Contact.Status != protocol.StatusRemovalPlanned {
		t.Errorf("remove on a date left the status %q, want removal_planned", c.Contact.Status)
	}

	// History: one reviewed event each, in the daemon and in the popup.
	events := e.history(protocol.EventReviewed)
	if len(events) != len(people) {
		t.Fatalf("%d reviewed events, want %d: %+v", len(events), len(people), events)
	}
	names := map[string]string{}
	for _, p := range people {
		names[p.slug] = p.name()
	}
	for _, ev := range events {
		if ev.Decision != want[ev.Slug] {
			t.Errorf("the reviewed event of %s says %q, want %q", ev.Slug, ev.Decision, want[ev.Slug])
		}
	}
	pop := e.b.openExtensionPage(t, "popup/popup.html")
	checkPopupShows(t, pop, events, names)

	// "Remove now" opened Joan's profile in a tab of its own, and nothing else.
	profile := "https://www.linkedin.com/in/" + people[4].slug + "/"
	waitFor(t, waitShort, "a tab on "+profile, func() (bool, string) {
		infos, err := chromedp.Targets(e.b.ctx)
		if err != nil {
			return false, err.Error()
		}
		var urls []string
		for _, in := range infos {
			if in.Type == "page" {
				urls = append(urls, in.URL)
			}
		}
		return slices.Contains(urls, profile), fmt.Sprint(urls)
	})
	if got := e.history(protocol.EventOutcome); len(got) != 0 {
		t.Errorf("the review recorded outcomes %+v; only what happens on LinkedIn may", got)
	}
	if ws := rv.openedSockets(); len(ws) > 0 {
		t.Errorf("the review page opened WebSockets %q; only the background script may", ws)
	}
}

// TestReviewRevisitBadge: a connection with a revisit day gets no
// "Revisit" badge before the day, and gets one, first among what the user
// recorded, once the daemon's clock has passed it; the popup's Due list
// then names them.
func TestReviewRevisitBadge(t *testing.T) {
	clock := &testClock{}
	e := newEnvAt(t, clock.Now)
	fx := classicFixture
	p := e.b.openConnections(t, fx)
	p.waitBadgedOnce()
	const slug = "zoe-angstrom-77"
	on := reviewDay(clock.Now(), 10)
	tags := []string{"interests-drifted"}
	var saved protocol.ContactReply
	if err := e.call(protocol.ReviewSave{Slug: canonical(t, slug), Tags: &tags, Why: "Moved to physics outreach.", Decision: protocol.DecisionRevisit, On: on}, &saved); err != nil {
		t.Fatalf("review_save: %v", err)
	}

	badges := func() []string {
		tr := p.snapshot()
		var out []string
		for _, b := range p.inCard(tr, slug, "badge") {
			k, _ := attr(b, "data-kind")
			out = append(out, k+":"+textOf(b))
		}
		return out
	}
	p.reload()
	p.waitBadgedOnce()
	waitFor(t, waitShort, "the new tag badge", func() (bool, string) {
		b := badges()
		return slices.Contains(b, "tag:interests-drifted"), fmt.Sprint(b)
	})
	if b := badges(); slices.ContainsFunc(b, func(s string) bool { return strings.HasPrefix(s, "revisit:") }) {
		t.Fatalf("a revisit badge before its day: %v", b)
	}

	clock.advance(11 * 24 * time.Hour)
	p.reload()
	p.waitBadgedOnce()
	var got []string
	waitFor(t, waitShort, "the Revisit badge once the day has come", func() (bool, string) {
		got = badges()
		return slices.Contains(got, "revisit:Revisit"), fmt.Sprint(got)
	})
	if i := slices.Index(got, "revisit:Revisit"); i > 0 && !slices.ContainsFunc(got[:i], func(s string) bool {
		return strings.HasPrefix(s, "recent:") || strings.HasPrefix(s, "cooldown:") || strings.HasPrefix(s, "new:")
	}) {
		t.Errorf("the Revisit badge is not first among what the user recorded: %v", got)
	}
	tr := p.snapshot()
	var detail string
	for _, tip := range p.inCard(tr, slug, "tooltip") {
		if strings.Contains(textOf(tip), "revisit") {
			detail = textOf(tip)
		}
	}
	if detail == "" {
		t.Errorf("the Revisit badge explains nothing; tooltips: %v", p.inCard(tr, slug, "tooltip"))
	}

	pop := e.b.openExtensionPage(t, "popup/popup.html")
	waitFor(t, waitShort, "the popup's Due list to name Zoë", func() (bool, string) {
		s := pop.text("due-list")
		return strings.Contains(s, "Zoë Ångström") && strings.Contains(s, "revisit"), s
	})
}

// TestReviewClusterWarning: three planned removals at one company, in one
// week, are warned about on the review page; "Spread them out" proposes
// dates that keep colleagues two weeks apart, and applying it stores them.
// The removal reminder on the connections page then recalls the decision
// and the cluster.
func TestReviewClusterWarning(t *testing.T) {
	e := newEnv(t)
	fx := classicFixture
	acme := []reviewPerson{
		{"Grace", "Hopper", "grace-hopper-1906", "Acme", "12 Nov 2020"},
		{"Siobhán", "O'Connor", "siobhan-oconnor", "Acme", "03 Oct 2019"},
		{"Zoë", "Ångström", "zoe-angstrom-77", "Acme", "05 Mar 2020"},
	}
	e.importPeople(acme)
	on := reviewDay(time.Now(), 20)
	for _, p := range acme {
		var r protocol.ContactReply
		if err := e.call(protocol.ReviewSave{Slug: p.slug, Why: "Only posts ads.", Decision: protocol.DecisionRemoveOn, On: on}, &r); err != nil {
			t.Fatalf("review_save %s: %v", p.slug, err)
		}
	}

	rv := e.openReview()
	waitFor(t, waitShort, "the cluster warning", func() (bool, string) {
		s := rv.text("clusters")
		return strings.Contains(s, "3 of your 3 planned removals work at Acme; removing them in one week may be noticed."), s
	})
	if role := eval[string](rv, `document.querySelector('[data-role="cluster-warning"]').getAttribute('role')`); role != "alert" {
		t.Errorf("the warning's role is %q, want alert", role)
	}
	rv.clickCSS(`[data-role="spread"]`)
	waitFor(t, waitShort, "the proposed schedule", func() (bool, string) {
		n := rv.count(`[data-role="schedule-table"] tbody tr`)
		return n == len(acme), fmt.Sprintf("%d rows", n)
	})
	rv.clickCSS(`[data-role="apply-plan"]`)
	rv.waitText("plan-message", "3 dates saved", true)

	var days []time.Time
	for _, p := range acme {
		c, _ := e.contact(p.slug)
		if c.Contact.Review == nil || c.Contact.Review.Decision != protocol.DecisionRemoveOn {
			t.Fatalf("%s: review %+v after applying the plan", p.slug, c.Contact.Review)
		}
		d, err := time.Parse(time.DateOnly, c.Contact.Review.On)
		if err != nil {
			t.Fatalf("%s: day %q", p.slug, c.Contact.Review.On)
		}
		days = append(days, d)
	}
	slices.SortFunc(days, func(a, b time.Time) int { return a.Compare(b) })
	for i := 1; i < len(days); i++ {
		if gap := days[i].Sub(days[i-1]); gap < 14*24*time.Hour {
			t.Errorf("colleagues at Acme planned %s apart (%v), want at least 14 days", gap, days)
		}
	}
	if s := rv.text("clusters"); strings.Contains(s, "fall in the week") {
		t.Errorf("after spreading, the review page still warns of one week: %s", s)
	}

	// On the connections page, the reminder recalls the decision and the cluster.
	p := e.b.openConnections(t, fx)
	p.waitBadgedOnce()
	p.openRemoval("grace-hopper-1906")
	_, text := p.waitReminder("Grace Hopper")
	for _, want := range []string{"you decided: remove on", "Only posts ads.", "3 of your 3 planned removals work at Acme"} {
		if !strings.Contains(text, want) {
			t.Errorf("the reminder does not say %q; it reads: %s", want, clip(text, 600))
		}
	}
	p.clickCSS(fx.cancel)
	p.waitNoDialog()
}
