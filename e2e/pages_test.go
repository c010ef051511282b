package e2e

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"hash/fnv"
	"html"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The repository's own LinkedIn-shaped pages, e2e/testdata/linkedin/*.html,
// are written by this file: one table of people, one card template per
// shape, and the pages' own scripts. The files are committed (a Node test and
// a person opening them in a browser need no Go), and
// TestLinkedInPagesAreGenerated fails when they drift from the generator.
// Rewrite them with
//
//	go test ./e2e/ -run TestLinkedInPagesAreGenerated -update-pages
//
// What the pages mimic and the variants their query string selects are in
// e2e/testdata/linkedin/README.md.

var updatePages = flag.Bool("update-pages", false, "rewrite e2e/testdata/linkedin/*.html from the generator")

// pagesAsOf is the day the pages' static dates were written for. In a
// browser the pages' scripts move every date by the days since, so a person
// connected "5 days ago" stays so on any day the tests run.
const pagesAsOf = "2026-12-01"

// person is one connection of the test pages.
type person struct {
	Path     string // the profile slug as the href has it (percent-encoded)
	Name     string
	Headline string // "" for a card without a headline
	Date     string // connected on, as of pagesAsOf (SDUI and 2025 shapes)
	Ago      string // connected, as the classic shape says it ("2 weeks")
}

// Slug is the slug as a person reads it (percent-decoded).
func (p person) Slug() string {
	s, err := url.PathUnescape(p.Path)
	if err != nil {
		panic(err)
	}
	return s
}

// Href is the absolute profile address.
func (p person) Href() string { return "https://www.linkedin.com/in/" + p.Path + "/" }

// days is how long ago the connection was, as the page's shape says it,
// counted on the day the tests run.
func (p person) days(shape string) int {
	if shape == "classic" {
		d, ok := connectedDays("Connected "+p.Ago+" ago", time.Now())
		if !ok {
			panic("unreadable age " + p.Ago)
		}
		return d
	}
	asOf, _ := time.Parse(time.DateOnly, pagesAsOf)
	on, err := time.Parse(time.DateOnly, p.Date)
	if err != nil {
		panic(err)
	}
	return int(asOf.Sub(on).Hours() / 24)
}

