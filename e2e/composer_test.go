package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/tactful/tactful/protocol"
)

// The note composer is an extension page (extension/composer/) framed inside
// the card's closed shadow root. Chromium runs that frame in a process of
// its own, as a target of type "iframe": the page's DOM snapshot shows the
// <iframe data-role="composer"> but not what is inside, so these helpers
// attach to the frame's target to read it. Keys typed by the tests go to
// the tab, and Chromium routes them to the focused frame, as a keyboard does.

// composerFrame is one open composer: its <iframe> in the card, and the
// frame itself as a tab-like handle for eval.
type composerFrame struct {
	*tab
	slug  string
	id    string // the frame token in its URL
	title string // the iframe's title, its accessible name
	host  string // the extension id in the iframe's src
}

// composerIframes lists the composer <iframe>s in slug's card.
func (p *connectionsPage) composerIframes(tr *domTree, slug string) []*cdp.Node {
	var out []*cdp.Node
	for _, n := range p.inCard(tr, slug, "composer") {
		if n.LocalName == "iframe" {
			out = append(out, n)
		}
	}
	return out
}

// waitComposer waits for slug's composer frame, attaches to it and waits
// until its page has drawn the note field.
func (p *connectionsPage) waitComposer(slug string) *composerFrame {
	p.t.Helper()
	var src, title string
	waitFor(p.t, waitShort, slug+"'s note composer frame", func() (bool, string) {
		tr := p.snapshot()
		for _, n := range p.composerIframes(tr, slug) {
			if !shown(tr, n) {
				continue
			}
			src, _ = attr(n, "src")
			title, _ = attr(n, "title")
			return src != "", "an iframe without src"
		}
		return false, "no composer iframe in the card"
	})
	u, err := url.Parse(src)
	if err != nil {
		p.t.Fatalf("the composer's src %q: %v", src, err)
	}
	if u.Path != "/composer/composer.html" {
		p.t.Fatalf("the composer frame loads %q, want the extension's composer/composer.html", src)
	}
	id := u.Query().Get("frame")
	var found *cdpTarget
	waitFor(p.t, waitShort, "the composer frame's target", func() (bool, string) {
		infos, err := chromedp.Targets(p.ctx)
		if err != nil {
			return false, err.Error()
		}
		var seen []string
		for _, in := range infos {
			if in.Type == "iframe" && strings.Contains(in.URL, "frame="+id) {
				found = &cdpTarget{id: in.TargetID, url: in.URL}
				return true, ""
			}
			seen = append(seen, string(in.Type)+" "+in.URL)
		}
		return false, fmt.Sprintf("targets: %q", seen)
	})
	ctx, cancel := chromedp.NewContext(p.ctx, chromedp.WithTargetID(found.id), chromedp.WithDetachOnCancel())
	p.t.Cleanup(cancel)
	// The first run attaches, for as long as ctx lives (not a timeout's
	// child context, which would detach when it ends).
	if err := chromedp.Do(ctx); err != nil {
		p.t.Fatalf("attach to the composer frame: %v", err)
	}
	f := &composerFrame{tab: &tab{t: p.t, ctx: ctx}, slug: slug, id: id, title: title, host: u.Host}
	waitFor(p.t, waitShort, "the composer page to draw its form", func() (bool, string) {
		n, err := tryEval[int](f.tab, `document.querySelectorAll('[data-role="tag"]').length`)
		if err != nil {
			return false, err.Error()
		}
		return n > 0, "no tag choices yet"
	})
	return f
}

type cdpTarget struct {
	id  target.ID
	url string
}

// focused reports what has the focus in the frame: the data-role of the
// active element, and whether the frame's document has the focus.
func (f *composerFrame) focused() (role string, has bool) {
	f.t.Helper()
	r := eval[map[string]any](f.tab, `({role: document.activeElement?.dataset.role ?? '', has: document.hasFocus()})`)
	role, _ = r["role"].(string)
	has, _ = r["has"].(bool)
	return role, has
}

// waitFieldFocused waits until the composer's note field has the focus,
// as it should right after "Add note", without a click.
func (f *composerFrame) waitFieldFocused() {
	f.t.Helper()
	waitFor(f.t, waitShort, "the note field to have the focus", func() (bool, string) {
		role, has := f.focused()
		return role == "note-text" && has, fmt.Sprintf("active %q, frame focused %v", role, has)
	})
}

// value is what the note field holds.
func (f *composerFrame) value() string {
	f.t.Helper()
	return eval[string](f.tab, `document.querySelector('[data-role="note-text"]').value`)
}

