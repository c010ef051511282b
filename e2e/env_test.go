package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/rs/zerolog"

	"github.com/tactful/tactful/daemon"
	"github.com/tactful/tactful/daemon/client"
	"github.com/tactful/tactful/protocol"
)

// env is one test's world: a daemon with its own home, and a browser with
// its own profile whose extension is paired with that daemon.
type env struct {
	t    testing.TB
	home string
	addr string // fixed at the first start, so a restart keeps the port
	d    *daemon.Daemon
	code string
	b    *browser
	opts *tab // the options page, kept open to ask the background for its state
	cl   *client.Client
	now  func() time.Time // the daemon's clock; nil is the real one
}

// newEnv starts a daemon and a browser and pairs them through the options
// page, as a user would.
func newEnv(t testing.TB) *env {
	t.Helper()
	e := newUnpairedEnv(t)
	status, outcome := e.opts.pair(e.addr, e.code)
	if outcome != "success" {
		t.Fatalf("pairing with the right code failed: %q (%s)", status, outcome)
	}
	e.waitConnected(true)
	return e
}

// newUnpairedEnv starts a daemon and a browser, and opens the extension's
// options page, without pairing.
func newUnpairedEnv(t testing.TB) *env {
	t.Helper()
	return newUnpairedEnvAt(t, nil)
}

// newEnvAt is newEnv with the daemon on the clock now (review_test.go moves
// it forward to see a review date come).
func newEnvAt(t testing.TB, now func() time.Time) *env {
	t.Helper()
	e := newUnpairedEnvAt(t, now)
	status, outcome := e.opts.pair(e.addr, e.code)
	if outcome != "success" {
		t.Fatalf("pairing with the right code failed: %q (%s)", status, outcome)
	}
	e.waitConnected(true)
	return e
}

func newUnpairedEnvAt(t testing.TB, now func() time.Time) *env {
	t.Helper()
	chromiumPath(t) // skip early when there is no browser
	e := &env{t: t, home: filepath.Join(t.TempDir(), "home"), addr: "127.0.0.1:0", now: now}
	e.startDaemon()
	t.Cleanup(e.stopDaemon)
	e.b = startBrowser(t)
	e.opts = e.b.openExtensionPage(t, "options/options.html")
	return e
}

// startDaemon starts the daemon on e.home and e.addr (the first time on a
// free port, then on the same one).
func (e *env) startDaemon() {
	e.t.Helper()
	logger := zerolog.New(zerolog.NewTestWriter(e.t)).Level(zerolog.InfoLevel).With().Timestamp().Logger()
	var d *daemon.Daemon
	var err error
	// A restart may race the old listener's teardown for a moment.
	deadline := time.Now().Add(waitShort)
	for {
		d, err = daemon.Start(daemon.Config{Home: e.home, Addr: e.addr, Logger: logger, Version: "e2e", Now: e.now})
		if err == nil || !errors.Is(err, daemon.ErrPortInUse) || time.Now().After(deadline) {
			break
		}
		time.Sleep(pollEvery)
	}
	if err != nil {
		e.t.Fatalf("start the daemon: %v", err)
	}
	e.d = d
	e.addr = d.Addr()
	code, err := d.PairingCode()
	if err != nil {
		e.t.Fatalf("pairing code: %v", err)
	}
	e.code = code
}

// stopDaemon stops the daemon, if it runs.
func (e *env) stopDaemon() {
	if e.cl != nil {
		e.cl.Close()
		e.cl = nil
	}
	if e.d == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitShort)
	defer cancel()
	if err := e.d.Close(ctx); err != nil {
		e.t.Errorf("stop the daemon: %v", err)
	}
	e.d = nil
}

// state asks the background script for {connected, paired, address,
// pending, lastError}.
func (e *env) state() map[string]any {
	e.t.Helper()
	return e.opts.sendMessage(map[string]any{"kind": "state"})
}

