'use strict';
// The page reader against both real fixtures: every connection card found
// once, the nav's "Me" link and "People you may know" never; names,
// headlines and "Connected ..." texts as the page shows them, hidden text
// skipped; cards added later, re-rendered or recycled found again.
const test = require('node:test');
const assert = require('node:assert/strict');
const { load, fixture } = require('./helpers.js');

const READER = ['lib/slug.js', 'lib/protocol.js', 'content/page-reader.js'];
// Values made in jsdom's realm, brought into this one for deepEqual.
const plain = (v) => JSON.parse(JSON.stringify(v));

const FIRST_PAGE = [
  'ada-lovelace-1815', 'grace-hopper-1906', 'josé-garcía-núñez-4b1a2c3', 'siobhan-oconnor', 'zoe-angstrom-77',
  'renee-xss-test', 'linustorvalds', 'margaret-hamilton-apollo', 'alan-turing', 'katherine-johnson-nasa',
];
const CLASSIC_MORE = ['edsger-w-dijkstra', 'barbara-liskov', 'don-knuth-taocp', 'fran-allen-ibm', 'ken-thompson-unix', 'radia-perlman', 'dmr-bell-labs', 'hedy-lamarr-fhss', 'timbl', 'sophie-wilson-arm'];
const NOT_CONNECTIONS = ['casey-curator', 'pat-suggested-123', 'robin-maybe-you-know'];

function read(name) {
  const env = load(fixture(name), { files: READER });
  const cards = env.tactful.reader.findCards(env.doc);
  return { ...env, cards, rows: plain(cards.map((c) => env.tactful.reader.readCard(c.card, c.slug))) };
}

test('classic page: exactly the connection cards, each once', () => {
  const { cards } = read('classic.html');
  const slugs = plain(cards.map((c) => c.slug));
  assert.deepEqual(slugs, FIRST_PAGE.concat(CLASSIC_MORE));
  assert.equal(new Set(cards.map((c) => c.card)).size, cards.length);
  for (const c of cards) assert.equal(c.card.tagName, 'LI');
  for (const s of NOT_CONNECTIONS) assert.ok(!slugs.includes(s), s);
});

test('server-driven page: one card per person although it links twice', () => {
  const { cards } = read('sdui.html');
  assert.deepEqual(plain(cards.map((c) => c.slug)), FIRST_PAGE);
  for (const c of cards) {
    assert.match(c.card.getAttribute('componentkey'), /^ConnectionCard_/);
    assert.equal(c.card.querySelectorAll('a[href*="/in/"]').length, 2);
  }
});

test('names, headlines and connected texts as shown, hidden text skipped', () => {
  for (const name of ['classic.html', 'sdui.html']) {
    const { rows } = read(name);
    const by = Object.fromEntries(rows.map((r) => [r.slug, r]));
    assert.equal(by['ada-lovelace-1815'].name, 'Ada Lovelace');
    assert.equal(by['ada-lovelace-1815'].headline, 'Analytical Engine programmer at Babbage & Co');
    assert.equal(by['josé-garcía-núñez-4b1a2c3'].name, 'José García-Núñez');
    assert.equal(by['siobhan-oconnor'].name, 'Siobhán O\'Connor');
    // HTML-looking text is text.
    assert.equal(by['renee-xss-test'].name, 'Renée <img src=x onerror=alert(1)>');
    assert.equal(by['renee-xss-test'].headline, 'Growth hacker "10x" <b>ninja</b>');
    // No headline: none invented, and never the hidden "Member’s occupation".
    assert.equal(by.linustorvalds.headline, undefined);
    for (const r of rows) {
      assert.doesNotMatch(JSON.stringify(r), /Member.s occupation/);
      assert.match(r.connected_text, /^Connected /, r.slug);
    }
  }
  const classic = Object.fromEntries(read('classic.html').rows.map((r) => [r.slug, r]));
  assert.equal(classic['ada-lovelace-1815'].connected_text, 'Connected 53 minutes ago');
  assert.equal(classic.linustorvalds.connected_text, 'Connected 9 years ago');
  const sdui = Object.fromEntries(read('sdui.html').rows.map((r) => [r.slug, r]));
  assert.equal(sdui['ada-lovelace-1815'].connected_text, 'Connected on November 26, 2026');
  assert.equal(sdui.linustorvalds.connected_text, 'Connected on January 2, 2017');
});