// waitComposerClosed waits until slug's card has no composer frame.
func (p *connectionsPage) waitComposerClosed(slug, why string) {
	p.t.Helper()
	waitFor(p.t, waitShort, slug+"'s composer to close "+why, func() (bool, string) {
		tr := p.snapshot()
		if n := len(p.composerIframes(tr, slug)); n > 0 {
			return false, fmt.Sprintf("%d composer frames still there", n)
		}
		return true, ""
	})
}

// modShift is Shift in the DevTools protocol's modifier bits.
const modShift = 8

// pressShiftEnter presses Shift+Enter on whatever has the focus: the key
// with its character, as a keyboard sends it.
func (tb *tab) pressShiftEnter() {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, waitShort)
	defer cancel()
	for _, ev := range []input.DispatchKeyEventParams{
		{Type: input.DispatchKeyEventTypeKeyDown, Key: "Enter", Code: "Enter", Text: "\r", UnmodifiedText: "\r", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13, Modifiers: modShift},
		{Type: input.DispatchKeyEventTypeKeyUp, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13, Modifiers: modShift},
	} {
		if _, err := chromedp.Call(ctx, input.DispatchKeyEvent, ev); err != nil {
			tb.t.Fatalf("press Shift+Enter: %v", err)
		}
	}
}

// compose types text through an input method: a composition, then its
// commit, as a Japanese or Chinese keyboard would.
func (tb *tab) compose(text string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, waitShort)
	defer cancel()
	n := int64(len([]rune(text)))
	if _, err := chromedp.Call(ctx, input.ImeSetComposition, input.ImeSetCompositionParams{Text: text, SelectionStart: n, SelectionEnd: n}); err != nil {
		tb.t.Fatalf("compose %q: %v", text, err)
	}
	if _, err := chromedp.Call(ctx, input.InsertText, input.InsertTextParams{Text: text}); err != nil {
		tb.t.Fatalf("commit %q: %v", text, err)
	}
}

// keyLogger is a page script, run before any of the page's own, that
// records every key, input and composition event, in the capture phase, on
// window and on document: what LinkedIn's scripts could see.
const keyLogger = `(() => {
	const log = [];
	Object.defineProperty(window, '__tactfulKeyLog', { value: log });
	const types = ['keydown', 'keypress', 'keyup', 'beforeinput', 'input', 'textInput', 'change',
		'compositionstart', 'compositionupdate', 'compositionend', 'paste', 'cut', 'copy', 'select', 'selectionchange'];
	for (const target of [window, document]) {
		for (const type of types) {
			target.addEventListener(type, (ev) => {
				const t = ev.composedPath ? ev.composedPath()[0] : ev.target;
				log.push({ on: target === window ? 'window' : 'document', type, key: ev.key ?? null, data: ev.data ?? null,
					value: t && typeof t.value === 'string' ? t.value : null });
			}, true);
		}
	}
})();`

// openConnectionsLogged opens the fixture like openConnections, with the
// key logger installed in the page's main world before the page loads.
func (b *browser) openConnectionsLogged(t testing.TB, fx fixture) *connectionsPage {
	t.Helper()
	tb := b.newTab(t)
	tb.mu.Lock()
	tb.fixture = fx.html(t)
	tb.mu.Unlock()
	ctx, cancel := context.WithTimeout(tb.ctx, waitShort)
	defer cancel()
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: keyLogger}); err != nil {
		t.Fatalf("install the key logger: %v", err)
	}
	tb.navigate(connectionsURL)
	return &connectionsPage{tab: tb, fx: fx}
}

type loggedEvent struct {
	On    string  `json:"on"`
	Type  string  `json:"type"`
	Key   *string `json:"key"`
	Data  *string `json:"data"`
	Value *string `json:"value"`
}