// waitConnected waits until the background script says it is (or is not)
// connected to the daemon.
func (e *env) waitConnected(want bool) {
	e.t.Helper()
	waitFor(e.t, waitLong, "the extension's connection state", func() (bool, string) {
		s := e.state()
		got, _ := s["connected"].(bool)
		return got == want, jsonString(s)
	})
}

// client dials the daemon as a local program would: the pairing code, no
// Origin. It is closed when the test ends.
func (e *env) client() *client.Client {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitShort)
	defer cancel()
	c, err := client.Dial(ctx, e.addr, e.code, &client.Options{Client: "tactful-e2e"})
	if err != nil {
		e.t.Fatalf("dial the daemon: %v", err)
	}
	e.t.Cleanup(func() { c.Close() })
	return c
}

// call makes one request on the test's client connection, dialled anew
// after a daemon restart.
func (e *env) call(req, reply any) error {
	e.t.Helper()
	if e.cl != nil && e.cl.Err() != nil {
		e.cl.Close()
		e.cl = nil
	}
	if e.cl == nil {
		e.cl = e.client()
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitShort)
	defer cancel()
	return e.cl.Call(ctx, req, reply)
}

// contact asks the daemon for everything about one contact; ok is false
// when it does not know the contact.
func (e *env) contact(slug string) (protocol.ContactReply, bool) {
	e.t.Helper()
	var r protocol.ContactReply
	err := e.call(protocol.ContactGet{Slug: slug}, &r)
	if protocol.ErrorCode(err) == protocol.CodeNotFound {
		return r, false
	}
	if err != nil {
		e.t.Fatalf("contact_get %s: %v", slug, err)
	}
	return r, true
}

// history asks the daemon for its history (newest first), filtered by kinds.
func (e *env) history(kinds ...protocol.EventKind) []protocol.Event {
	e.t.Helper()
	var r protocol.HistoryReply
	if err := e.call(protocol.HistoryGet{Kinds: kinds, Limit: protocol.MaxHistoryLimit}, &r); err != nil {
		e.t.Fatalf("history_get: %v", err)
	}
	return r.Events
}

// openExtensionPage opens chrome-extension://<id>/<path> in a new tab.
func (b *browser) openExtensionPage(t testing.TB, path string) *tab {
	t.Helper()
	tb := b.newTab(t)
	tb.navigate("chrome-extension://" + protocol.ExtensionID + "/" + path)
	return tb
}

// pair fills the pairing form of an options page (the fields found by their
// labels), clicks "Pair" and returns the status line once it settles, with
// its outcome ("success" or "error").
func (tb *tab) pair(addr, code string) (status, outcome string) {
	tb.t.Helper()
	addrID, codeID := tb.pairingFields()
	// The page fills the address from the background's state when that
	// arrives; wait for it, or it may overwrite what we type.
	waitFor(tb.t, waitShort, "the options page to show the connection state", func() (bool, string) {
		s := eval[string](tb, `document.querySelector('[data-role="connection-status"]')?.textContent.trim() ?? ''`)
		return s != "", "no state line yet"
	})
	// The code first, then the address, then "Pair" at once: the page
	// puts the stored address back into the address field whenever the
	// background pushes a state while that field has no focus (see the
	// report: options.js showState → setAddress).
	tb.fill("#"+codeID, code)
	tb.fill("#"+addrID, addr)
	return tb.pressPair()
}

// pairingFields waits for the options page's fields labelled "Daemon
// address" and "Pairing code" and returns their ids.
func (tb *tab) pairingFields() (addrID, codeID string) {
	tb.t.Helper()
	field := func(label string) string {
		// The id of the control a <label> with this text points at.
		return `(() => { const l = [...document.querySelectorAll('label')].find(l => l.textContent.trim() === ` +
			jsString(label) + `); return l ? l.htmlFor : ''; })()`
	}
	waitFor(tb.t, waitShort, `the fields labelled "Daemon address" and "Pairing code"`, func() (bool, string) {
		addrID = eval[string](tb, field("Daemon address"))
		codeID = eval[string](tb, field("Pairing code"))
		return addrID != "" && codeID != "", "address field " + addrID + ", code field " + codeID
	})
	return addrID, codeID
}