test('visually hidden text is skipped by class, even without the known label', () => {
  const { doc, tactful } = load(`<!doctype html><html lang="de-DE"><body><main><ul>
    <li><a href="/in/max-muster/"><span>Max Muster</span><span class="sr-only">Beruf des Mitglieds</span><span>Ingenieur bei Beispiel GmbH</span></a>
    <span>29. Juni 2024</span></li>
    <li><a href="/in/erika-muster/"><span>Erika Muster</span></a><span>Verbunden am 3. März 2020</span></li>
    <li><a href="/in/car-person/"><span>Car Person</span></a><p>Connected Cars engineer at BMW</p><p>Connected on May 1, 2024</p></li>
  </ul></main></body></html>`, { files: READER });
  const rows = plain(tactful.reader.findCards(doc).map((c) => tactful.reader.readCard(c.card, c.slug)));
  assert.deepEqual(rows, [
    { slug: 'max-muster', name: 'Max Muster', headline: 'Ingenieur bei Beispiel GmbH', connected_text: '29. Juni 2024' },
    { slug: 'erika-muster', name: 'Erika Muster', connected_text: 'Verbunden am 3. März 2020' },
    { slug: 'car-person', name: 'Car Person', headline: 'Connected Cars engineer at BMW', connected_text: 'Connected on May 1, 2024' },
  ]);
  assert.equal(tactful.reader.pageLocale(doc), 'de-DE');
});

test('the watcher reports cards loaded later, re-rendered and recycled', async (t) => {
  const { win, doc, tactful } = load(fixture('sdui.html'), { files: READER, runScripts: 'dangerously' });
  const batches = [];
  const w = tactful.reader.watch(doc, (found) => {
    batches.push(plain(found.map((f) => f.slug)));
    // Stand in for badges.js: mark each reported card as drawn.
    for (const f of found) {
      if (f.card.querySelector('[data-tactful="card"]')) continue;
      const host = doc.createElement('div');
      host.setAttribute('data-tactful', 'card');
      f.card.append(host);
    }
  });
  const tick = () => new Promise((r) => setTimeout(r, 40));
  t.after(() => {
    w.stop();
    win.close();
  });
  assert.deepEqual(batches, [FIRST_PAGE]);

  doc.querySelector('[data-view-name="connections-load-more"]').click();
  await tick();
  assert.equal(batches.length, 2);
  assert.equal(batches[1].length, 10);
  assert.ok(!batches[1].includes('ada-lovelace-1815'));

  // A React-style re-render: a fresh node for Ada, without our element.
  const card = doc.querySelector('[componentkey^="ConnectionCard_0"]');
  const fresh = card.cloneNode(true);
  fresh.querySelector('[data-tactful]').remove();
  card.replaceWith(fresh);
  await tick();
  assert.deepEqual(batches[2], ['ada-lovelace-1815']);

  // A recycled row: the same node now shows someone else.
  const grace = doc.querySelector('[componentkey^="ConnectionCard_1"]');
  for (const a of grace.querySelectorAll('a[href*="/in/"]')) a.setAttribute('href', 'https://www.linkedin.com/in/new-person-42/');
  await tick();
  assert.deepEqual(batches[3], ['new-person-42']);

  // Nothing new: no report.
  doc.body.append(doc.createElement('div'));
  await tick();
  assert.equal(batches.length, 4);
});

test('a lone row that grew into a list is split into its cards', () => {
  const { doc, tactful } = load(fixture('sdui.html'), { files: READER });
  const column = doc.querySelector('[data-testid="lazy-column"]');
  const rows = [...column.children];
  for (const r of rows.slice(1)) r.remove();
  assert.equal(tactful.reader.findCards(doc).length, 1);
  for (const r of rows.slice(1)) column.append(r);
  const cards = tactful.reader.findCards(doc);
  assert.deepEqual(plain(cards.map((c) => c.slug)), FIRST_PAGE);
  for (const c of cards) assert.match(c.card.getAttribute('componentkey'), /^ConnectionCard_/);
});

test('nothing is found in a page without a connections list', () => {
  const { doc, tactful } = load(`<!doctype html><body><nav><a href="/in/me-myself/">Me</a></nav>
    <main><section aria-label="People you may know"><ul><li><a href="/in/some-one/">Some One</a><button>Connect</button></li></ul></section>
    <div><a href="/in/other-person/">Other</a><button aria-label="Invite Other Person to connect">Connect</button></div></main></body>`, { files: READER });
  assert.equal(tactful.reader.findCards(doc).length, 0);
});
