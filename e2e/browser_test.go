package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/tactful/tactful/protocol"
)

// connectionsURL is where LinkedIn serves My Network > Connections, and
// where the tests serve the fixtures.
const connectionsURL = "https://www.linkedin.com/mynetwork/invite-connect/connections/"

// Viewport of every tab, and of the screenshots.
const viewportWidth, viewportHeight = 1280, 900

// Bounds of the waits. Nothing here is a speed assertion: a wait that runs
// out means the thing never happened.
const (
	waitShort = 20 * time.Second // generous: CI machines can be very busy
	waitLong  = 60 * time.Second // across a daemon restart and the extension's backoff
	pollEvery = 100 * time.Millisecond
)

var (
	rootOnce sync.Once
	rootDir  string
)

// repoRoot is the directory of go.mod, found from this file's path.
func repoRoot(t testing.TB) string {
	rootOnce.Do(func() {
		_, file, _, ok := runtime.Caller(0)
		if ok {
			rootDir = filepath.Dir(filepath.Dir(file))
		}
	})
	if rootDir == "" {
		t.Fatal("cannot find the repository root from the test's source path")
	}
	return rootDir
}

// extensionDir is the unpacked extension, as an absolute path.
func extensionDir(t testing.TB) string {
	dir := filepath.Join(repoRoot(t), "extension")
	if _, err := os.Stat(filepath.Join(dir, "manifest.json")); err != nil {
		t.Fatalf("the extension is not there: %v", err)
	}
	return dir
}

// chromiumPath finds Debian's chromium (or $TACTFUL_CHROMIUM). Without one
// the test skips, unless CI is set: CI installs chromium, so there a missing
// browser is a failure.
func chromiumPath(t testing.TB) string {
	candidates := []string{os.Getenv("TACTFUL_CHROMIUM"), "/usr/bin/chromium", "chromium", "chromium-browser"}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no chromium found (set TACTFUL_CHROMIUM or install Debian's chromium)")
	}
	t.Skip("no chromium found: install Debian's chromium (make deps) or set TACTFUL_CHROMIUM")
	return ""
}

// browser is one headless Chromium with the extension loaded, in a fresh
// profile.
type browser struct {
	t   testing.TB
	ctx context.Context // the browser's first tab; new tabs derive from it
}

// startBrowser starts Chromium with the unpacked extension and waits for the
// extension's service worker. The browser stops when the test ends.
func startBrowser(t testing.TB) *browser {
	t.Helper()
	ext := extensionDir(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(viewportWidth, viewportHeight),
		// Extensions: only ours (branded Chrome ignores load-extension
		// since 137; Debian's chromium honours it).
		chromedp.Flag("disable-extensions", false),
		chromedp.Flag("disable-extensions-except", ext),
		chromedp.Flag("load-extension", ext),
		// Offline machine: no dialling out, and no name resolves but
		// loopback, so even a request we missed cannot leave.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"),
	)
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		acancel()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	b := &browser{t: t, ctx: ctx}
	b.waitServiceWorker(t)
	return b
}

// waitServiceWorker waits until the extension's service worker runs, which
// also proves the manifest key gives the id the daemon expects.
func (b *browser) waitServiceWorker(t testing.TB) {
	t.Helper()
	prefix := "chrome-extension://" + protocol.ExtensionID + "/"
	var seen []string
	deadline := time.Now().Add(waitShort)
	for time.Now().Before(deadline) {
		infos, err := chromedp.Targets(b.ctx)
		if err != nil {
			t.Fatalf("list targets: %v", err)
		}
		seen = seen[:0]
		for _, in := range infos {
			if in.Type == "service_worker" && strings.HasPrefix(in.URL, prefix) {
				return
			}
			seen = append(seen, string(in.Type)+" "+in.URL)
		}
		time.Sleep(pollEvery)
	}
	t.Fatalf("the extension's service worker (%s…) never started; targets: %q", prefix, seen)
}

// tab is one page of the browser.
type tab struct {
	t   testing.TB
	ctx context.Context

	mu      sync.Mutex
	blocked []string // requests the interception failed
	sockets []string // WebSockets the tab itself opened
	fixture []byte   // what connectionsURL answers in this tab
	also    []string // other LinkedIn paths that answer the same page
}