// pressPair clicks "Pair" and returns the status line once it settles,
// with its outcome ("success" or "error").
func (tb *tab) pressPair() (status, outcome string) {
	tb.t.Helper()
	tb.clickCSS(`button[data-role="pair"]`)
	if got := eval[string](tb, `document.querySelector('button[data-role="pair"]').textContent.trim()`); got != "Pair" {
		tb.t.Errorf("the pairing button reads %q, want Pair", got)
	}
	const result = `[data-role="pairing-form"] [role="status"]`
	waitFor(tb.t, waitShort, "the pairing result", func() (bool, string) {
		outcome = eval[string](tb, `document.querySelector('`+result+`')?.dataset.outcome ?? ''`)
		status = eval[string](tb, `document.querySelector('`+result+`')?.textContent.trim() ?? ''`)
		return outcome == "success" || outcome == "error", outcome + ": " + status
	})
	return status, outcome
}

// fill clicks a text field, deletes what it holds and types value.
func (tb *tab) fill(css, value string) {
	tb.t.Helper()
	tb.clickCSS(css)
	n := eval[int](tb, `document.querySelector(`+jsString(css)+`).value.length`)
	eval[bool](tb, `(() => { const f = document.querySelector(`+jsString(css)+`); f.setSelectionRange(f.value.length, f.value.length); return true; })()`)
	tb.typeText(strings.Repeat("\b", n))
	tb.typeText(value)
	if got := eval[string](tb, `document.querySelector(`+jsString(css)+`).value`); got != value {
		tb.t.Fatalf("typed %q into %s, it holds %q", value, css, got)
	}
}

// fixture describes one LinkedIn-shaped page: how its cards, menu and
// confirmation look, so the tests can click through it as a person would.
// Selectors take the profile slug as it is in the href. The extension finds
// none of this by these selectors; they are the test's own hands.
type fixture struct {
	name  string // the shape, with its variant: "sdui?menu=dialog"
	shape string // classic, sdui or 2025 (pages_test.go); "" for a ../shared page
	path  string // a ../shared page's file; own pages are e2e/testdata/linkedin/<shape>.html
	query string // the variant the page's script reads, e.g. "?lang=fr"
	// card matches every connection card; cardOf one person's card.
	card   string
	cardOf func(slug string) string
	// more is the page's own button that loads more cards; "" where the
	// list loads more as it scrolls.
	more string
	// menuOf opens a card's menu; removeItem is "Remove connection" in it.
	menuOf     func(slug string) string
	removeItem func(slug string) string
	// confirm and cancel are the confirmation's buttons; dismiss closes it
	// another way (the modal's ✕), "" where Escape is the other way.
	confirm, cancel, dismiss string
	// dialog matches the open confirmation (the box a person reads, not a
	// backdrop).
	dialog string
	// isCard tells a card in a DOM snapshot.
	isCard func(n *cdp.Node) bool
}

