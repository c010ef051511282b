'use strict';
// The note composer: the extension page composer/composer.html (its form,
// keys and messages to the background), and content/note-composer.js, which
// frames it in the card and draws what the background reports, without
// ever holding the note's text.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { JSDOM } = require('jsdom');
const { load, fixture, readJSON, repo } = require('./helpers.js');

const annotation = readJSON('protocol/testdata/replies/annotation.json').annotation;
const tick = () => new Promise((r) => setTimeout(r, 0));

// page opens composer.html at url's query with a fake runtime answering
// with reply(message), and runs its scripts in it, in the page's order.
function page(query, reply = () => ({ queued: true, note_id: 'n-1' })) {
  const dir = path.join(repo, 'extension', 'composer');
  const html = fs.readFileSync(path.join(dir, 'composer.html'), 'utf8');
  const dom = new JSDOM(html, { url: 'chrome-extension://dyn-id/composer/composer.html?' + query, runScripts: 'outside-only', pretendToBeVisual: true });
  const win = dom.window;
  const sent = [];
  win.chrome = {
    runtime: { id: 'self', sendMessage: async (m) => (sent.push(JSON.parse(JSON.stringify(m))), reply(m)) },
    storage: { local: { get: async () => ({ tags: ['kept-in-storage'] }) } },
  };
  for (const s of [...win.document.querySelectorAll('script[src]')]) {
    win.eval(fs.readFileSync(path.join(dir, s.getAttribute('src')), 'utf8'));
  }
  const doc = win.document;
  const q = (role) => doc.querySelector(`[data-role="${role}"]`);
  const key = (target, init) => target.dispatchEvent(new win.KeyboardEvent('keydown', Object.assign({ bubbles: true, cancelable: true }, init)));
  return { win, doc, sent, q, key };
}

const query = (o) => new URLSearchParams(o).toString();

test('composer page: named, focused, the vocabulary with the contact’s tags checked', async () => {
  const vocab = ['inactive', 'reputation', 'keep'];
  const { doc, q } = page(query({ slug: 'ada-lovelace-1815', name: 'Ada Lovelace', tags: '["inactive","mentor"]', frame: 'f1' }), (m) => (m.kind === 'state' ? { connected: true, tags: vocab } : { ok: true }));
  await tick();
  await tick();
  assert.equal(doc.title, 'Note about Ada Lovelace');
  assert.equal(q('composer-form').getAttribute('aria-label'), 'Note about Ada Lovelace');
  assert.equal(doc.querySelector(`label[for="${q('note-text').id}"]`).textContent, 'Note');
  assert.equal(doc.activeElement, q('note-text'), 'the note field has the focus');
  const tags = [...doc.querySelectorAll('[data-role="tag"]')];
  assert.deepEqual(tags.map((t) => t.value), ['inactive', 'reputation', 'keep', 'mentor']);
  assert.deepEqual(tags.filter((t) => t.checked).map((t) => t.value), ['inactive', 'mentor']);
  assert.ok(q('composer-form').textContent.includes('We had a disagreement'));
});

test('composer page: offline, the vocabulary saved from the last welcome', async () => {
  const { doc } = page(query({ slug: 'ada-lovelace-1815', frame: 'f1' }), (m) => (m.kind === 'state' ? { connected: false } : { ok: true }));
  for (let i = 0; i < 5; i++) await tick();
  assert.deepEqual([...doc.querySelectorAll('[data-role="tag"]')].map((t) => t.value), ['kept-in-storage']);
});