// newTab opens a tab with every request intercepted: connectionsURL gets
// the tab's fixture, loopback and extension requests pass, everything else
// fails. Console messages and exceptions go to the test log; a JavaScript
// dialog (an alert from injected markup, say) fails the test.
func (b *browser) newTab(t testing.TB) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	tb := &tab{t: t, ctx: ctx}
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		t.Fatalf("open a tab: %v", err)
	}
	// Each tab opens in a window of its own, of the default size: make its
	// contents the viewport we want.
	win, err := chromedp.CallBrowser(ctx, cdpbrowser.GetWindowForTarget, cdpbrowser.GetWindowForTargetParams{
		TargetID: chromedp.FromContext(ctx).Target.TargetID,
	})
	if err == nil {
		_, err = chromedp.CallBrowser(ctx, cdpbrowser.SetContentsSize, cdpbrowser.SetContentsSizeParams{
			WindowID: win.WindowID, Width: viewportWidth, Height: viewportHeight,
		})
	}
	if err != nil {
		cancel()
		t.Fatalf("size the tab's window: %v", err)
	}

	lctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	t.Cleanup(func() {
		stop()
		wg.Wait()
		cancel()
	})

	paused := chromedp.Events(lctx, fetch.RequestPaused)
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{
		Patterns: []*fetch.RequestPattern{{URLPattern: "*"}},
	}); err != nil {
		t.Fatalf("intercept requests: %v", err)
	}
	wg.Go(func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			tb.answer(lctx, ev)
		}
	})

	// Pages never open sockets; only the background script does.
	sockets := chromedp.Events(lctx, network.WebSocketCreated)
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("watch the network: %v", err)
	}
	wg.Go(func() {
		for ev, err := range sockets {
			if err != nil {
				return
			}
			tb.mu.Lock()
			tb.sockets = append(tb.sockets, ev.URL)
			tb.mu.Unlock()
		}
	})

	console := chromedp.Console(lctx)
	wg.Go(func() {
		for m, err := range console {
			if err != nil {
				return
			}
			if strings.Contains(m.Text, "ERR_BLOCKED_BY_CLIENT") && strings.HasSuffix(m.URL, "/favicon.ico") {
				continue // our own refusal of the page's favicon
			}
			t.Logf("console %s: %s (%s:%d)", m.Type, m.Text, m.URL, m.Line+1)
		}
	})

	dialogs := chromedp.Events(lctx, page.JavascriptDialogOpening)
	wg.Go(func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			t.Errorf("a JavaScript %s dialog opened on %s: %q (markup from a name ran as code?)", ev.Type, ev.URL, ev.Message)
			_, _ = chromedp.Call(lctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	})
	return tb
}

// servesElsewhere says whether the tab answers path with its fixture too.
func (tb *tab) servesElsewhere(path string) bool {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return slices.Contains(tb.also, path)
}

// answer decides one intercepted request.
func (tb *tab) answer(ctx context.Context, ev fetch.EventRequestPaused) {
	u, err := url.Parse(ev.Request.URL)
	var callErr error
	switch {
	case err == nil && u.Scheme == "https" && u.Host == "www.linkedin.com" && ev.ResourceType == network.ResourceTypeDocument &&
		(strings.HasPrefix(u.Path, "/mynetwork/invite-connect/connections") || tb.servesElsewhere(u.Path)):
		tb.mu.Lock()
		body := tb.fixture
		tb.mu.Unlock()
		if body == nil {
			body = []byte("<!doctype html><title>no fixture</title>")
		}
		_, callErr = chromedp.Call(ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{
			RequestID:    ev.RequestID,
			ResponseCode: 200,
			ResponseHeaders: []*fetch.HeaderEntry{
				{Name: "Content-Type", Value: "text/html; charset=utf-8"},
				{Name: "Cache-Control", Value: "no-store"},
			},
			Body: body,
		})
	case err == nil && (u.Scheme == "chrome-extension" || u.Scheme == "data" || u.Scheme == "blob" ||
		u.Hostname() == "127.0.0.1" || u.Hostname() == "localhost"):
		_, callErr = chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
	default:
		tb.mu.Lock()
		tb.blocked = append(tb.blocked, ev.Request.URL)
		tb.mu.Unlock()
		_, callErr = chromedp.Call(ctx, fetch.FailRequest, fetch.FailRequestParams{
			RequestID:   ev.RequestID,
			ErrorReason: network.ErrorReasonBlockedByClient,
		})
	}
	if callErr != nil && ctx.Err() == nil {
		tb.t.Logf("answer %s: %v", ev.Request.URL, callErr)
	}
}

// navigate loads u in the tab and waits for the load event.
func (tb *tab) navigate(u string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, waitShort)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(u)); err != nil {
		tb.t.Fatalf("open %s: %v", u, err)
	}
}