// TestTypedNoteUnseenByPage: a page script listening in the capture phase
// on window and document for every key, input and composition event sees
// nothing of a note typed in the composer (keys, Shift+Enter, an input
// method), and the note is saved and shown. Issue 10, point 1.
func TestTypedNoteUnseenByPage(t *testing.T) {
	fx := fixtures[0]
	e := newEnv(t)
	p := e.b.openConnectionsLogged(t, fx)
	p.waitBadgedOnce()
	// The logger works: a key typed on the page itself is seen.
	eval[bool](p.tab, `(document.activeElement?.blur(), true)`)
	p.typeText("q")
	if got := eval[int](p.tab, `window.__tactfulKeyLog.filter((e) => e.type === 'keydown' && e.key === 'q').length`); got != 2 {
		t.Fatalf("the key logger saw %d keydowns of a key typed on the page, want 2 (window and document)", got)
	}
	eval[bool](p.tab, `(window.__tactfulKeyLog.length = 0, true)`)

	p.clickAddNote(noteSlug)
	f := p.waitComposer(noteSlug)
	if f.title != "Note about Grace Hopper" {
		t.Errorf("the composer frame is named %q, want %q", f.title, "Note about Grace Hopper")
	}
	// Chromium frames the page by its per-session dynamic id; the
	// extension's fixed id serves a probe from the page nothing.
	if f.host == protocol.ExtensionID {
		t.Errorf("the composer frame is loaded by the extension's fixed id %s, not a dynamic one", f.host)
	}
	probe := eval[string](p.tab, `fetch('chrome-extension://`+protocol.ExtensionID+`/composer/composer.html').then((r) => 'loaded ' + r.status, () => 'refused')`)
	if probe != "refused" {
		t.Errorf("a page's fetch of the composer by the fixed extension id: %s, want refused", probe)
	}
	f.waitFieldFocused()
	p.typeText("SECRET she lied about the merger")
	p.pressShiftEnter()
	p.typeText("ask HR ")
	p.compose("秘密")
	want := "SECRET she lied about the merger\nask HR 秘密"
	if got := f.value(); got != want {
		t.Fatalf("the note field holds %q, want %q (Shift+Enter must start a new line)", got, want)
	}
	p.pressEnter()
	p.waitComposerClosed(noteSlug, "after Enter")

	waitFor(t, waitShort, "the daemon to store the note", func() (bool, string) {
		c, ok := e.contact(noteSlug)
		return ok && len(notesWith(c.Contact, want)) == 1, fmt.Sprintf("known %v, notes %+v", ok, c.Contact.Notes)
	})
	waitNoteBadge(p, noteSlug, "1 note")

	var log []loggedEvent
	raw := eval[string](p.tab, `JSON.stringify(window.__tactfulKeyLog)`)
	if err := json.Unmarshal([]byte(raw), &log); err != nil {
		t.Fatalf("read the key log: %v", err)
	}
	if len(log) > 0 {
		t.Errorf("the page's capture-phase listeners saw %d events of the typed note: %s", len(log), clip(raw, 600))
	}
	for _, word := range []string{"SECRET", "merger", "秘密"} {
		if strings.Contains(raw, word) {
			t.Errorf("the page's listeners saw %q", word)
		}
	}
}

// TestComposerKeys: Escape closes the composer unsaved and gives the focus
// back to "Add note"; a fall-out and a reason tag chosen in the frame reach
// the daemon with the note; the page gets no handle on the frame's window.
func TestComposerKeys(t *testing.T) {
	fx := fixtures[0]
	e := newEnv(t)
	p := e.b.openConnections(t, fx)
	p.waitBadgedOnce()

	p.clickAddNote(noteSlug)
	f := p.waitComposer(noteSlug)
	f.waitFieldFocused()
	p.typeText("not this one")
	p.typeText("\x1b")
	p.waitComposerClosed(noteSlug, "after Escape")
	if got := eval[string](p.tab, `document.activeElement?.getAttribute('data-tactful') ?? ''`); got != "card" {
		t.Errorf("after Escape the focus is on %q, want the card's Add note button (in data-tactful=card)", got)
	}
	if c, ok := e.contact(noteSlug); ok && len(c.Contact.Notes) > 0 {
		t.Errorf("Escape saved a note: %+v", c.Contact.Notes)
	}

	p.clickAddNote(noteSlug)
	f = p.waitComposer(noteSlug)
	f.waitFieldFocused()
	eval[bool](f.tab, `(() => {
		document.querySelector('[data-role="fallout"]').click();
		document.querySelector('[data-role="tag"][value="reputation"]').click();
		document.querySelector('[data-role="note-text"]').focus();
		return true;
	})()`)
	p.typeText("Argued about the roadmap in public")
	p.pressEnter()
	p.waitComposerClosed(noteSlug, "after Enter")
	waitFor(t, waitShort, "the note, its tag and the fall-out to reach the daemon", func() (bool, string) {
		c, ok := e.contact(noteSlug)
		got := ok && len(notesWith(c.Contact, "Argued about the roadmap in public")) == 1 &&
			strings.Contains(jsonString(c.Contact.Tags), "reputation") && c.Contact.FalloutAt != nil
		return got, jsonString(c.Contact)
	})

	// A frame in a shadow tree is not among the page's window.frames: the
	// page cannot reach the composer's window to message or navigate it.
	before := eval[int](p.tab, `window.length`)
	p.clickAddNote(noteSlug)
	p.waitComposer(noteSlug).waitFieldFocused()
	if after := eval[int](p.tab, `window.length`); after != before {
		t.Errorf("opening the composer made window.length %d (was %d): the page can reach its frame", after, before)
	}
}

