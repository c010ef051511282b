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
  const { doc, tactful, win } = load('<!doctype html><body></body>', { files: ['lib/slug.js', 'lib/protocol.js', 'content/removal-reminder.js'] });
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
  const { doc, tactful, win } = load('<!doctype html><body></body>', { files: ['lib/slug.js', 'lib/protocol.js', 'content/removal-reminder.js'] });
  let root;
  const orig = win.Element.prototype.attachShadow;
  win.Element.prototype.attachShadow = function (o) { return (root = orig.call(this, o)); };
  tactful.reminder.render(doc, { ...golden.reminder, reasons: { tags: [], notes: [], prompt: 'Why do you want to remove them?' } }, { slug: 'ada-lovelace-1815' });
  assert.equal(root.querySelector('[data-role="prompt"]').textContent, 'Why do you want to remove them?');
});

test('placed beside the dialog, never over it', () => {
  const { doc, tactful, win } = load('<!doctype html><body></body>', { files: ['lib/slug.js', 'lib/protocol.js', 'content/removal-reminder.js'] });
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

// The test's hands on each page shape: the page's own controls, found the
// way a test may (the extension finds none of them by these selectors).
const SHAPES = {
  'classic.html': {
    card: 'li.mn-connection-card',
    menu: (card) => card.querySelector('.mn-connection-card__dropdown-trigger'),
    item: (card) => card.querySelector('[data-control-name="remove_connection"]'),
    confirm: (doc) => doc.querySelector('#artdeco-modal-outlet .artdeco-button--primary'),
    cancel: (doc) => doc.querySelector('#artdeco-modal-outlet .artdeco-button--secondary'),
    dismiss: (doc) => doc.querySelector('#artdeco-modal-outlet .artdeco-modal__dismiss'),
    dialog: (doc) => doc.querySelector('#artdeco-modal-outlet [role="dialog"]'),
  },
  'sdui.html': {
    card: '[componentkey^="ConnectionCard_"]',
    menu: (card) => card.querySelector('[data-view-name="connections-overflow-menu"]'),
    item: (_, doc) => doc.querySelector('[role="menuitem"]'),
    confirm: (doc) => doc.querySelector('dialog[open] button:last-of-type'),
    cancel: (doc) => doc.querySelector('dialog[open] button:first-of-type'),
    dialog: (doc) => doc.querySelector('dialog[open]'),
  },
  '2025.html': {
    card: '[componentkey^="auto-component-"]',
    menu: (card) => card.querySelector('button[aria-label="Show more actions"]'),
    item: (_, doc) => doc.querySelector('body > div > [role="button"]'),
    confirm: (doc) => doc.querySelector('[data-view-name="connections-remove"]'),
    cancel: (doc) => doc.querySelector('[data-view-name="connections-remove-cancel"]'),
    dialog: (doc) => {
      const b = doc.querySelector('[data-view-name="connections-remove"]');
      return b ? b.parentElement.parentElement : null;
    },
  },
};

// page opens a shape with its scripts and the content scripts. jsdom makes
// no trusted event, so the reminder's isTrusted is replaced: events the
// test dispatches "as the person" are trusted, a script's .click() is not.
async function page(t, name, query = '') {
  const sent = [];
  const env = load(fixture(name), { runScripts: 'dangerously', chrome: fakeChrome(sent), files: contentScripts(), query });
  const { doc, win, tactful } = env;
  t.after(() => win.close());
  const person = new WeakSet();
  tactful.reminder.isTrusted = (ev) => ev.isTrusted || person.has(ev);
  const sel = SHAPES[name];
  const tick = () => new Promise((r) => setTimeout(r, 20));
  await tick();
  const requests = (type) => JSON.parse(JSON.stringify(sent.filter((m) => m.request && m.request.type === type).map((m) => m.request)));
  const cards = () => [...doc.querySelectorAll(sel.card)];
  const cardOf = (slug) => cards().find((c) => tactful.reader.findCards(doc, c.parentElement).some((f) => f.card === c && f.slug === slug));
  const click = (el) => {
    const ev = new win.MouseEvent('click', { bubbles: true, cancelable: true, composed: true });
    person.add(ev);
    el.dispatchEvent(ev);
  };
  const escape = () => {
    const ev = new win.KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true });
    person.add(ev);
    (doc.activeElement || doc.body).dispatchEvent(ev);
  };
  // until waits for what the page or the extension does next (timers and
  // promises), failing after 5 s.
  async function until(check, what) {
    for (const end = Date.now() + 5000; !check();) {
      if (Date.now() > end) assert.fail('timed out waiting for ' + what);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  async function open(card, how = click) {
    how(sel.menu(card));
    await tick();
    how(sel.item(card, doc));
    await tick();
    assert.ok(sel.dialog(doc), 'the page shows its confirmation');
  }
  return { ...env, sent, sel, tick, until, requests, cards, cardOf, click, escape, open, trust: (ev) => person.add(ev) };
}

const plainReminder = (doc) => doc.querySelector('[data-tactful="reminder"]');

for (const [name, query] of [
  ['classic.html', ''], ['sdui.html', ''], ['2025.html', ''],
  ['classic.html', '?menu=dialog'], ['sdui.html', '?menu=dialog'], ['2025.html', '?menu=dialog'],
  ['classic.html', '?lang=fr'], ['sdui.html', '?lang=de'], ['2025.html', '?lang=es'],
  ['classic.html', '?lang=pt'], ['sdui.html', '?lang=it'], ['2025.html', '?lang=nl'],
]) {
  test(`${name}${query}: the person's removal → reminder at the confirmation; cancel → kept; Escape → kept; confirm → removed once`, async (t) => {
    const p = await page(t, name, query);
    const { doc, sel } = p;

    await p.open(p.cards()[1]);
    await p.until(() => plainReminder(doc), 'the reminder');
    assert.deepEqual(p.requests('removal_intent').map((r) => r.slug), ['grace-hopper-1906']);
    const host = plainReminder(doc);
    assert.ok(!sel.dialog(doc).contains(host) || sel.dialog(doc).tagName === 'DIALOG', 'not inside a non-modal confirmation');
    p.click(sel.cancel(doc));
    assert.equal(sel.dialog(doc), null, 'the page closed its confirmation');
    await p.until(() => p.requests('removal_outcome').length === 1, 'the outcome of a cancel');
    assert.deepEqual(p.requests('removal_outcome'), [{ type: 'removal_outcome', slug: 'grace-hopper-1906', outcome: 'kept' }]);
    assert.equal(plainReminder(doc), null, 'gone with the confirmation');

    // Escape is "kept" too.
    await p.open(p.cards()[2]);
    await p.until(() => plainReminder(doc), 'the second reminder');
    p.escape();
    assert.equal(sel.dialog(doc), null, 'Escape closed the confirmation');
    await p.until(() => p.requests('removal_outcome').length === 2, 'the outcome of Escape');
    assert.equal(p.requests('removal_outcome')[1].outcome, 'kept');
    assert.equal(p.requests('removal_outcome')[1].slug, 'josé-garcía-núñez-4b1a2c3');

    await p.open(p.cards()[0]);
    await p.until(() => plainReminder(doc), 'the third reminder');
    const before = p.cards().length;
    p.click(sel.confirm(doc));
    assert.equal(p.cards().length, before - 1, 'the page removed the card itself');
    await p.until(() => p.requests('removal_outcome').length === 3, 'the outcome of confirming');
    assert.deepEqual(p.requests('removal_outcome')[2], { type: 'removal_outcome', slug: 'ada-lovelace-1815', outcome: 'removed' });
    await p.until(() => !plainReminder(doc), 'the reminder to go');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(p.requests('removal_outcome').length, 3, 'one outcome per confirmation');
    // What the page sent has only the fields of the golden requests: the
    // daemon refuses an unknown field.
    for (const r of [...p.requests('removal_intent'), ...p.requests('removal_outcome')]) {
      const want = readJSON(`protocol/testdata/requests/${r.type}.json`);
      for (const k of Object.keys(r)) assert.ok(k in want, `${r.type}: field ${k} is not in the golden request`);
    }
  });
}

for (const name of Object.keys(SHAPES)) {
  test(`${name}: a page script clicking through menu, item and confirm records nothing`, async (t) => {
    const p = await page(t, name);
    const { doc, sel } = p;
    const card = p.cards()[3];
    const before = p.cards().length;
    await p.open(card, (el) => el.click());
    assert.equal(plainReminder(doc), null, 'no reminder for a script');
    sel.confirm(doc).click();
    assert.equal(p.cards().length, before - 1, 'the page acted on the script');
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(p.requests('removal_intent'), []);
    assert.deepEqual(p.requests('removal_outcome'), []);
  });

  test(`${name}: a script confirming what the person opened records no removal`, async (t) => {
    const p = await page(t, name);
    const { doc, sel } = p;
    await p.open(p.cards()[3]);
    await p.until(() => plainReminder(doc), 'the reminder');
    sel.confirm(doc).click(); // synthetic
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(p.requests('removal_intent').length, 1, 'the intent is all there is');
    assert.deepEqual(p.requests('removal_outcome'), [], 'neither removed nor kept');
  });

  test(`${name}?menu=dialog: the menu is never taken for the confirmation`, async (t) => {
    const p = await page(t, name, '?menu=dialog');
    const { doc, sel, tactful } = p;
    const card = p.cards()[1];
    p.click(sel.menu(card));
    await p.tick();
    const item = sel.item(card, doc);
    assert.equal(item.closest('[role="dialog"]') !== null, true, 'the variant puts the menu in role=dialog');
    assert.equal(plainReminder(doc), null, 'no reminder on the open menu');
    p.click(item);
    await p.until(() => tactful.reminder.start(doc).session, 'a reminder session');
    const session = tactful.reminder.start(doc).session;
    assert.ok(session, 'a reminder session');
    assert.equal(session.dialog.contains(item), false, 'the session is not on the menu');
    assert.ok(session.dialog.contains(sel.confirm(doc)), 'it is on the confirmation');
    p.click(sel.cancel(doc));
    await p.until(() => p.requests('removal_outcome').length === 1, 'the outcome');
    assert.deepEqual(p.requests('removal_outcome').map((r) => r.outcome), ['kept']);
  });
}

test('confirmed but the page keeps the card and the count: nothing recorded', async (t) => {
  // A page whose confirmation closes without removing anything (a failed
  // request, say): a missing outcome is better than a false one.
  const html = `<!doctype html><body><main>
    <p>120 connections</p>
    <ul><li><a href="/in/kept-person/">Kept Person</a><p>Connected on May 1, 2024</p>
      <button type="button" aria-label="More actions">…</button>
      <div role="menu" hidden><div role="menuitem" tabindex="0">Remove connection</div></div></li>
      <li><a href="/in/other-person/">Other Person</a><p>Connected on May 2, 2024</p></li></ul></main>
    <script>
      const menu = document.querySelector('[role=menu]');
      document.addEventListener('click', (e) => {
        if (e.target.closest('[aria-label="More actions"]')) { menu.hidden = false; return; }
        if (e.target.closest('[role=menuitem]')) {
          menu.hidden = true;
          const d = document.createElement('div');
          d.setAttribute('role', 'alertdialog');
          d.innerHTML = '<h2>Remove connection</h2><p>Remove Kept Person?</p><button>Cancel</button><button>Remove</button>';
          document.body.append(d);
          return;
        }
        const b = e.target.closest('[role=alertdialog] button');
        if (b) b.closest('[role=alertdialog]').remove();
      });
    </script></body>`;
  const sent = [];
  const { doc, win, tactful } = load(html, { runScripts: 'dangerously', chrome: fakeChrome(sent), files: contentScripts() });
  t.after(() => win.close());
  const person = new WeakSet();
  tactful.reminder.isTrusted = (ev) => ev.isTrusted || person.has(ev);
  const click = (el) => {
    const ev = new win.MouseEvent('click', { bubbles: true, cancelable: true });
    person.add(ev);
    el.dispatchEvent(ev);
  };
  const tick = () => new Promise((r) => setTimeout(r, 20));
  await tick();
  click(doc.querySelector('[aria-label="More actions"]'));
  click(doc.querySelector('[role=menuitem]'));
  for (const end = Date.now() + 5000; !doc.querySelector('[data-tactful="reminder"]');) {
    if (Date.now() > end) assert.fail('no reminder at the alertdialog');
    await tick();
  }
  click([...doc.querySelectorAll('[role=alertdialog] button')][1]);
  await tick();
  assert.equal(doc.querySelector('[role=alertdialog]'), null);
  await new Promise((r) => setTimeout(r, 200));
  const outcomes = sent.filter((m) => m.request && m.request.type === 'removal_outcome');
  assert.deepEqual(outcomes, [], 'no outcome: the card stayed and the count did not drop');
  assert.equal(tactful.reminder.connectionCount(doc), 120);
});

test('a dialog already open (a chat window) is not taken for the confirmation', async (t) => {
  const p = await page(t, 'classic.html');
  const { doc, tactful } = p;
  const chat = doc.createElement('aside');
  chat.setAttribute('role', 'dialog');
  chat.textContent = 'Messaging: remove this draft?';
  doc.body.append(chat);
  await p.tick();
  await p.open(p.cards()[3]);
  await p.until(() => tactful.reminder.start(doc).session, 'a reminder session');
  const session = tactful.reminder.start(doc).session;
  assert.ok(session, 'a reminder session');
  assert.equal(session.slug, 'siobhan-oconnor');
  assert.equal(session.dialog, doc.querySelector('#artdeco-modal-outlet [role="dialog"]'));
});

test('the connection count is read in every UI language', () => {
  const { doc, tactful } = load('<!doctype html><body><main><h1>x</h1></main></body>', { files: ['lib/slug.js', 'lib/protocol.js', 'content/removal-reminder.js'] });
  const h = doc.querySelector('h1');
  for (const [text, n] of [['1,217 Connections', 1217], ['1\u202f217 relations', 1217], ['1.217 Kontakte', 1217], ['1217 contactos', 1217],
    ['1.217 conexões', 1217], ['1217 collegamenti', 1217], ['1.217 connecties', 1217], ['Connections', null]]) {
    h.textContent = text;
    assert.equal(tactful.reminder.connectionCount(doc), n, text);
  }
});

test('2025.html: a click on the overlay outside its box closes it and is "kept"', async (t) => {
  const p = await page(t, '2025.html');
  const { doc, sel } = p;
  await p.open(p.cards()[1]);
  await p.until(() => plainReminder(doc), 'the reminder');
  const overlay = sel.dialog(doc).parentElement;
  p.click(overlay);
  assert.equal(sel.dialog(doc), null, 'the page closed its overlay');
  await p.until(() => p.requests('removal_outcome').length === 1, 'the outcome');
  assert.deepEqual(p.requests('removal_outcome'), [{ type: 'removal_outcome', slug: 'grace-hopper-1906', outcome: 'kept' }]);
});

test('classic.html: the person pressing Enter on "Remove connection" starts the intent', async (t) => {
  const p = await page(t, 'classic.html', '?lang=de');
  const { doc, sel, win } = p;
  const card = p.cards()[4];
  p.click(sel.menu(card));
  const item = sel.item(card, doc);
  assert.equal(item.textContent.trim().endsWith('Kontakt entfernen'), true, 'the German page');
  const enter = new win.KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true });
  // As a person: trusted; the page opens its modal on the click that follows.
  p.trust(enter);
  item.dispatchEvent(enter);
  item.click();
  await p.until(() => plainReminder(doc), 'the reminder');
  assert.deepEqual(p.requests('removal_intent').map((r) => r.slug), ['zoe-angstrom-77']);
});

test('leaving the connections page while a reminder is open lets go of its dialog and the window', async (t) => {
  const p = await page(t, 'classic.html');
  const { doc, win, tactful } = p;
  // The window's resize listeners that are still attached.
  const resize = new Set();
  const add = win.addEventListener.bind(win);
  const remove = win.removeEventListener.bind(win);
  win.addEventListener = (type, f, o) => (type === 'resize' && resize.add(f), add(type, f, o));
  win.removeEventListener = (type, f, o) => (type === 'resize' && resize.delete(f), remove(type, f, o));
  await p.open(p.cards()[1]);
  await p.until(() => plainReminder(doc), 'the reminder');
  assert.equal(resize.size, 1, 'the open reminder follows the window');
  tactful.reminder.start(doc).stop(); // what main.js does on leaving the page
  assert.equal(plainReminder(doc), null, 'the reminder is gone');
  assert.equal(resize.size, 0, 'nothing is left listening');
  p.click(p.sel.cancel(doc));
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(p.requests('removal_outcome'), [], 'a stopped reminder records nothing');
});