// reload reloads the tab and waits for the load event.
func (tb *tab) reload() {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, waitShort)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		tb.t.Fatalf("reload: %v", err)
	}
}

// eval evaluates a JavaScript expression in the page's main world (awaiting
// a promise) and decodes the result into T.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	v, err := tryEval[T](tb, expr)
	if err != nil {
		tb.t.Fatalf("evaluate %s: %v", clip(expr, 120), err)
	}
	return v
}

func tryEval[T any](tb *tab, expr string) (T, error) {
	ctx, cancel := context.WithTimeout(tb.ctx, waitShort)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// sendMessage sends msg to the background script with
// chrome.runtime.sendMessage, from an extension page, and returns the reply.
func (tb *tab) sendMessage(msg any) map[string]any {
	tb.t.Helper()
	data, err := json.Marshal(msg)
	if err != nil {
		tb.t.Fatal(err)
	}
	return eval[map[string]any](tb, "chrome.runtime.sendMessage("+string(data)+")")
}

// waitFor polls cond until it returns true or the timeout passes; then the
// test fails with what cond last said.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	for {
		ok, why := cond()
		if ok {
			return
		}
		last = why
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s; last: %s", timeout, what, last)
		}
		time.Sleep(pollEvery)
	}
}

// object returns a handle on the first element matching css in the main
// world, or nil.
func (tb *tab) object(css string) (*cdpruntime.RemoteObject, error) {
	ctx, cancel := context.WithTimeout(tb.ctx, waitShort)
	defer cancel()
	obj, err := chromedp.Run(ctx, chromedp.Evaluate[*cdpruntime.RemoteObject](
		fmt.Sprintf("document.querySelector(%q)", css)))
	if err != nil {
		return nil, err
	}
	if obj == nil || obj.ObjectID == "" {
		return nil, nil
	}
	return obj, nil
}

// clickCSS waits for the page's own element matching css and clicks it like
// a user: scrolled into view, a mouse press and release at its centre.
func (tb *tab) clickCSS(css string) {
	tb.t.Helper()
	var obj *cdpruntime.RemoteObject
	waitFor(tb.t, waitShort, "the page's "+css, func() (bool, string) {
		var err error
		obj, err = tb.object(css)
		if err != nil {
			return false, err.Error()
		}
		return obj != nil, "not in the page"
	})
	n := tb.describeObject(obj)
	tb.click(n)
}

// exists says whether the page has an element matching css.
func (tb *tab) exists(css string) bool {
	tb.t.Helper()
	return eval[bool](tb, fmt.Sprintf("document.querySelector(%q) !== null", css))
}

// count counts the page's elements matching css.
func (tb *tab) count(css string) int {
	tb.t.Helper()
	return eval[int](tb, fmt.Sprintf("document.querySelectorAll(%q).length", css))
}

// typeText types text into whatever has the focus, key by key.
func (tb *tab) typeText(text string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, waitShort)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.KeyEvent(text)); err != nil {
		tb.t.Fatalf("type %q: %v", text, err)
	}
}

// pressEnter presses Enter on whatever has the focus: a rawKeyDown and a
// keyUp. chromedp's KeyEvent("\r") also sends a separate char event, which
// a real keyboard does not deliver once keydown was handled (it would press
// Enter a second time on whatever the keydown handler focused).
func (tb *tab) pressEnter() {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, waitShort)
	defer cancel()
	for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
		if _, err := chromedp.Call(ctx, input.DispatchKeyEvent, input.DispatchKeyEventParams{
			Type: typ, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13,
		}); err != nil {
			tb.t.Fatalf("press Enter: %v", err)
		}
	}
}

// wheel turns the mouse wheel over the middle of the viewport.
func (tb *tab) wheel(dx, dy float64) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, waitShort)
	defer cancel()
	// By hand: the typed params leave out a zero deltaX, which the
	// protocol requires for a wheel event.
	params := map[string]any{"type": "mouseWheel", "x": viewportWidth / 2, "y": viewportHeight / 2, "deltaX": dx, "deltaY": dy}
	if err := chromedp.FromContext(tb.ctx).Target.Call(ctx, input.CommandDispatchMouseEvent, params, nil); err != nil {
		tb.t.Fatalf("turn the wheel: %v", err)
	}
}

// openedSockets lists the WebSockets the tab opened itself.
func (tb *tab) openedSockets() []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return append([]string(nil), tb.sockets...)
}

// blockedRequests lists the requests the tab's interception failed.
func (tb *tab) blockedRequests() []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return append([]string(nil), tb.blocked...)
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// isContextErr says whether err only reports a context ending.
func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