var (
	classicFixture = fixture{
		name:   "classic",
		shape:  "classic",
		card:   `li.mn-connection-card`,
		cardOf: func(s string) string { return `li.mn-connection-card:has(a[href="/in/` + s + `/"])` },
		more:   `button.scaffold-finite-scroll__load-button`,
		menuOf: func(s string) string {
			return `li.mn-connection-card:has(a[href="/in/` + s + `/"]) button.mn-connection-card__dropdown-trigger`
		},
		removeItem: func(s string) string {
			return `li.mn-connection-card:has(a[href="/in/` + s + `/"]) [data-control-name="remove_connection"]`
		},
		confirm: `#artdeco-modal-outlet .artdeco-modal__actionbar .artdeco-button--primary`,
		cancel:  `#artdeco-modal-outlet .artdeco-modal__actionbar .artdeco-button--secondary`,
		dismiss: `#artdeco-modal-outlet button.artdeco-modal__dismiss`,
		dialog:  `#artdeco-modal-outlet [role="dialog"]`,
		isCard: func(n *cdp.Node) bool {
			c, _ := attr(n, "class")
			return n.LocalName == "li" && slices.Contains(strings.Fields(c), "mn-connection-card")
		},
	}
	sduiFixture = fixture{
		name:  "sdui",
		shape: "sdui",
		card:  `[componentkey^="ConnectionCard_"]`,
		cardOf: func(s string) string {
			return `[componentkey^="ConnectionCard_"]:has(a[href="https://www.linkedin.com/in/` + s + `/"])`
		},
		more: `button[data-view-name="connections-load-more"]`,
		menuOf: func(s string) string {
			return `[componentkey^="ConnectionCard_"]:has(a[href="https://www.linkedin.com/in/` + s + `/"]) button[data-view-name="connections-overflow-menu"]`
		},
		removeItem: func(string) string { return `[role="menuitem"]` },
		confirm:    `dialog[open] button:last-of-type`,
		cancel:     `dialog[open] button:first-of-type`,
		dialog:     `dialog[open]`,
		isCard: func(n *cdp.Node) bool {
			k, _ := attr(n, "componentkey")
			return isElement(n) && strings.HasPrefix(k, "ConnectionCard_")
		},
	}
	fixture2025 = fixture{
		name:  "2025",
		shape: "2025",
		card:  `[componentkey^="auto-component-"]`,
		cardOf: func(s string) string {
			return `[componentkey^="auto-component-"]:has(a[href="https://www.linkedin.com/in/` + s + `/"])`
		},
		menuOf: func(s string) string {
			return `[componentkey^="auto-component-"]:has(a[href="https://www.linkedin.com/in/` + s + `/"]) button[aria-label="Show more actions"]`
		},
		// The popover is the last div of <body>; its item a div[role=button].
		removeItem: func(string) string { return `body > div > [role="button"]` },
		confirm:    `[data-view-name="connections-remove"]`,
		cancel:     `[data-view-name="connections-remove-cancel"]`,
		// The overlay is a plain div over the whole page; the box inside it
		// is what a person reads.
		dialog: `body > div > div:has([data-view-name="connections-remove"])`,
		isCard: func(n *cdp.Node) bool {
			k, _ := attr(n, "componentkey")
			return isElement(n) && strings.HasPrefix(k, "auto-component-")
		},
	}
)

// fixtures are the repository's own pages, one per shape, as a person with
// an English UI sees them.
var fixtures = []fixture{classicFixture, sduiFixture, fixture2025}

// variant is the same page with its script told to behave otherwise (see
// e2e/testdata/linkedin/README.md).
func (fx fixture) variant(query string) fixture {
	fx.query = query
	fx.name += query
	return fx
}

// html reads the page.
func (fx fixture) html(t testing.TB) []byte {
	t.Helper()
	p := fx.path
	if p == "" {
		p = filepath.Join(pagesDir(t), fx.shape+".html")
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("read the page: %v", err)
	}
	return data
}

// people is who the page shows first, in order (own pages only).
func (fx fixture) people(t testing.TB) []person {
	t.Helper()
	if fx.shape == "" {
		t.Fatalf("%s is not one of the repository's pages; its people are unknown", fx.name)
	}
	return people[:shapeNamed(fx.shape).initial]
}

// slugs lists the profile slugs (as in the hrefs) of the page's initial
// cards, in order.
func (fx fixture) slugs(t testing.TB) []string {
	t.Helper()
	var out []string
	for _, p := range fx.people(t) {
		out = append(out, p.Path)
	}
	return out
}

// localized says whether the page's UI is in another language than English.
func (fx fixture) localized() bool { return strings.Contains(fx.query, "lang=") }