test('composer page: Shift+Enter is a new line, Enter saves to the background, Escape closes', async () => {
  const vocab = ['inactive', 'reputation', 'keep'];
  const { q, key, sent } = page(query({ slug: 'ada-lovelace-1815', tags: '["inactive"]', frame: 'f1' }), (m) => (m.kind === 'state' ? { tags: vocab } : m.kind === 'note_add' ? { queued: true, note_id: 'n-1' } : { ok: true }));
  await tick();
  await tick();
  const text = q('note-text');
  text.value = 'line one';
  assert.equal(key(text, { key: 'Enter', shiftKey: true }), true, 'Shift+Enter is left to the textarea');
  assert.ok(!sent.some((m) => m.kind === 'note_add'));
  assert.equal(key(text, { key: 'Enter', isComposing: true }), true, 'Enter that ends a composition does not save');
  assert.ok(!sent.some((m) => m.kind === 'note_add'));
  [...q('tags').querySelectorAll('[data-role="tag"]')].find((b) => b.value === 'reputation').checked = true;
  q('fallout').checked = true;
  assert.equal(key(text, { key: 'Enter' }), false);
  await tick();
  const add = sent.find((m) => m.kind === 'note_add');
  assert.deepEqual(add, { kind: 'note_add', slug: 'ada-lovelace-1815', text: 'line one', frame: 'f1', tags: ['inactive', 'reputation'], fallout: true });
  assert.equal(text.value, '', 'queued: the field is emptied');

  key(text, { key: 'Escape' });
  await tick();
  assert.deepEqual(sent.filter((m) => m.kind === 'composer' && m.event === 'close'), [{ kind: 'composer', slug: 'ada-lovelace-1815', frame: 'f1', event: 'close' }]);
  q('cancel').click();
  await tick();
  assert.equal(sent.filter((m) => m.kind === 'composer' && m.event === 'close').length, 2);
});

test('composer page: a note over the protocol\'s limit is refused here, with the limit', async () => {
  const { q, sent } = page(query({ slug: 'grace-hopper-1906', frame: 'f2' }));
  await tick();
  assert.equal(q('note-text').maxLength, 10000, 'the field stops typing at protocol.MaxNoteChars');
  q('note-text').value = '😀'.repeat(10000);
  q('save').click();
  await tick();
  assert.equal(q('error').textContent, '', '10,000 characters (not UTF-16 units) is allowed');
  assert.ok(sent.some((m) => m.kind === 'note_add'));
  q('note-text').value = 'x'.repeat(10001);
  q('save').click();
  await tick();
  assert.equal(q('error').textContent, 'A note has at most 10,000 characters.');
  assert.equal(sent.filter((m) => m.kind === 'note_add').length, 1);
});

test('composer page: an empty note is not sent; a refused one keeps its text and says why', async () => {
  const { q, sent } = page(query({ slug: 'grace-hopper-1906', frame: 'f2' }), (m) => (m.kind === 'note_add' ? { type: 'error', code: 'note_too_large', message: 'Too long.' } : {}));
  await tick();
  q('save').click();
  await tick();
  assert.equal(q('error').textContent, 'Write a note first.');
  assert.ok(!sent.some((m) => m.kind === 'note_add'));
  q('note-text').value = 'hello';
  q('save').click();
  await tick();
  await tick();
  assert.equal(q('note-text').value, 'hello');
  assert.equal(q('error').textContent, 'Too long.');
});

// The card's side: content/note-composer.js with the content scripts.
function card() {
  let onPort = null;
  const chrome = {
    runtime: {
      id: 'test',
      getURL: (p) => 'chrome-extension://0dd-dynamic-id/' + p,
      sendMessage: async () => ({}),
      connect: () => ({ onMessage: { addListener: (f) => (onPort = f) }, onDisconnect: { addListener() {} }, disconnect() {} }),
    },
  };
  const files = ['lib/slug.js', 'lib/protocol.js', 'content/page-reader.js', 'content/daemon-port.js', 'content/badges.js', 'content/note-composer.js'];
  const env = load(fixture('sdui.html'), { files, chrome });
  const { tactful, doc } = env;
  tactful.daemon.start();
  const views = tactful.reader.findCards(doc).map((c) => tactful.badges.attach(c.card, c.slug, tactful.reader.readCard(c.card, c.slug)));
  tactful.badges.setAnnotation(annotation);
  const push = (m) => onPort(JSON.parse(JSON.stringify(m)));
  return { ...env, push, view: (slug) => views.find((v) => v.slug === slug) };
}

