package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
)

// listPage writes a connections page in the shape LinkedIn ships since 2025
// (a data-view-name="connections-list" wrapper per card, hashed classes,
// the name and headline inside a profile link, "Connected on …" beside it,
// a nameless "Show more actions" menu button), for the tests of where the
// extension runs, the page report and the badge latency. It needs no
// fixture beside the repository.
type listPage struct {
	People int    // how many connections the list has
	Title  string // the page's <title>; "" means "Connections | LinkedIn"
	// Virtual keeps only the rows near the viewport, as fresh nodes each
	// time they come into view (React-style), in a scrolling main#workspace.
	Virtual bool
	// NoDates leaves the "Connected on …" line out of every card.
	NoDates bool
	// Unknown lays the people out in rows that each link two people, which
	// no reader rule takes for a connection card.
	Unknown bool
}

// listPerson is one connection of a listPage.
type listPerson struct {
	Slug, Name, Headline, Connected string
}

var listMonths = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}

// people are the page's connections: names, slugs and headlines that occur
// nowhere else in the page's markup.
func (lp listPage) people() []listPerson {
	out := make([]listPerson, lp.People)
	for i := range out {
		out[i] = listPerson{
			Slug:      fmt.Sprintf("quentin-xylander-%04d", i),
			Name:      fmt.Sprintf("Quentin Xylander %d", i),
			Headline:  fmt.Sprintf("Zymurgist at Brewery %d", i),
			Connected: fmt.Sprintf("Connected on %s %d, %d", listMonths[i%12], 1+i%28, 2015+i%9),
		}
		if lp.NoDates {
			out[i].Connected = ""
		}
	}
	return out
}

func (lp listPage) html(t testing.TB) []byte {
	t.Helper()
	title := lp.Title
	if title == "" {
		title = "Connections | LinkedIn"
	}
	data, err := json.Marshal(lp.people())
	if err != nil {
		t.Fatal(err)
	}
	// The script builds the rows with textContent, as LinkedIn's app does.
	var b strings.Builder
	fmt.Fprintf(&b, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>%s</title>
<style>
body { margin: 0; font: 14px sans-serif; }
#workspace { height: 100vh; overflow-y: auto; }
._r1 { box-sizing: border-box; height: 100px; padding: 8px; border-bottom: 1px solid #ddd; display: flex; gap: 8px; }
</style></head><body>
<nav><a href="https://www.linkedin.com/in/me-myself-0000/">Me</a></nav>
<main id="workspace"><div><p class="_h0">%d connections</p></div><div id="list" role="list"></div></main>
<script>
const people = %s;
const virtual = %t, unknown = %t;
const list = document.getElementById('list');
const scroller = document.getElementById('workspace');
const ROW = 100;
function el(tag, attrs, text) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) n.setAttribute(k, v);
  if (text != null) n.textContent = text;
  return n;
}
function profile(p) { return 'https://www.linkedin.com/in/' + p.Slug + '/'; }
function row(i) {
  const p = people[i];
  if (unknown) {
    const q = people[(i + 1) %% people.length];
    const r = el('div', { class: '_r1' });
    const s = el('span');
    s.append(el('a', { href: profile(p) }, p.Name), ' · ', el('a', { href: profile(q) }, q.Name));
    r.append(s, el('span', {}, p.Headline));
    return r;
  }
  const wrap = el('div', { 'data-view-name': 'connections-list', role: 'listitem' });
  const card = el('div', { componentkey: 'auto-component-' + Math.random().toString(36).slice(2), class: '_r1' });
  const pic = el('a', { class: '_p2', 'data-view-name': 'connections-profile', href: profile(p), 'aria-hidden': 'true' });
  pic.append(el('img', { alt: '', src: 'data:,' }));
  const col = el('div', { class: '_c3' });
  const link = el('a', { class: '_p2', 'data-view-name': 'connections-profile', href: profile(p) });
  link.append(el('p', { class: '_n4' }, p.Name), el('p', { class: '_h5' }, p.Headline));
  col.append(link);
  if (p.Connected) col.append(el('p', { class: '_d6' }, p.Connected));
  const menu = el('button', { class: '_m7', 'aria-label': 'Show more actions', 'aria-expanded': 'false' });
  card.append(pic, col, menu);
  wrap.append(card);
  if (virtual) wrap.style.cssText = 'position:absolute;left:0;right:0;top:' + (i * ROW) + 'px';
  return wrap;
}
if (!virtual) {
  for (let i = 0; i < people.length; i++) list.append(row(i));
} else {
  list.style.cssText = 'position:relative;height:' + (people.length * ROW) + 'px';
  const shown = new Map(); // index → row element
  function render() {
    const first = Math.max(0, Math.floor(scroller.scrollTop / ROW) - 3);
    const last = Math.min(people.length - 1, Math.ceil((scroller.scrollTop + scroller.clientHeight) / ROW) + 3);
    for (const [i, r] of shown) if (i < first || i > last) { r.remove(); shown.delete(i); }
    for (let i = first; i <= last; i++) if (!shown.has(i)) { const r = row(i); shown.set(i, r); list.append(r); }
  }
  scroller.addEventListener('scroll', render);
  render();
}
</script></body></html>`, title, lp.People, data, lp.Virtual, lp.Unknown)
	return []byte(b.String())
}

// openListPage serves lp at u (any www.linkedin.com address) in a new tab.
func (b *browser) openListPage(t testing.TB, lp listPage, u string) *tab {
	t.Helper()
	tb := b.newTab(t)
	tb.mu.Lock()
	tb.fixture = lp.html(t)
	if i := strings.Index(u, "linkedin.com"); i >= 0 {
		tb.also = append(tb.also, u[i+len("linkedin.com"):])
	}
	tb.mu.Unlock()
	tb.navigate(u)
	return tb
}

// isListRow tells a listPage's card wrapper in a snapshot.
func isListRow(n *cdp.Node) bool {
	return isElement(n) && is(n, "data-view-name", "connections-list")
}

// listBadgeReport is badgeReport for a listPage: one host per row, none
// elsewhere, each with the daemon's annotation drawn.
func listBadgeReport(tr *domTree) string {
	rows := find(tr.root, isListRow)
	perRow := map[*cdp.Node]int{}
	var problems []string
	for _, h := range hosts(tr) {
		r := tr.ancestor(h, isListRow)
		if r == nil {
			problems = append(problems, "a host outside the rows")
			continue
		}
		perRow[r]++
		if _, busy := attr(h, "aria-busy"); busy {
			problems = append(problems, slugOfCard(r)+": not drawn with the daemon's annotation yet")
		}
	}
	for _, r := range rows {
		if perRow[r] != 1 {
			problems = append(problems, fmt.Sprintf("%s: %d hosts", slugOfCard(r), perRow[r]))
		}
	}
	if len(rows) == 0 {
		problems = append(problems, "no rows")
	}
	if len(problems) > 6 {
		problems = append(problems[:6], fmt.Sprintf("and %d more", len(problems)-6))
	}
	return strings.Join(problems, "; ")
}

// waitListBadged waits until every row of a listPage is badged once.
func waitListBadged(t testing.TB, tb *tab) *domTree {
	t.Helper()
	var tr *domTree
	waitFor(t, waitShort, "every row badged once with the daemon's annotation", func() (bool, string) {
		tr = tb.snapshot()
		r := listBadgeReport(tr)
		return r == "", r
	})
	return tr
}