// daysOf is how long ago the page says slug was connected, counted today.
func (fx fixture) daysOf(t testing.TB, slug string) int {
	t.Helper()
	for _, p := range people {
		if p.Path == slug {
			if fx.localized() {
				return p.days("") // every shape shows a date in another language
			}
			return p.days(fx.shape)
		}
	}
	t.Fatalf("%s has no card for %s", fx.name, slug)
	return 0
}

// connectedText describes slug's connection date for a test's messages.
func (fx fixture) connectedText(t testing.TB, slug string) string {
	return fmt.Sprintf("connected %d days ago", fx.daysOf(t, slug))
}

// connectedDays reads a card's "Connected ..." text as days before now:
// "Connected 2 weeks ago" (classic) or "Connected on June 29, 2024" (SDUI).
func connectedDays(text string, now time.Time) (int, bool) {
	if d, err := time.Parse("January 2, 2006", strings.TrimPrefix(text, "Connected on ")); err == nil {
		today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
		return int(today.Sub(d).Hours() / 24), true
	}
	m := regexp.MustCompile(`^Connected (\d+) (minute|hour|day|week|month|year)s? ago$`).FindStringSubmatch(text)
	if m == nil {
		return 0, false
	}
	n, _ := strconv.Atoi(m[1])
	per := map[string]int{"minute": 0, "hour": 0, "day": 1, "week": 7, "month": 30, "year": 365}[m[2]]
	return n * per, true
}

// pickByAge returns the first initial card (preferring prefer) whose
// connection is between lo and hi days old as the page shows it.
func (fx fixture) pickByAge(t testing.TB, prefer string, lo, hi int) (slug string, ok bool) {
	t.Helper()
	fits := func(s string) bool {
		d := fx.daysOf(t, s)
		return d >= lo && d <= hi
	}
	if slices.Contains(fx.slugs(t), prefer) && fits(prefer) {
		return prefer, true
	}
	for _, s := range fx.slugs(t) {
		if fits(s) {
			return s, true
		}
	}
	return "", false
}

// page is the Connections page open in a tab.
type connectionsPage struct {
	*tab
	fx fixture
}

// openConnections opens the fixture at LinkedIn's Connections address.
func (b *browser) openConnections(t testing.TB, fx fixture) *connectionsPage {
	t.Helper()
	tb := b.newTab(t)
	tb.mu.Lock()
	tb.fixture = fx.html(t)
	tb.mu.Unlock()
	tb.navigate(connectionsURL + fx.query)
	if n := tb.count(fx.card); n == 0 {
		t.Fatalf("the %s fixture shows no card", fx.name)
	}
	return &connectionsPage{tab: tb, fx: fx}
}

// cardNode finds the page's card of slug in a snapshot.
func (p *connectionsPage) cardNode(tr *domTree, slug string) *cdp.Node {
	p.t.Helper()
	obj, err := p.object(p.fx.cardOf(slug))
	if err != nil || obj == nil {
		p.t.Fatalf("no card for %s on the %s page (%v)", slug, p.fx.name, err)
	}
	want := p.describeObject(obj).BackendNodeID
	for n := range tr.parent {
		if n.BackendNodeID == want {
			return n
		}
	}
	p.t.Fatalf("the card of %s is not in the snapshot", slug)
	return nil
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// todayString is today's date by the real clock.
func todayString() string { return time.Now().Format(time.DateOnly) }

// canonical is the daemon's key for a slug as the page writes it.
func canonical(t testing.TB, raw string) string {
	t.Helper()
	s, err := protocol.CanonicalSlug(raw)
	if err != nil {
		t.Fatalf("slug %q: %v", raw, err)
	}
	return s
}

// loadMore asks the page for more cards as a person would: its own button,
// or the mouse wheel where the list loads as it scrolls.
func (p *connectionsPage) loadMore() {
	p.t.Helper()
	if p.fx.more != "" {
		p.clickCSS(p.fx.more)
		return
	}
	p.wheel(0, 4000)
}