// key is the 2025 shape's component key: a UUID-like hash, no name in it.
func (p person) key() string {
	h := fnv.New128a()
	h.Write([]byte(p.Path))
	b := h.Sum(nil)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

var people = []person{
	{"ada-lovelace-1815", "Ada Lovelace", "Analytical Engine programmer at Babbage & Co", "2026-11-26", "53 minutes"},
	{"grace-hopper-1906", "Grace Hopper", "Rear Admiral, US Navy | COBOL", "2026-11-12", "2 weeks"},
	{"jos%C3%A9-garc%C3%ADa-n%C3%BA%C3%B1ez-4b1a2c3", "José García-Núñez", "Ingeniero de datos en Telefónica", "2026-08-20", "3 months"},
	{"siobhan-oconnor", "Siobhán O'Connor", "Head of Talent, Acme, Inc.", "2025-10-03", "1 year"},
	{"zoe-angstrom-77", "Zoë Ångström", "Physicist · Lund University", "2020-03-05", "6 years"},
	{"renee-xss-test", "Renée <img src=x onerror=alert(1)>", `Growth hacker "10x" <b>ninja</b>`, "2026-07-14", "4 months"},
	{"linustorvalds", "Linus Torvalds", "", "2017-01-02", "9 years"},
	{"margaret-hamilton-apollo", "Margaret Hamilton", "Director, Software Engineering Division — MIT Instrumentation Lab", "2024-05-01", "2 years"},
	{"alan-turing", "Alan Turing", "Mathematician, Bletchley Park", "2026-11-22", "5 days"},
	{"katherine-johnson-nasa", "Katherine Johnson", "Research Mathematician at NASA Langley", "2026-03-29", "8 months"},
	{"edsger-w-dijkstra", "Edsger Dijkstra", "Professor, UT Austin | Structured programming", "2023-06-29", "3 years"},
	{"barbara-liskov", "Barbara Liskov", "Institute Professor, MIT CSAIL", "2026-10-20", "1 month"},
	{"don-knuth-taocp", "Donald Knuth", "Professor Emeritus, Stanford · The Art of Computer Programming", "2019-02-01", "7 years"},
	{"fran-allen-ibm", "Frances Allen", "IBM Fellow, compiler optimization", "2026-01-30", "10 months"},
	{"ken-thompson-unix", "Ken Thompson", "Distinguished Engineer at Google", "2022-09-09", "4 years"},
	{"radia-perlman", "Radia Perlman", "Fellow at Dell EMC | Spanning Tree", "2025-12-24", "11 months"},
	{"dmr-bell-labs", "Dennis Ritchie", "Bell Labs", "2014-08-08", "12 years"},
	{"hedy-lamarr-fhss", "Hedy Lamarr", "Actress and inventor, frequency hopping", "2026-09-25", "2 months"},
	{"timbl", "Tim Berners-Lee", "Director, W3C", "2026-11-05", "3 weeks"},
	{"sophie-wilson-arm", "Sophie Wilson", "Director, Broadcom | ARM instruction set", "2021-04-17", "5 years"},
	{"jean-bartik-eniac", "Jean Bartik", "ENIAC programmer", "2026-05-27", "6 months"},
	{"john-mccarthy-lisp", "John McCarthy", "Stanford AI Lab", "2018-07-07", "8 years"},
	{"shafi-goldwasser", "Shafi Goldwasser", "Director, Simons Institute", "2026-11-19", "1 week"},
	{"vint-cerf", "Vint Cerf", "Chief Internet Evangelist, Google", "2023-10-11", "3 years"},
	{"annie-easley-nasa", "Annie Easley", "Computer scientist, NASA Lewis", "2024-02-14", "2 years"},
	{"guido-van-rossum", "Guido van Rossum", "Distinguished Engineer at Microsoft", "2026-07-30", "4 months"},
	{"lynn-conway-vlsi", "Lynn Conway", "Professor Emerita, University of Michigan", "2026-02-27", "9 months"},
	{"bjarne-stroustrup", "Bjarne Stroustrup", "Professor at Columbia University", "2020-11-30", "6 years"},
	{"carol-shaw-river-raid", "Carol Shaw", "Game designer, River Raid", "2026-11-26", "1 day"},
	{"leslie-lamport-tla", "Leslie Lamport", "Distinguished Scientist, Microsoft Research", "2024-08-15", "2 years"},
}

// pageShape is one of LinkedIn's markups the pages stand for.
type pageShape struct {
	name    string // classic, sdui, 2025
	initial int    // cards in the page before anything loads more
	render  func() []byte
}

// How many cards each shape shows before anything loads more.
const classicInitial, sduiInitial, initial2025 = 20, 10, 12

var pageShapes = []pageShape{
	{name: "classic", initial: classicInitial, render: classicPage},
	{name: "sdui", initial: sduiInitial, render: sduiPage},
	{name: "2025", initial: initial2025, render: page2025},
}

func shapeNamed(name string) pageShape {
	for _, s := range pageShapes {
		if s.name == name {
			return s
		}
	}
	panic("no page shape " + name)
}

// pagesDir is where the generated pages live.
func pagesDir(t testing.TB) string {
	return filepath.Join(repoRoot(t), "e2e", "testdata", "linkedin")
}

func TestLinkedInPagesAreGenerated(t *testing.T) {
	for _, s := range pageShapes {
		path := filepath.Join(pagesDir(t), s.name+".html")
		want := s.render()
		if *updatePages {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("read %s: %v", path, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from what e2e/pages_test.go writes; run go test ./e2e/ -run TestLinkedInPagesAreGenerated -update-pages", path)
		}
	}
}

// esc escapes text for HTML text and attribute values.
func esc(s string) string { return html.EscapeString(s) }

// jsonScript is a <script type="application/json"> element; encoding/json
// escapes <, > and &, so no data can end the script.
func jsonScript(id string, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return `<script type="application/json" id="` + id + `">` + string(b) + "</script>\n"
}

const gif = "data:image/gif;base64,R0lGODlhAQABAIAAAMzMzP///yH5BAEAAAAALAAAAAABAAEAAAICRAEAOw=="

// pageData is what every page's script reads: the day its dates were
// written for, and the people.
func pageData(shape string, initial int) string {
	type row struct {
		Path     string `json:"path"`
		Name     string `json:"name"`
		Headline string `json:"headline"`
		Date     string `json:"date"`
		Key      string `json:"key"`
	}
	var rows []row
	for _, p := range people {
		rows = append(rows, row{p.Path, p.Name, p.Headline, p.Date, p.key()})
	}
	return jsonScript("page-config", map[string]any{"shape": shape, "asOf": pagesAsOf, "initial": initial}) +
		jsonScript("people", rows)
}

// moreCards holds the cards the page loads later, inert in a <template>
// until the page's script clones them into the list.
func moreCards(cards []string) string {
	return "<template id=\"more-cards\">\n" + strings.Join(cards, "") + "</template>\n"
}

func head(title, css string) string {
	return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + title + "</title>\n<style>\n" + css + "</style>\n</head>\n"
}

const pymk = `<aside aria-label="People you may know"><h2>People you may know</h2><ul>
<li><a href="https://www.linkedin.com/in/pat-suggested-123/"><span>Pat Suggested</span></a><button type="button">Connect</button></li>
<li><a href="https://www.linkedin.com/in/robin-maybe-you-know/"><span>Robin Maybe</span></a><button type="button">Connect</button></li>
</ul></aside>
`

// classicCard is one card of the Ember-era page: relative profile links, a
// visually hidden label, a relative date, and the card's own dropdown.
func classicCard(i int, p person) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<li class="mn-connection-card artdeco-list ember-view" id="ember%d">
 <a href="/in/%s/" class="mn-connection-card__picture ember-view"><img src="%s" alt="%s" width="72" loading="lazy"></a>
 <div class="mn-connection-card__details">
  <a href="/in/%s/" class="mn-connection-card__link ember-view">
   <span class="mn-connection-card__name t-16 t-bold">%s</span>
   <span class="visually-hidden">Member’s occupation</span>
`, 300+10*i, esc(p.Path), gif, esc(p.Name), esc(p.Path), esc(p.Name))
	if p.Headline != "" {
		fmt.Fprintf(&b, "   <span class=\"mn-connection-card__occupation t-14\">%s</span>\n", esc(p.Headline))
	}
	fmt.Fprintf(&b, `  </a>
  <time class="time-badge t-12">Connected %s ago</time>
 </div>
 <div class="mn-connection-card__action-container">
  <button class="mn-connection-card__message-btn artdeco-button" aria-label="Send a message to %s"><span>Message</span></button>
  <div class="mn-connection-card__dropdown artdeco-dropdown">
   <button class="artdeco-dropdown__trigger mn-connection-card__dropdown-trigger artdeco-button" aria-expanded="false" type="button"><li-icon aria-label="More actions for %s" role="img">…</li-icon></button>
   <div class="artdeco-dropdown__content" tabindex="-1" hidden>
    <ul><li><div role="button" tabindex="0" aria-label="Remove connection with %s" data-control-name="remove_connection" class="artdeco-dropdown__item"><li-icon aria-hidden="true" type="trash-icon">🗑</li-icon><span class="mn-connection-card__dropdown-option-text">Remove connection</span></div></li></ul>
   </div>
  </div>
 </div>
</li>
`, esc(p.Ago), esc(p.Name), esc(p.Name), esc(p.Name))
	return b.String()
}

func classicPage() []byte {
	const css = ` body { font-family: system-ui, sans-serif; background: #f4f2ee; margin: 0; }
 .global-nav { background: #fff; border-bottom: 1px solid #ddd; padding: 8px 24px; display: flex; gap: 16px; }
 .global-nav img { width: 24px; height: 24px; }
 .scaffold-layout { display: flex; gap: 24px; max-width: 1128px; margin: 24px auto; }
 main { flex: 1; background: #fff; border-radius: 8px; }
 .mn-connection-cards { list-style: none; margin: 0; padding: 0; }
 .mn-connection-card { display: flex; align-items: center; gap: 12px; padding: 12px 16px; border-bottom: 1px solid #e8e8e8; }
 .mn-connection-card__details { flex: 1; }
 .mn-connection-card__link { display: flex; flex-direction: column; color: inherit; text-decoration: none; }
 .mn-connection-card__action-container, .artdeco-dropdown { display: flex; gap: 8px; position: relative; }
 .artdeco-dropdown__content { position: absolute; right: 0; top: 40px; background: #fff; box-shadow: 0 4px 12px rgba(0,0,0,.2); z-index: 10; min-width: 220px; }
 .artdeco-dropdown__content ul { list-style: none; margin: 0; padding: 8px 0; }
 .artdeco-dropdown__item { padding: 8px 16px; cursor: pointer; }
 .artdeco-modal-overlay { position: fixed; inset: 0; background: rgba(0,0,0,.6); display: flex; align-items: center; justify-content: center; z-index: 1000; }
 .artdeco-modal { background: #fff; border-radius: 8px; padding: 16px; width: 480px; }
 aside { width: 300px; background: #fff; border-radius: 8px; padding: 12px; align-self: flex-start; }
 img { width: 72px; height: 72px; border-radius: 50%; background: #ccc; }
 .visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(1px,1px,1px,1px); white-space: nowrap; }
`
	var cards []string
	for i, p := range people {
		cards = append(cards, classicCard(i, p))
	}
	var b strings.Builder
	b.WriteString(head("(4) Connections | LinkedIn", css))
	b.WriteString(`<body class="ember-application">
<header id="global-nav" class="global-nav">
 <a href="https://www.linkedin.com/feed/">Home</a>
 <a href="https://www.linkedin.com/mynetwork/">My Network</a>
 <a class="global-nav__me" href="https://www.linkedin.com/in/casey-curator/"><img alt="Casey Curator" src="` + gif + `"> Me</a>
</header>
<div class="scaffold-layout">
 <main id="main" aria-label="Main content">
  <section class="mn-connections artdeco-card">
   <header class="mn-connections__header"><h1>1,217 Connections</h1></header>
   <ul class="mn-connection-cards">
`)
	for _, c := range cards[:classicInitial] {
		b.WriteString(c)
	}
	b.WriteString(`   </ul>
   <div class="display-flex"><button class="scaffold-finite-scroll__load-button artdeco-button" type="button"><span>Show more results</span></button></div>
  </section>
 </main>
` + pymk + `</div>
<div id="artdeco-modal-outlet"></div>
`)
	b.WriteString(moreCards(cards[classicInitial:]))
	b.WriteString(pageData("classic", classicInitial))
	b.WriteString("<script>\n" + pageScriptCommon + classicScript + "</script>\n</body>\n</html>\n")
	return []byte(b.String())
}

// sduiCard is one card of the server-driven page: hashed classes, a
// component key with the slug, two profile links.
func sduiCard(i int, p person) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<div componentkey="ConnectionCard_%d-%s" class="_0c2d7e1f">
 <div class="_51bb6b94">
  <a data-view-name="connections-profile" href="%s" class="_7e0c5d3b" tabindex="-1" aria-hidden="true"><figure class="_15e2c7a1" aria-label="%s"><img src="%s" alt="%s" class="_3bd1f0c2"></figure></a>
  <div class="_9a4c1e77">
   <p class="df958442"><a data-view-name="connections-profile" href="%s" class="_7e0c5d3b _b41f0a2d">%s</a></p>
`, i, esc(p.Slug()), esc(p.Href()), esc(p.Name), gif, esc(p.Name), esc(p.Href()), esc(p.Name))
	if p.Headline != "" {
		fmt.Fprintf(&b, "   <p class=\"_6f0a1b2c _8d9e0f1a\">%s</p>\n", esc(p.Headline))
	}
	on, _ := time.Parse(time.DateOnly, p.Date)
	fmt.Fprintf(&b, `   <p class="_6f0a1b2c _4c1d2e3f">Connected on %s</p>
  </div>
  <div class="_e51a0b9c">
   <a href="https://www.linkedin.com/messaging/compose/?recipient=%s" class="_0f9e8d7c" data-view-name="connections-message-button"><span>Message</span></a>
   <button type="button" aria-label="Show more actions for %s" class="_5d6e7f80" aria-expanded="false" data-view-name="connections-overflow-menu"><svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true"><circle cx="5" cy="12" r="2"/><circle cx="12" cy="12" r="2"/><circle cx="19" cy="12" r="2"/></svg></button>
  </div>
 </div>
</div>
`, on.Format("January 2, 2006"), esc(p.Path), esc(p.Name))
	return b.String()
}

func sduiPage() []byte {
	const css = ` body { font-family: system-ui, sans-serif; background: #f4f2ee; margin: 0; }
 ._3a9f0c { background: #fff; border-bottom: 1px solid #ddd; padding: 8px 24px; display: flex; gap: 16px; }
 ._3a9f0c img { width: 24px; height: 24px; }
 ._7d2e1b { display: flex; gap: 24px; max-width: 1128px; margin: 24px auto; }
 main { flex: 1; background: #fff; border-radius: 8px; }
 [componentkey^="ConnectionCard_"] { border-bottom: 1px solid #e8e8e8; padding: 12px 16px; }
 ._51bb6b94 { display: flex; gap: 12px; align-items: center; }
 ._9a4c1e77 { flex: 1; }
 ._9a4c1e77 p { margin: 2px 0; }
 ._e51a0b9c { display: flex; gap: 8px; align-items: center; }
 img { width: 72px; height: 72px; border-radius: 50%; background: #ccc; }
 aside { width: 300px; background: #fff; border-radius: 8px; padding: 12px; align-self: flex-start; }
 dialog { border: 0; border-radius: 8px; padding: 16px; width: 480px; }
`
	var cards []string
	for i, p := range people {
		cards = append(cards, sduiCard(i, p))
	}
	var b strings.Builder
	b.WriteString(head("Connections | LinkedIn", css))
	b.WriteString(`<body>
<nav class="_3a9f0c" aria-label="Primary Navigation">
 <a href="https://www.linkedin.com/feed/">Home</a>
 <a href="https://www.linkedin.com/mynetwork/">My Network</a>
 <a href="https://www.linkedin.com/in/casey-curator/" data-view-name="navigation-settings"><img alt="Casey Curator" src="` + gif + `"><span>Me</span></a>
</nav>
<div class="_7d2e1b">
 <main aria-label="Main content">
  <div componentkey="ConnectionsPage_ConnectionsListHeader" class="_4e5f6a7b"><p class="_6f0a1b2c">1,217 connections</p></div>
  <div componentkey="ConnectionsPage_ConnectionsList" data-view-name="connections-list">
   <div data-component-type="LazyColumn" data-testid="lazy-column" class="_8c9d0e1f">
`)
	for _, c := range cards[:sduiInitial] {
		b.WriteString(c)
	}
	b.WriteString(`   </div>
  </div>
  <button type="button" class="_1a2b3c4d" data-view-name="connections-load-more"><span>Load more</span></button>
 </main>
` + pymk + `</div>
`)
	b.WriteString(moreCards(cards[sduiInitial:]))
	b.WriteString(pageData("sdui", sduiInitial))
	b.WriteString("<script>\n" + pageScriptCommon + sduiScript + "</script>\n</body>\n</html>\n")
	return []byte(b.String())
}

func page2025() []byte {
	const css = ` html, body { height: 100%; margin: 0; overflow: hidden; font-family: system-ui, sans-serif; background: #f4f2ee; }
 ._1f3e5d { background: #fff; border-bottom: 1px solid #ddd; padding: 8px 24px; display: flex; gap: 16px; height: 36px; }
 ._1f3e5d img { width: 24px; height: 24px; }
 #workspace { position: absolute; top: 53px; bottom: 0; left: 0; right: 0; overflow-y: auto; }
 ._6b7c8d { display: flex; gap: 24px; max-width: 1128px; margin: 24px auto; }
 ._2e3f4a { flex: 1; background: #fff; border-radius: 8px; }
 [componentkey^="auto-component-"] { border-bottom: 1px solid #e8e8e8; padding: 12px 16px; }
 [data-display-contents="true"] { display: contents; }
 ._51bb6b94 { display: flex; gap: 12px; align-items: center; }
 ._9a4c1e77 { flex: 1; }
 ._9a4c1e77 p { margin: 2px 0; }
 ._d0e1f2a3 { color: inherit; text-decoration: none; }
 ._e51a0b9c { display: flex; gap: 8px; align-items: center; }
 img { width: 72px; height: 72px; border-radius: 50%; background: #ccc; }
 aside { width: 300px; background: #fff; border-radius: 8px; padding: 12px; align-self: flex-start; }
`
	var b strings.Builder
	b.WriteString(head("Connections | LinkedIn", css))
	b.WriteString(`<body>
<nav class="_1f3e5d" aria-label="Primary Navigation">
 <a href="https://www.linkedin.com/feed/">Home</a>
 <a href="https://www.linkedin.com/mynetwork/">My Network</a>
 <a href="https://www.linkedin.com/in/casey-curator/" data-view-name="navigation-settings"><img alt="Casey Curator" src="` + gif + `"><span>Me</span></a>
</nav>
<main id="workspace" aria-label="Main content">
 <div class="_6b7c8d">
  <div class="_2e3f4a">
   <div componentkey="ConnectionsPage_ConnectionsListHeader"><p class="_6f0a1b2c">1,217 connections</p></div>
   <div componentkey="ConnectionsPage_ConnectionsList"><div data-component-type="LazyColumn" data-testid="lazy-column" class="_8c9d0e1f"></div></div>
  </div>
` + pymk + ` </div>
</main>
`)
	b.WriteString(pageData("2025", initial2025))
	b.WriteString("<script>\n" + pageScriptCommon + script2025 + "</script>\n</body>\n</html>\n")
	return []byte(b.String())
}

// pageScriptCommon is the part of every page's script that reads the
// variant from the query string, holds the UI texts per language, and
// keeps dates relative to today.
const pageScriptCommon = `// A stand-in for LinkedIn's own scripts, written by e2e/pages_test.go.
// Variants by query string: lang=fr|de|es|pt|it|nl, menu=dialog, virtual=1, rerender=1.
var page = (function () {
  var query = new URLSearchParams(location.search);
  var texts = {
    en: { locale: 'en-US', removeItem: 'Remove connection', remove: 'Remove', cancel: 'Cancel', dismiss: 'Dismiss', connectedOn: 'Connected on %s', count: '%s connections', question: 'Are you sure you want to remove %s as a connection? %s won’t be notified by LinkedIn.' },
    fr: { locale: 'fr-FR', removeItem: 'Retirer la relation', remove: 'Retirer', cancel: 'Annuler', dismiss: 'Fermer', connectedOn: 'Relation depuis le %s', count: '%s relations', question: 'Voulez-vous vraiment retirer %s de vos relations ? %s ne sera pas averti(e) par LinkedIn.' },
    de: { locale: 'de-DE', removeItem: 'Kontakt entfernen', remove: 'Entfernen', cancel: 'Abbrechen', dismiss: 'Schließen', connectedOn: 'Verbunden am %s', count: '%s Kontakte', question: 'Möchten Sie %s wirklich als Kontakt entfernen? %s wird von LinkedIn nicht benachrichtigt.' },
    es: { locale: 'es-ES', removeItem: 'Eliminar contacto', remove: 'Eliminar', cancel: 'Cancelar', dismiss: 'Cerrar', connectedOn: 'Conectado el %s', count: '%s contactos', question: '¿Seguro que quieres eliminar a %s de tus contactos? LinkedIn no se lo notificará a %s.' },
    pt: { locale: 'pt-BR', removeItem: 'Remover conexão', remove: 'Remover', cancel: 'Cancelar', dismiss: 'Fechar', connectedOn: 'Conectado em %s', count: '%s conexões', question: 'Tem certeza de que deseja remover %s das suas conexões? %s não será notificado(a) pelo LinkedIn.' },
    it: { locale: 'it-IT', removeItem: 'Rimuovi collegamento', remove: 'Rimuovi', cancel: 'Annulla', dismiss: 'Chiudi', connectedOn: 'Collegato il %s', count: '%s collegamenti', question: 'Vuoi davvero rimuovere %s dai tuoi collegamenti? %s non riceverà una notifica da LinkedIn.' },
    nl: { locale: 'nl-NL', removeItem: 'Connectie verwijderen', remove: 'Verwijderen', cancel: 'Annuleren', dismiss: 'Sluiten', connectedOn: 'Connectie sinds %s', count: '%s connecties', question: 'Weet u zeker dat u %s als connectie wilt verwijderen? %s krijgt hiervan geen melding van LinkedIn.' },
  };
  var lang = Object.prototype.hasOwnProperty.call(texts, query.get('lang')) ? query.get('lang') : 'en';
  var config = JSON.parse(document.getElementById('page-config').textContent);
  var people = JSON.parse(document.getElementById('people').textContent);
  var more = document.getElementById('more-cards');
  var DAY = 86400000;
  var now = new Date();
  var shift = Math.round((Date.UTC(now.getFullYear(), now.getMonth(), now.getDate()) - Date.parse(config.asOf + 'T00:00:00Z')) / DAY);
  if (lang !== 'en') document.documentElement.lang = lang;
  return {
    lang: lang,
    text: texts[lang],
    people: people,
    // pristine(cards) keeps each person's card as the server sent it (the
    // first ones in the list, the rest in <template id="more-cards">), by
    // the person's index, before anything changes them.
    pristine: function (selector) {
      var out = [];
      var all = [].slice.call(document.querySelectorAll(selector)).concat(more ? [].slice.call(more.content.children) : []);
      all.forEach(function (c) { out[this.personOf(c.querySelector('a[href*="/in/"]').getAttribute('href'))] = c.cloneNode(true); }, this);
      return out;
    },
    initial: config.initial,
    menuIsDialog: query.get('menu') === 'dialog',
    virtual: query.get('virtual') === '1' || config.shape === '2025',
    rerender: query.get('rerender') === '1',
    // connectedOn is the card's date line, moved by the days since the
    // page was written, in the page's language.
    connectedOn: function (iso) {
      var d = new Date(Date.parse(iso + 'T00:00:00Z') + shift * DAY);
      return texts[lang].connectedOn.replace('%s', d.toLocaleDateString(texts[lang].locale, { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' }));
    },
    question: function (name) { return texts[lang].question.split('%s').join(name); },
    // personOf finds the person a profile href points at.
    personOf: function (href) {
      for (var i = 0; i < people.length; i++) {
        if (href && href.indexOf('/in/' + people[i].path + '/') >= 0) return i;
      }
      return -1;
    },
    // setCount moves the page's connection count by delta.
    setCount: function (el, delta) {
      var n = parseInt(el.textContent.replace(/[^0-9]/g, ''), 10) + delta;
      el.textContent = texts[lang].count.replace('%s', n.toLocaleString(texts[lang].locale));
    },
    // virtualize drops the rows above the last keep, as a virtualized list does.
    virtualize: function (rows, keep) {
      for (var i = 0; i < rows.length - keep; i++) rows[i].remove();
    },
    el: function (tag, attrs, text) {
      var e = document.createElement(tag);
      for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
      if (text != null) e.textContent = text;
      return e;
    },
  };
})();
`

const classicScript = `(function () {
  // Ember-era behaviour: a dropdown per card, a modal in #artdeco-modal-outlet,
  // "Show more results" (or, with virtual=1, infinite scroll over a virtualized list).
  var list = document.querySelector('.mn-connection-cards');
  var outlet = document.getElementById('artdeco-modal-outlet');
  var heading = document.querySelector('.mn-connections__header h1');
  var moreButton = document.querySelector('.scaffold-finite-scroll__load-button');
  var t = page.text;
  var next = page.initial, pending = null;
  var pristine = page.pristine('.mn-connection-card');
  function indexOf(card) { return page.personOf(card.querySelector('a[href*="/in/"]').getAttribute('href')); }
  function fresh(i) { return hydrate(pristine[i].cloneNode(true)); }
  function hydrate(card) {
    var p = page.people[indexOf(card)];
    if (page.lang !== 'en') {
      card.querySelector('time').textContent = page.connectedOn(p.date);
      var item = card.querySelector('[data-control-name="remove_connection"]');
      item.setAttribute('aria-label', t.removeItem + ' – ' + p.name);
      item.querySelector('span').textContent = t.removeItem;
    }
    if (page.menuIsDialog) card.querySelector('.artdeco-dropdown__content').setAttribute('role', 'dialog');
    return card;
  }
  function closeDropdowns() {
    document.querySelectorAll('.artdeco-dropdown__content').forEach(function (c) { c.hidden = true; });
    document.querySelectorAll('.mn-connection-card__dropdown-trigger').forEach(function (b) { b.setAttribute('aria-expanded', 'false'); });
  }
  function closeModal() { pending = null; outlet.textContent = ''; }
  function openModal(card) {
    pending = card;
    var name = card.querySelector('.mn-connection-card__name').textContent;
    outlet.textContent = '';
    var overlay = page.el('div', { class: 'artdeco-modal-overlay' });
    var modal = page.el('div', { role: 'dialog', 'aria-labelledby': 'remove-connection-header', class: 'artdeco-modal' });
    modal.append(page.el('button', { type: 'button', 'aria-label': t.dismiss, class: 'artdeco-modal__dismiss artdeco-button' }, '✕'));
    modal.append(page.el('h2', { id: 'remove-connection-header' }, t.removeItem));
    modal.append(page.el('p', {}, page.question(name)));
    var bar = page.el('div', { class: 'artdeco-modal__actionbar' });
    bar.append(page.el('button', { type: 'button', class: 'artdeco-button artdeco-button--secondary' }, t.cancel), ' ',
      page.el('button', { type: 'button', class: 'artdeco-button artdeco-button--primary' }, t.remove));
    modal.append(bar);
    overlay.append(modal);
    outlet.append(overlay);
  }
  function loadMore() {
    for (var i = 0; i < 10 && next < page.people.length; i++) list.append(fresh(next++));
    if (page.virtual) page.virtualize(list.querySelectorAll('.mn-connection-card'), 25);
    if (next >= page.people.length && moreButton) { moreButton.remove(); moreButton = null; }
  }
  document.addEventListener('click', function (e) {
    var trigger = e.target.closest('.mn-connection-card__dropdown-trigger');
    if (trigger) {
      var content = trigger.parentElement.querySelector('.artdeco-dropdown__content');
      var open = content.hidden;
      closeDropdowns();
      content.hidden = !open;
      trigger.setAttribute('aria-expanded', String(open));
      return;
    }
    var item = e.target.closest('[data-control-name="remove_connection"]');
    if (item) { closeDropdowns(); openModal(item.closest('.mn-connection-card')); return; }
    if (e.target.closest('#artdeco-modal-outlet .artdeco-button--primary')) {
      if (pending) { pending.remove(); page.setCount(heading, -1); }
      closeModal();
      return;
    }
    if (e.target.closest('#artdeco-modal-outlet .artdeco-button--secondary, #artdeco-modal-outlet .artdeco-modal__dismiss')) { closeModal(); return; }
    if (e.target.closest('.scaffold-finite-scroll__load-button')) { loadMore(); return; }
    if (!e.target.closest('.artdeco-dropdown')) closeDropdowns();
  });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') { closeDropdowns(); if (pending) closeModal(); }
  });
  list.querySelectorAll('.mn-connection-card').forEach(hydrate);
  if (page.lang !== 'en') heading.textContent = t.count.replace('%s', (1217).toLocaleString(t.locale));
  if (page.virtual) {
    if (moreButton) { moreButton.remove(); moreButton = null; }
    window.addEventListener('scroll', function () {
      if (window.innerHeight + window.scrollY >= document.body.scrollHeight - 200) loadMore();
    });
  }
  if (page.rerender) {
    // Re-render: the first card is replaced by a fresh node of the same person.
    setInterval(function () {
      var card = list.querySelector('.mn-connection-card');
      if (card) card.replaceWith(fresh(indexOf(card)));
    }, 700);
  }
})();
`

const sduiScript = `(function () {
  // Server-driven behaviour: a portal menu at the end of <body>, a native
  // <dialog> confirmation, "Load more" (or, with virtual=1, infinite scroll
  // over a virtualized list).
  var column = document.querySelector('[data-testid="lazy-column"]');
  var heading = document.querySelector('[componentkey="ConnectionsPage_ConnectionsListHeader"] p');
  var moreButton = document.querySelector('[data-view-name="connections-load-more"]');
  var t = page.text;
  var next = page.initial, menu = null, menuCard = null, pending = null, dialog = null;
  var CARD = '[componentkey^="ConnectionCard_"]';
  var pristine = page.pristine(CARD);
  function indexOf(card) { return page.personOf(card.querySelector('a[href*="/in/"]').getAttribute('href')); }
  function fresh(i) { return hydrate(pristine[i].cloneNode(true)); }
  function hydrate(card) {
    var p = page.people[indexOf(card)];
    var lines = card.querySelectorAll('._9a4c1e77 > p');
    lines[lines.length - 1].textContent = page.connectedOn(p.date);
    return card;
  }
  function closeMenu() {
    if (menu) { menu.remove(); menu = null; menuCard = null; }
    document.querySelectorAll('[data-view-name="connections-overflow-menu"]').forEach(function (b) { b.setAttribute('aria-expanded', 'false'); });
  }
  function closeDialog() {
    pending = null;
    if (dialog) { var d = dialog; dialog = null; d.close(); d.remove(); }
  }
  function openDialog(card) {
    pending = card;
    var name = card.querySelector('._9a4c1e77 a').textContent;
    dialog = page.el('dialog', { class: '_d1e2f3a4', 'aria-labelledby': 'remove-dialog-title' });
    dialog.append(page.el('h2', { id: 'remove-dialog-title' }, t.removeItem), page.el('p', {}, page.question(name)));
    var buttons = page.el('div', { class: '_a0b1c2' });
    buttons.append(page.el('button', { type: 'button', class: '_b1c2d3e4' }, t.cancel), ' ', page.el('button', { type: 'button', class: '_f1a2b3c4' }, t.removeItem));
    dialog.append(buttons);
    // Escape closes a modal <dialog> without a click.
    dialog.addEventListener('close', function () { if (this === dialog) closeDialog(); });
    document.body.append(dialog);
    dialog.showModal();
  }
  function loadMore() {
    for (var i = 0; i < 10 && next < page.people.length; i++) column.append(fresh(next++));
    if (page.virtual) page.virtualize(column.querySelectorAll(CARD), 25);
    if (next >= page.people.length && moreButton) { moreButton.remove(); moreButton = null; }
  }
  document.addEventListener('click', function (e) {
    var trigger = e.target.closest('[data-view-name="connections-overflow-menu"]');
    if (trigger) {
      var card = trigger.closest(CARD);
      var again = menu && menuCard === card;
      closeMenu();
      if (again) return;
      menuCard = card;
      menu = page.el('div', { role: page.menuIsDialog ? 'dialog' : 'menu', class: '_a9b8c7d6' });
      var r = trigger.getBoundingClientRect();
      menu.style.cssText = 'position:absolute;background:#fff;box-shadow:0 4px 12px rgba(0,0,0,.2);padding:8px 0;z-index:20;width:220px;top:' + (r.bottom + window.scrollY) + 'px;left:' + (r.right + window.scrollX - 220) + 'px';
      var item = page.el('div', { role: 'menuitem', tabindex: '0', class: '_c1d2e3f4', 'data-view-name': 'connections-remove' });
      item.append(page.el('p', { class: '_6f0a1b2c' }, t.removeItem));
      menu.append(item);
      document.body.append(menu);
      trigger.setAttribute('aria-expanded', 'true');
      return;
    }
    if (menu && e.target.closest('[role="menuitem"]') && menu.contains(e.target)) {
      var target = menuCard;
      closeMenu();
      openDialog(target);
      return;
    }
    if (dialog && dialog.contains(e.target) && e.target.closest('button')) {
      var confirm = e.target.closest('button') === dialog.querySelector('button:last-of-type');
      if (confirm && pending) { pending.remove(); page.setCount(heading, -1); }
      closeDialog();
      return;
    }
    if (e.target.closest('[data-view-name="connections-load-more"]')) { loadMore(); return; }
    if (menu && !menu.contains(e.target)) closeMenu();
  });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') { closeMenu(); if (dialog) closeDialog(); }
  });
  column.querySelectorAll(CARD).forEach(hydrate);
  if (page.lang !== 'en') heading.textContent = t.count.replace('%s', (1217).toLocaleString(t.locale));
  if (page.virtual) {
    if (moreButton) { moreButton.remove(); moreButton = null; }
    window.addEventListener('scroll', function () {
      if (window.innerHeight + window.scrollY >= document.body.scrollHeight - 200) loadMore();
    });
  }
  if (page.rerender) {
    // React-style re-render: the first card is replaced by a fresh node of the same person.
    setInterval(function () {
      var card = column.querySelector(CARD);
      if (card) card.replaceWith(fresh(indexOf(card)));
    }, 700);
  }
})();
`

const script2025 = `(function () {
  // The 2025 page: every card built by script (an HTML parser would split its
  // nested links), infinite scroll in main#workspace over a virtualized list, a
  // popover menu, and a confirmation that is a plain overlay with no dialog role.
  var column = document.querySelector('[data-testid="lazy-column"]');
  var heading = document.querySelector('[componentkey="ConnectionsPage_ConnectionsListHeader"] p');
  var main = document.getElementById('workspace');
  var t = page.text, el = page.el;
  var next = 0, menu = null, menuRow = null, overlay = null, pending = null;
  var ROW = '[data-view-name="connections-list"]';
  function row(i) {
    var p = page.people[i];
    var href = 'https://www.linkedin.com/in/' + p.path + '/';
    var wrap = el('div', { 'data-view-name': 'connections-list', 'data-display-contents': 'true' });
    var comp = el('div', { componentkey: 'auto-component-' + p.key, class: '_0c2d7e1f' });
    var line = el('div', { class: '_51bb6b94' });
    var photo = el('a', { 'data-view-name': 'connections-profile', href: href, tabindex: '-1', 'aria-hidden': 'true', class: '_7e0c5d3b' });
    photo.append(el('img', { src: 'data:image/gif;base64,R0lGODlhAQABAIAAAMzMzP///yH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', alt: p.name + '’s profile picture', class: '_3bd1f0c2' }));
    var details = el('div', { class: '_9a4c1e77' });
    var link = el('a', { 'data-view-name': 'connections-profile', href: href, class: '_d0e1f2a3' });
    var box = el('div', { class: '_e4f5a6b7' });
    var nameLine = el('p', { class: 'df958442' });
    nameLine.append(el('a', { href: href, class: '_b41f0a2d' }, p.name));
    box.append(nameLine);
    if (p.headline) box.append(el('p', { class: '_6f0a1b2c _8d9e0f1a' }, p.headline));
    link.append(box);
    details.append(link, el('p', { class: '_6f0a1b2c _4c1d2e3f' }, page.connectedOn(p.date)));
    var actions = el('div', { class: '_e51a0b9c' });
    var message = el('a', { href: 'https://www.linkedin.com/messaging/compose/?recipient=' + p.path, class: '_0f9e8d7c', 'data-view-name': 'connections-message-button' });
    message.append(el('span', {}, 'Message'));
    var more = el('button', { type: 'button', 'aria-label': 'Show more actions', 'aria-expanded': 'false', class: '_5d6e7f80', 'data-view-name': 'connections-remove-connection-dropdown' });
    more.append(el('span', { 'aria-hidden': 'true' }, '…'));
    actions.append(message, more);
    line.append(photo, details, actions);
    comp.append(line);
    wrap.append(comp);
    wrap.dataset.index = String(i);
    return wrap;
  }
  function loadMore(n) {
    for (var i = 0; i < n && next < page.people.length; i++) column.append(row(next++));
    page.virtualize(column.querySelectorAll(ROW), 25);
  }
  function closeMenu() {
    if (menu) { menu.remove(); menu = null; menuRow = null; }
    document.querySelectorAll('[aria-expanded="true"]').forEach(function (b) { b.setAttribute('aria-expanded', 'false'); });
  }
  function closeOverlay() { if (overlay) { overlay.remove(); overlay = null; } pending = null; }
  function openOverlay(r) {
    pending = r;
    var name = page.people[Number(r.dataset.index)].name;
    overlay = el('div', { class: '_f0e1d2c3' });
    overlay.style.cssText = 'position:fixed;inset:0;background:rgba(0,0,0,.6);display:flex;align-items:flex-start;justify-content:center;padding-top:80px;z-index:30';
    var box = el('div', { class: '_b0c1d2e3' });
    box.style.cssText = 'background:#fff;border-radius:8px;padding:16px;width:480px';
    box.append(el('h2', {}, t.removeItem), el('p', {}, page.question(name)));
    var buttons = el('div', {});
    buttons.append(el('button', { type: 'button', class: '_b1c2d3e4', 'data-view-name': 'connections-remove-cancel' }, t.cancel), ' ',
      el('button', { type: 'button', class: '_f1a2b3c4', 'data-view-name': 'connections-remove' }, t.remove));
    box.append(buttons);
    overlay.append(box);
    document.body.append(overlay);
  }
  document.addEventListener('click', function (e) {
    var trigger = e.target.closest('[data-view-name="connections-remove-connection-dropdown"]');
    if (trigger) {
      var r = trigger.closest(ROW);
      var again = menu && menuRow === r;
      closeMenu();
      if (again) return;
      menuRow = r;
      var attrs = { class: '_a9b8c7d6' };
      if (page.menuIsDialog) attrs.role = 'dialog';
      menu = el('div', attrs);
      var rect = trigger.getBoundingClientRect();
      menu.style.cssText = 'position:fixed;background:#fff;box-shadow:0 4px 12px rgba(0,0,0,.2);padding:8px 0;z-index:20;width:220px;top:' + rect.bottom + 'px;left:' + (rect.right - 220) + 'px';
      var item = el('div', { role: 'button', tabindex: '0', class: '_c1d2e3f4' });
      item.append(el('p', { class: '_6f0a1b2c' }, t.removeItem));
      menu.append(item);
      document.body.append(menu);
      trigger.setAttribute('aria-expanded', 'true');
      return;
    }
    if (menu && menu.contains(e.target) && e.target.closest('[role="button"]')) {
      var target = menuRow;
      closeMenu();
      openOverlay(target);
      return;
    }
    if (overlay && e.target.closest('[data-view-name="connections-remove"]')) {
      if (pending) { pending.remove(); page.setCount(heading, -1); }
      closeOverlay();
      return;
    }
    if (overlay && (e.target.closest('[data-view-name="connections-remove-cancel"]') || e.target === overlay)) { closeOverlay(); return; }
    if (menu && !menu.contains(e.target)) closeMenu();
  });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') { closeMenu(); closeOverlay(); }
  });
  main.addEventListener('scroll', function () {
    if (next < page.people.length && main.scrollTop + main.clientHeight >= main.scrollHeight - 200) loadMore(10);
  });
  if (page.lang !== 'en') heading.textContent = t.count.replace('%s', (1217).toLocaleString(t.locale));
  if (page.rerender) {
    // React-style re-render: the first row is rebuilt from the page's own data.
    setInterval(function () {
      var r = column.querySelector(ROW);
      if (r) r.replaceWith(row(Number(r.dataset.index)));
    }, 700);
  }
  loadMore(page.initial);
})();
`
