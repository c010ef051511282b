'use strict';
// Badges: one host per card, a closed shadow root, text only (an
// HTML-looking name stays text), nothing personal in the light DOM, updates
// in place. The composer's frame is test/composer.test.js.
const test = require('node:test');
const assert = require('node:assert/strict');
const { load, fixture, readJSON } = require('./helpers.js');

const FILES = ['lib/slug.js', 'lib/protocol.js', 'content/page-reader.js', 'content/daemon-port.js', 'content/badges.js', 'content/note-composer.js'];
const annotation = readJSON('protocol/testdata/replies/annotation.json').annotation;

function setup(name = 'sdui.html', reply) {
  const sent = [];
  const chrome = {
    runtime: {
      id: 'test',
      sendMessage: async (m) => (sent.push(m), reply ? reply(m) : { pending: true, note_id: 'n-1' }),
      connect: () => ({ onMessage: { addListener() {} }, onDisconnect: { addListener() {} }, disconnect() {} }),
    },
  };
  const env = load(fixture(name), { files: FILES, chrome });
  const { tactful, doc } = env;
  const views = tactful.reader.findCards(doc).map((c) => tactful.badges.attach(c.card, c.slug, tactful.reader.readCard(c.card, c.slug)));
  return { ...env, views, sent, view: (slug) => views.find((v) => v.slug === slug) };
}

test('every card gets one closed host with no personal data outside it', () => {
  for (const name of ['classic.html', 'sdui.html']) {
    const { doc, views, tactful } = setup(name);
    const hosts = doc.querySelectorAll('[data-tactful="card"]');
    assert.equal(hosts.length, views.length);
    for (const h of hosts) {
      assert.equal(h.shadowRoot, null, 'closed: the page cannot reach in');
      assert.equal(h.childNodes.length, 0, 'no light DOM');
      // Nothing but our marker and, until the daemon answers, aria-busy.
      assert.deepEqual([...h.attributes].map((a) => `${a.name}=${a.value}`), ['data-tactful=card', 'aria-busy=true']);
    }
    // Attaching again (a second pass of the reader) adds nothing.
    for (const c of tactful.reader.findCards(doc)) tactful.badges.attach(c.card, c.slug);
    assert.equal(doc.querySelectorAll('[data-tactful="card"]').length, views.length);
    // Not in the nav, not in the suggestions.
    assert.equal(doc.querySelectorAll('nav [data-tactful], header [data-tactful], aside [data-tactful]').length, 0);
  }
});

test('an annotation draws kind-coloured badges with label, detail and Add note', () => {
  const { tactful, view } = setup();
  tactful.badges.setAnnotation(annotation);
  const v = view('ada-lovelace-1815');
  const badges = [...v.root.querySelectorAll('[data-role="badge"]')];
  assert.deepEqual(badges.map((b) => b.getAttribute('data-kind')), ['recent', 'status', 'tag', 'note']);
  assert.equal(badges[3].textContent, '1 note');
  assert.equal(badges[3].getAttribute('aria-label'), '1 note: Latest: Met at the Analytical Engine meetup. Posts rarely now.');
  assert.equal(badges[3].tabIndex, 0);
  const tips = v.root.querySelectorAll('[data-role="tooltip"]');
  assert.equal(tips[0].textContent, 'Connected about 2 weeks ago (around 15 Nov 2026).');
  const add = v.root.querySelectorAll('[data-role="add-note"]');
  assert.equal(add.length, 1);
  assert.equal(add[0].tagName, 'BUTTON');
  assert.equal(add[0].textContent, 'Add note');
  // A push updates in place: same host, new badges.
  const host = v.host;
  tactful.badges.setAnnotation({ ...annotation, badges: [{ kind: 'cooldown', label: 'Cooling down', detail: 'Until 13 Dec.' }] });
  assert.equal(view('ada-lovelace-1815').host, host);
  assert.deepEqual([...v.root.querySelectorAll('[data-role="badge"]')].map((b) => b.textContent), ['Cooling down']);
});

test('HTML from the page or the daemon stays text', () => {
  const { tactful, view, doc } = setup();
  const evil = '<img src=x onerror=alert(1)>';
  tactful.badges.setAnnotation({ slug: 'renee-xss-test', name: 'Renée ' + evil, tags: [], note_count: 0, badges: [{ kind: 'tag', label: evil, detail: '<b>bold</b>' }] });
  const v = view('renee-xss-test');
  assert.equal(v.root.querySelectorAll('img, b').length, 0);
  assert.equal(v.root.querySelector('[data-role="badge"]').textContent, evil);
  assert.equal(doc.querySelectorAll('[data-tactful] img').length, 0);
});

test('a card dropped and re-added gets its badge back, never two', () => {
  const { tactful, doc, view } = setup();
  tactful.badges.setAnnotation(annotation);
  const card = view('ada-lovelace-1815').card;
  const parent = card.parentElement;
  card.remove();
  parent.prepend(card);
  tactful.badges.attach(card, 'ada-lovelace-1815');
  assert.equal(card.querySelectorAll('[data-tactful="card"]').length, 1);
  // A fresh node for the same person (a re-render) gets its own host with
  // the badges already known.
  const fresh = card.cloneNode(true);
  fresh.querySelector('[data-tactful]').remove();
  card.replaceWith(fresh);
  const v2 = tactful.badges.attach(fresh, 'ada-lovelace-1815');
  assert.equal(doc.querySelectorAll('[data-tactful="card"]').length, 10);
  assert.equal(v2.root.querySelectorAll('[data-role="badge"]').length, 4);
});

test('a card kept out of the document while an update came shows it when back', () => {
  const { tactful, view } = setup();
  const v = view('ada-lovelace-1815');
  const card = v.card;
  const parent = card.parentElement;
  card.remove();
  tactful.badges.setAnnotation(annotation);
  parent.prepend(card);
  assert.equal(v.root.querySelectorAll('[data-role="badge"]').length, 4);
});
