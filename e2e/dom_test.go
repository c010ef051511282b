package e2e

import (
	"context"
	"strings"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/page"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// The extension draws in closed shadow roots, which page scripts (and
// chromedp's selectors) cannot enter. The DevTools protocol can: these
// helpers read the whole tree with DOM.describeNode (depth -1, pierce), which
// includes closed shadow roots and tracks nothing, and act on nodes by their
// backend id.

func ptr[T any](v T) *T { return &v }

// domTree is one snapshot of a tab's document, shadow roots included.
type domTree struct {
	root   *cdp.Node
	parent map[*cdp.Node]*cdp.Node
}

// snapshot reads the tab's whole document.
func (tb *tab) snapshot() *domTree {
	tb.t.Helper()
	tr, err := tb.trySnapshot()
	if err != nil {
		tb.t.Fatalf("read the page's DOM: %v", err)
	}
	return tr
}

func (tb *tab) trySnapshot() (*domTree, error) {
	ctx, cancel := context.WithTimeout(tb.ctx, waitShort)
	defer cancel()
	doc, err := chromedp.Run(ctx, chromedp.Evaluate[*cdpruntime.RemoteObject]("document"))
	if err != nil {
		return nil, err
	}
	res, err := chromedp.Call(ctx, dom.DescribeNode, dom.DescribeNodeParams{
		ObjectID: doc.ObjectID, Depth: ptr(int64(-1)), Pierce: ptr(true),
	})
	if err != nil {
		return nil, err
	}
	_, _ = chromedp.Call(ctx, cdpruntime.ReleaseObject, cdpruntime.ReleaseObjectParams{ObjectID: doc.ObjectID})
	tr := &domTree{root: res.Node, parent: map[*cdp.Node]*cdp.Node{}}
	var index func(n *cdp.Node)
	index = func(n *cdp.Node) {
		for _, c := range kids(n) {
			tr.parent[c] = n
			index(c)
		}
	}
	index(tr.root)
	return tr, nil
}

// kids are a node's children, shadow roots first, then its light children.
func kids(n *cdp.Node) []*cdp.Node {
	if len(n.ShadowRoots) == 0 && n.TemplateContent == nil && n.ContentDocument == nil {
		return n.Children
	}
	out := append([]*cdp.Node{}, n.ShadowRoots...)
	out = append(out, n.Children...)
	if n.ContentDocument != nil {
		out = append(out, n.ContentDocument)
	}
	return out
}

// attr returns an attribute of an element node.
func attr(n *cdp.Node, name string) (string, bool) {
	for i := 0; i+1 < len(n.Attributes); i += 2 {
		if n.Attributes[i] == name {
			return n.Attributes[i+1], true
		}
	}
	return "", false
}

// is reports whether n is an element with the attribute name=value.
func is(n *cdp.Node, name, value string) bool {
	v, ok := attr(n, name)
	return ok && v == value
}

func isElement(n *cdp.Node) bool { return n.NodeType == 1 }

// find lists the nodes under n (n excluded, shadow roots included) that
// match pred, in document order.
func find(n *cdp.Node, pred func(*cdp.Node) bool) []*cdp.Node {
	var out []*cdp.Node
	var walk func(*cdp.Node)
	walk = func(x *cdp.Node) {
		for _, c := range kids(x) {
			if pred(c) {
				out = append(out, c)
			}
			walk(c)
		}
	}
	walk(n)
	return out
}

// findAttr lists the elements under n with the attribute name=value.
func findAttr(n *cdp.Node, name, value string) []*cdp.Node {
	return find(n, func(x *cdp.Node) bool { return isElement(x) && is(x, name, value) })
}

// shadow returns the (first) shadow root of a host, or nil.
func shadow(host *cdp.Node) *cdp.Node {
	if len(host.ShadowRoots) == 0 {
		return nil
	}
	return host.ShadowRoots[0]
}

// textOf is the text under n, shadow roots included, without style and
// script contents, whitespace collapsed.
func textOf(n *cdp.Node) string {
	var b strings.Builder
	var walk func(*cdp.Node)
	walk = func(x *cdp.Node) {
		if x.NodeType == 3 {
			b.WriteString(x.NodeValue)
			b.WriteByte(' ')
			return
		}
		if x.NodeName == "STYLE" || x.NodeName == "SCRIPT" || x.NodeName == "TEMPLATE" {
			return
		}
		for _, c := range kids(x) {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// ancestor returns the nearest ancestor of n (shadow hosts included) that
// matches pred, or nil.
func (tr *domTree) ancestor(n *cdp.Node, pred func(*cdp.Node) bool) *cdp.Node {
	for p := tr.parent[n]; p != nil; p = tr.parent[p] {
		if pred(p) {
			return p
		}
	}
	return nil
}

// inside reports whether n is under root.
func (tr *domTree) inside(n, root *cdp.Node) bool {
	return tr.ancestor(n, func(p *cdp.Node) bool { return p == root }) != nil
}

// byLocalName matches elements by tag name, case-insensitively.
func byLocalName(name string) func(*cdp.Node) bool {
	return func(n *cdp.Node) bool { return isElement(n) && strings.EqualFold(n.LocalName, name) }
}

// describeObject turns a main-world object into a node (with its backend id).
func (tb *tab) describeObject(obj *cdpruntime.RemoteObject) *cdp.Node {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, waitShort)
	defer cancel()
	res, err := chromedp.Call(ctx, dom.DescribeNode, dom.DescribeNodeParams{ObjectID: obj.ObjectID})
	if err != nil {
		tb.t.Fatalf("describe a node: %v", err)
	}
	return res.Node
}

// box returns the node's border box in CSS pixels of the page (scroll
// included): x, y, width, height.
func (tb *tab) box(n *cdp.Node) (x, y, w, h float64) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, waitShort)
	defer cancel()
	res, err := chromedp.Call(ctx, dom.GetBoxModel, dom.GetBoxModelParams{BackendNodeID: n.BackendNodeID})
	if err != nil {
		tb.t.Fatalf("box of <%s>: %v", strings.ToLower(n.NodeName), err)
	}
	q := res.Model.Border
	minX, minY, maxX, maxY := q[0], q[1], q[0], q[1]
	for i := 0; i+1 < len(q); i += 2 {
		minX, maxX = min(minX, q[i]), max(maxX, q[i])
		minY, maxY = min(minY, q[i+1]), max(maxY, q[i+1])
	}
	// The box model is in viewport coordinates; add the scroll.
	sx := eval[float64](tb, "window.scrollX")
	sy := eval[float64](tb, "window.scrollY")
	return minX + sx, minY + sy, maxX - minX, maxY - minY
}

// click scrolls n into view and clicks its centre with the mouse, as a
// user would: the event goes to whatever is on top at that point.
func (tb *tab) click(n *cdp.Node) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, waitShort)
	defer cancel()
	if _, err := chromedp.Call(ctx, dom.ScrollIntoViewIfNeeded, dom.ScrollIntoViewIfNeededParams{BackendNodeID: n.BackendNodeID}); err != nil {
		tb.t.Fatalf("scroll <%s> into view: %v", strings.ToLower(n.NodeName), err)
	}
	res, err := chromedp.Call(ctx, dom.GetContentQuads, dom.GetContentQuadsParams{BackendNodeID: n.BackendNodeID})
	if err != nil || len(res.Quads) == 0 || len(res.Quads[0]) < 8 {
		tb.t.Fatalf("<%s> has no box to click (hidden?): %v", strings.ToLower(n.NodeName), err)
	}
	q := res.Quads[0]
	x := (q[0] + q[2] + q[4] + q[6]) / 4
	y := (q[1] + q[3] + q[5] + q[7]) / 4
	if err := chromedp.Do(ctx, chromedp.MouseClickXY(x, y)); err != nil {
		tb.t.Fatalf("click at %.0f,%.0f: %v", x, y, err)
	}
}

// screenshot captures the page area x, y, w, h (page coordinates, inside
// the viewport) as PNG.
func (tb *tab) screenshot(x, y, w, h float64) []byte {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, waitShort)
	defer cancel()
	res, err := chromedp.Call(ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{
		Format: page.CaptureScreenshotFormatPng,
		Clip:   &page.Viewport{X: max(0, x), Y: max(0, y), Width: w, Height: h, Scale: 1},
		// Within the viewport: capturing beyond it resizes the view, and
		// the fixed dialog, backdrop and reminder move.
		CaptureBeyondViewport: ptr(false),
	})
	if err != nil {
		tb.t.Fatalf("screenshot: %v", err)
	}
	return res.Data
}
