'use strict';
// The removal reminder: rendered from the golden reply into a closed shadow
// root, placed beside the page's dialog, and the outcome read from what the
// user does in the page's own dialog, on both fixtures.
const test = require('node:test');
const assert = require('node:assert/strict');
const { load, fixture, readJSON, contentScripts } = require('./helpers.js');

const golden = readJSON('protocol/testdata/replies/reminder.json');

function fakeChrome(sent) {
  return {
    runtime: {
      id: 'test',
      sendMessage: async (m) => {
        sent.push(m);
        const r = m.request || {};
        if (r.type === 'contacts_seen') return { type: 'annotations', annotations: r.contacts.map((c) => ({ slug: c.slug, name: c.name, tags: [], note_count: 0, badges: [{ kind: 'new', label: 'New', detail: 'First seen today.' }] })) };
        if (r.type === 'removal_intent') return { ...golden, reminder: { ...golden.reminder, slug: r.slug } };
        if (r.type === 'removal_outcome') return { type: 'annotation', annotation: { slug: r.slug, name: '', tags: [], note_count: 0, badges: [] } };
        return { type: 'error', code: 'offline', message: 'down' };
      },
      connect: () => ({ onMessage: { addListener() {} }, onDisconnect: { addListener() {} }, disconnect() {} }),
    },
  };
}

test('the reminder shows every part of the reply, as text', () => {
  const { doc, tactful, win } = load('<!doctype html><body></body>', { files: ['lib/slug.js', 'content/removal-reminder.js'] });
  const writes = [];
  Object.defineProperty(win.navigator, 'clipboard', { value: { writeText: async (t) => writes.push(t) } });
  const r = { ...golden.reminder, name: '<img src=x onerror=alert(1)>' };
  const host = tactful.reminder.render(doc, r, { slug: 'ada-lovelace-1815' });
  doc.body.append(host);
  assert.equal(host.getAttribute('data-tactful'), 'reminder');
  assert.equal(host.shadowRoot, null, 'closed shadow root');
  assert.equal(host.childNodes.length, 0);
  // jsdom lets us in through the closed root only via our own reference;
  // find it the way the DevTools protocol would: render again and keep it.
  const origAttach = win.Element.prototype.attachShadow;
  let root;
  win.Element.prototype.attachShadow = function (o) { return (root = origAttach.call(this, o)); };
  const host2 = tactful.reminder.render(doc, golden.reminder, { slug: 'ada-lovelace-1815' });
  win.Element.prototype.attachShadow = origAttach;
  const text = root.textContent;
  assert.ok(text.includes(golden.reminder.headline));
  assert.equal(root.querySelector('[data-role="timing"] li').getAttribute('data-kind'), 'recent');
  assert.ok(text.includes('Recently connected'));
  assert.ok(text.includes('Unfollow instead'));
  const link = root.querySelector('[data-role="profile-link"]');
  assert.equal(link.getAttribute('href'), 'https://www.linkedin.com/in/ada-lovelace-1815/');
  assert.equal(link.getAttribute('target'), '_blank');
  assert.match(link.getAttribute('rel'), /noopener/);
  assert.equal(root.querySelectorAll('[data-role="options"] li').length, 3);
  assert.ok(text.includes('inactive') && text.includes('Met at the Analytical Engine meetup.'));
  const drafts = root.querySelectorAll('[data-role="draft"]');
  assert.equal(drafts.length, 2);
  assert.equal(root.querySelectorAll('[data-role="copy"]').length, 2);
  assert.equal(root.querySelectorAll('[data-role="facts"] li').length, 2);
  drafts[1].querySelector('[data-role="copy"]').click();
  return new Promise((r) => setTimeout(r, 0)).then(() => {
    assert.deepEqual(writes, [golden.reminder.drafts[1]]);
    assert.equal(host2.ownerDocument, doc);
    // The HTML-looking name in the first render made no element.
    assert.equal(doc.querySelectorAll('img').length, 0);
  });
});

test('a reminder without reasons shows the prompt', () => {
  const { doc, tactful, win } = load('<!doctype html><body></body>', { files: ['lib/slug.js', 'content/removal-reminder.js'] });
  let root;
  const orig = win.Element.prototype.attachShadow;
  win.Element.prototype.attachShadow = function (o) { return (root = orig.call(this, o)); };
  tactful.reminder.render(doc, { ...golden.reminder, reasons: { tags: [], notes: [], prompt: 'Why do you want to remove them?' } }, { slug: 'ada-lovelace-1815' });
  assert.equal(root.querySelector('[data-role="prompt"]').textContent, 'Why do you want to remove them?');
});