test('card: Add note frames the composer page in the closed shadow root', () => {
  const { view } = card();
  const v = view('ada-lovelace-1815');
  v.add.click();
  const frames = v.root.querySelectorAll('iframe[data-role="composer"]');
  assert.equal(frames.length, 1);
  const f = frames[0];
  assert.equal(f.title, 'Note about Ada Lovelace');
  assert.equal(v.add.getAttribute('aria-expanded'), 'true');
  const u = new URL(f.src);
  assert.ok(f.src.startsWith('chrome-extension://0dd-dynamic-id/composer/composer.html?'), f.src);
  assert.equal(u.searchParams.get('slug'), 'ada-lovelace-1815');
  assert.equal(u.searchParams.get('name'), 'Ada Lovelace');
  assert.deepEqual(JSON.parse(u.searchParams.get('tags')), ['inactive']);
  assert.ok(u.searchParams.get('frame'));
  v.add.click();
  assert.equal(v.root.querySelectorAll('iframe').length, 0, 'a second click closes it');
  assert.equal(v.add.getAttribute('aria-expanded'), 'false');
});

test('card: the background’s reports close, fit and redraw, for this frame only', () => {
  const { view, push, doc } = card();
  const v = view('ada-lovelace-1815');
  const before = [...v.root.querySelectorAll('[data-role="badge"]')].map((b) => b.textContent);
  v.add.click();
  const f = v.root.querySelector('iframe');
  const frame = new URL(f.src).searchParams.get('frame');
  assert.equal(f.style.visibility, 'hidden', 'hidden until our page reports from inside');
  push({ kind: 'composer', slug: 'ada-lovelace-1815', frame, event: 'size', height: 230 });
  assert.equal(f.style.height, '230px');
  assert.equal(f.style.visibility, 'visible');
  push({ kind: 'composer', slug: 'ada-lovelace-1815', frame: 'someone-else', event: 'close' });
  assert.equal(v.root.querySelectorAll('iframe').length, 1, 'another frame’s close is not ours');

  push({ kind: 'note_queued', slug: 'ada-lovelace-1815', frame, note_id: 'n-9', tags: ['inactive', 'reputation'], fallout: true });
  assert.equal(v.root.querySelectorAll('iframe').length, 0, 'closed once the note is queued');
  assert.equal(doc.activeElement, v.host, 'the focus is back on the card (its Add note button)');
  // Only the daemon's words: the badges stay as the daemon last drew them
  // (no stand-in "2 notes", "reputation" or "Cooling down"); the pending
  // chip says a note is on its way.
  const labels = () => [...v.root.querySelectorAll('[data-role="badge"]')].map((b) => b.textContent);
  assert.deepEqual(labels(), before);
  const pending = v.root.querySelector('[data-role="pending"]');
  assert.equal(pending.hidden, false, 'a pending chip while the note is sent');

  push({ kind: 'note_answer', slug: 'ada-lovelace-1815', note_id: 'n-9', pending: true });
  assert.equal(pending.hidden, false);
  assert.match(pending.textContent, /will sync when tactful is running/);
});

test('card: a note refused after queueing leaves the daemon’s badges and drops the pending chip', () => {
  const { view, push } = card();
  const v = view('grace-hopper-1906');
  const labels = () => [...v.root.querySelectorAll('[data-role="badge"]')].map((b) => b.textContent);
  const before = labels();
  const pending = () => v.root.querySelector('[data-role="pending"]');
  push({ kind: 'note_queued', slug: 'grace-hopper-1906', frame: 'x', note_id: 'n-2', tags: null, fallout: false });
  assert.equal(pending().hidden, false);
  assert.deepEqual(labels(), before, 'no badge made up while the note is out');
  push({ kind: 'note_answer', slug: 'grace-hopper-1906', note_id: 'n-2', error: { type: 'error', code: 'conflict', message: 'No.' } });
  assert.equal(pending().hidden, true);
  assert.deepEqual(labels(), before);
});

test('card: a composer frame the page navigates away is removed', () => {
  const { view, win } = card();
  const v = view('ada-lovelace-1815');
  v.add.click();
  const f = v.root.querySelector('iframe');
  f.dispatchEvent(new win.Event('load')); // our page
  assert.equal(v.root.querySelectorAll('iframe').length, 1);
  f.dispatchEvent(new win.Event('load')); // someone else's document
  assert.equal(v.root.querySelectorAll('iframe').length, 0);
  assert.equal(v.add.getAttribute('aria-expanded'), 'false');
});