// TestContentScriptWorldGetsNoSecrets: code running in the content scripts'
// world on the LinkedIn page (where a bug in our page code would let an
// attacker run) can neither read the pairing code nor get an export, the
// history or a new pairing from the background. Issue 10, point 4.
func TestContentScriptWorldGetsNoSecrets(t *testing.T) {
	fx := fixtures[0]
	e := newEnv(t)

	tb := e.b.newTab(t)
	tb.mu.Lock()
	tb.fixture = fx.html(t)
	tb.mu.Unlock()
	worlds := make(chan cdpruntime.ExecutionContextID, 16)
	origin := "chrome-extension://" + protocol.ExtensionID
	if err := chromedp.Listen(tb.ctx, func(ev any) {
		if c, ok := ev.(*cdpruntime.EventExecutionContextCreated); ok && c.Context.Origin == origin {
			select {
			case worlds <- c.Context.ID:
			default:
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	tb.navigate(connectionsURL)
	p := &connectionsPage{tab: tb, fx: fx}
	p.waitBadgedOnce() // the content scripts run, and their requests pass
	var world cdpruntime.ExecutionContextID
	select {
	case world = <-worlds:
	default:
		t.Fatal("no execution context of the extension's content scripts on the page")
	}

	const probe = `(async () => {
		const send = (m) => chrome.runtime.sendMessage(m);
		const local = await chrome.storage.local.get(null);
		const dbs = indexedDB.databases ? (await indexedDB.databases()).map((d) => d.name) : [];
		return JSON.stringify({
			local,
			dbs,
			export: await send({ kind: 'request', request: { type: 'export' } }),
			history: await send({ kind: 'request', request: { type: 'history_get' } }),
			importJSON: await send({ kind: 'request', request: { type: 'import_json', data: {} } }),
			pair: await send({ kind: 'pair', address: '127.0.0.1:1', code: 'ATTACKER-CODE' }),
			noteAdd: await send({ kind: 'note_add', slug: 'grace-hopper-1906', text: 'planted by the page' }),
			state: await send({ kind: 'state' }),
		});
	})()`
	ctx, cancel := context.WithTimeout(tb.ctx, waitShort)
	defer cancel()
	res, err := chromedp.Call(ctx, cdpruntime.Evaluate, cdpruntime.EvaluateParams{
		Expression: probe, ContextID: world, AwaitPromise: ptr(true), ReturnByValue: ptr(true),
	})
	if err != nil {
		t.Fatalf("run the probe in the content scripts' world: %v", err)
	}
	if res.ExceptionDetails != nil {
		t.Fatalf("the probe threw: %s", jsonString(res.ExceptionDetails))
	}
	var raw string
	if err := json.Unmarshal(res.Result.Value, &raw); err != nil {
		t.Fatalf("the probe's result %s: %v", res.Result.Value, err)
	}
	var got struct {
		Local                                    map[string]any
		Dbs                                      []string
		Export, History, ImportJSON, Pair, State map[string]any
		NoteAdd                                  map[string]any
	}
	if err := json.Unmarshal([]byte(raw), &got); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	if strings.Contains(raw, e.code) {
		t.Errorf("the content scripts' world got the pairing code: %s", clip(raw, 800))
	}
	if _, ok := got.Local["pairingCode"]; ok {
		t.Errorf("storage.local, which content scripts read, holds pairingCode")
	}
	for name, r := range map[string]map[string]any{"export": got.Export, "history_get": got.History, "import_json": got.ImportJSON, "pair": got.Pair, "note_add": got.NoteAdd} {
		if r["code"] != "forbidden" {
			t.Errorf("%s from the content scripts' world: %s, want the forbidden error", name, jsonString(r))
		}
	}
	if got.State["connected"] != true {
		t.Errorf("state from the content scripts' world: %s, want connected", jsonString(got.State))
	}
	// Nothing the refused requests asked for happened.
	e.waitConnected(true)
	if c, ok := e.contact(noteSlug); ok && len(c.Contact.Notes) > 0 {
		t.Errorf("a refused note_add was saved: %+v", c.Contact.Notes)
	}
}