test('placed beside the dialog, never over it', () => {
  const { doc, tactful, win } = load('<!doctype html><body></body>', { files: ['lib/slug.js', 'content/removal-reminder.js'] });
  const host = doc.createElement('div');
  const overlaps = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  for (const [vw, vh, rect] of [
    [1280, 800, { left: 400, right: 880, top: 200, bottom: 420 }],
    [1000, 800, { left: 500, right: 980, top: 100, bottom: 300 }],
    [700, 900, { left: 110, right: 590, top: 100, bottom: 300 }],
    [1280, 900, { left: 400, right: 880, top: 343, bottom: 560 }],
    [700, 900, { left: 110, right: 590, top: 500, bottom: 700 }],
  ]) {
    win.innerWidth = vw;
    win.innerHeight = vh;
    tactful.reminder.place(host, rect, win);
    const left = parseFloat(host.style.left);
    const top = parseFloat(host.style.top);
    const box = { left, right: left + parseFloat(host.style.width), top, bottom: top + parseFloat(host.style.maxHeight) };
    assert.ok(!overlaps(box, rect), `${vw}x${vh}: ${JSON.stringify(box)} covers ${JSON.stringify(rect)}`);
    assert.ok(box.left >= 0 && box.top >= 0 && box.right <= vw && box.bottom <= vh, `${vw}x${vh}: ${JSON.stringify(box)} leaves the viewport`);
    assert.equal(host.style.position, 'fixed');
  }
});

for (const name of ['classic.html', 'sdui.html']) {
  const classic = name.includes('classic');
  const sel = classic
    ? { menu: '.mn-connection-card__dropdown-trigger', item: (card) => card.querySelector('[data-control-name="remove_connection"]'), cancel: '#artdeco-modal-outlet .artdeco-button--secondary', confirm: '#artdeco-modal-outlet .artdeco-button--primary', dismiss: '#artdeco-modal-outlet .artdeco-modal__dismiss', dialog: '#artdeco-modal-outlet [role="dialog"]' }
    : { menu: '[data-view-name="connections-overflow-menu"]', item: (_, doc) => doc.querySelector('[role="menu"] [role="menuitem"]'), cancel: 'dialog[open] button:first-of-type', confirm: 'dialog[open] button:last-of-type', dialog: 'dialog[open]' };

  test(`${name}: remove → reminder beside the dialog; cancel → kept; confirm → removed`, async (t) => {
    const sent = [];
    const { doc, win } = load(fixture(name), { runScripts: 'dangerously', chrome: fakeChrome(sent), files: contentScripts() });
    t.after(() => win.close());
    const tick = () => new Promise((r) => setTimeout(r, 20));
    await tick();
    const cards = () => [...doc.querySelectorAll(sel.menu)].map((b) => b.closest('li, [componentkey^="ConnectionCard_"]'));
    const requests = (type) => JSON.parse(JSON.stringify(sent.filter((m) => m.request && m.request.type === type).map((m) => m.request)));

    async function open(i) {
      const card = cards()[i];
      card.querySelector(sel.menu).click();
      sel.item(card, doc).click();
      await tick();
      assert.ok(doc.querySelector(sel.dialog), 'the page shows its confirmation');
    }

    await open(1);
    assert.deepEqual(requests('removal_intent').map((r) => r.slug), ['grace-hopper-1906']);
    const host = doc.querySelector('[data-tactful="reminder"]');
    assert.ok(host, 'reminder shown');
    assert.ok(!doc.querySelector(sel.dialog).contains(host) || !classic, 'not inside the Ember modal');
    doc.querySelector(sel.cancel).click();
    await tick();
    assert.deepEqual(requests('removal_outcome'), [{ type: 'removal_outcome', slug: 'grace-hopper-1906', outcome: 'kept' }]);
    assert.equal(doc.querySelector('[data-tactful="reminder"]'), null, 'gone with the dialog');

    // Escape (or the ✕) is "kept" too.
    await open(2);
    doc.dispatchEvent(new win.KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    // The page closes its confirmation on Escape; where it did not, the ✕.
    if (doc.querySelector(sel.dialog)) doc.querySelector(sel.dismiss || sel.cancel).click();
    await tick();
    assert.equal(requests('removal_outcome')[1].outcome, 'kept');
    assert.equal(requests('removal_outcome')[1].slug, 'josé-garcía-núñez-4b1a2c3');

    await open(0);
    const before = cards().length;
    doc.querySelector(sel.confirm).click();
    await tick();
    assert.equal(cards().length, before - 1, 'the page removed the card itself');
    assert.deepEqual(requests('removal_outcome')[2], { type: 'removal_outcome', slug: 'ada-lovelace-1815', outcome: 'removed' });
    assert.equal(doc.querySelector('[data-tactful="reminder"]'), null);
    assert.equal(requests('removal_outcome').length, 3, 'one outcome per dialog');
  });
}

test('a dialog already open (a chat window) is not taken for the confirmation', async (t) => {
  const sent = [];
  const { doc, win, tactful } = load(fixture('classic.html'), { runScripts: 'dangerously', chrome: fakeChrome(sent), files: contentScripts() });
  t.after(() => win.close());
  const chat = doc.createElement('aside');
  chat.setAttribute('role', 'dialog');
  chat.textContent = 'Messaging: remove this draft?';
  doc.body.append(chat);
  await new Promise((r) => setTimeout(r, 20));
  const card = doc.querySelectorAll('li.mn-connection-card')[3];
  card.querySelector('.mn-connection-card__dropdown-trigger').click();
  card.querySelector('[data-control-name="remove_connection"]').click();
  await new Promise((r) => setTimeout(r, 20));
  const session = tactful.reminder.start(doc).session;
  assert.ok(session, 'a reminder session');
  assert.equal(session.slug, 'siobhan-oconnor');
  assert.equal(session.dialog, doc.querySelector('#artdeco-modal-outlet [role="dialog"]'));
});
