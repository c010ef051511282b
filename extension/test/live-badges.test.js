'use strict';
// Badges without delay: a card that enters the page gets its host before
// the browser can paint (in the MutationObserver's callback, no timer); a
// person the page already has an annotation for is drawn complete at once;
// the people new to the page go to the daemon in one request per frame; and
// the page draws only the daemon's badges.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { JSDOM } = require('jsdom');
const { repo, contentScripts } = require('./helpers.js');
const { PEOPLE, card2025, connections2025 } = require('./small-pages.js');

const URL = 'https://www.linkedin.com/mynetwork/invite-connect/connections/';

function annotationFor(c) {
  return { slug: c.slug, name: c.name, tags: [], note_count: 0, badges: c.slug === 'ada-lovelace-1815' ? [{ kind: 'status', label: 'Keep', detail: 'You decided to keep this connection.' }] : [] };
}

function start(html = connections2025(), { offline = false } = {}) {
  const dom = new JSDOM(html, { url: URL, runScripts: 'outside-only', pretendToBeVisual: true });
  const win = dom.window;
  // Animation frames by hand: frame() runs the callbacks of one frame.
  let callbacks = [];
  win.requestAnimationFrame = (f) => callbacks.push(f);
  const frame = async () => {
    const run = callbacks;
    callbacks = [];
    for (const f of run) f(win.performance.now());
    await null;
  };
  const requests = [];
  const annotate = (req) => ({ type: 'annotations', annotations: req.contacts.map(annotationFor) });
  let answer = offline ? () => ({ type: 'error', code: 'offline', message: 'down' }) : annotate;
  win.chrome = {
    runtime: {
      id: 'test',
      sendMessage: async (m) => {
        if (m.kind !== 'request') return { type: 'error', code: 'offline', message: 'not here' };
        requests.push(m.request);
        return answer(m.request);
      },
      connect: () => ({ onMessage: { addListener: (f) => portListeners.push(f) }, onDisconnect: { addListener() {} }, disconnect() {} }),
    },
  };
  const portListeners = [];
  for (const f of contentScripts()) win.eval(fs.readFileSync(path.join(repo, 'extension', f), 'utf8'));
  const list = win.document.getElementById('list');
  const hostsIn = (el) => el.querySelectorAll('[data-tactful="card"]');
  const settle = () => new Promise((r) => setTimeout(r, 80));
  const push = (m) => portListeners.forEach((f) => f(m));
  return { win, doc: win.document, tactful: win.tactful, requests, list, hostsIn, frame, settle, push, setAnswer: (f) => (answer = f) };
}

const more = (i) => ({ slug: `new-person-${i}`, name: `New Person ${i}`, headline: 'Engineer', connected: 'Connected 1 day ago' });

test('a card that enters the page has its host before the next task, with no timer', async (t) => {
  const { win, doc, list, hostsIn, settle } = start();
  t.after(() => win.close());
  await settle();
  const holder = doc.createElement('div');
  holder.innerHTML = card2025(more(1), 9);
  const row = holder.firstElementChild;
  list.append(row);
  // A microtask later: the observer's callback has run, no task has.
  await null;
  assert.equal(hostsIn(row).length, 1, 'the host is there before the browser could paint');
});

test('a re-rendered card of a known person is drawn complete in the same task', async (t) => {
  const { win, list, hostsIn, tactful, requests, settle } = start();
  t.after(() => win.close());
  await settle();
  assert.ok(tactful.badges.annotation('ada-lovelace-1815'), 'the daemon answered for Ada');
  const before = requests.length;
  const old = list.firstElementChild;
  const fresh = old.cloneNode(true);
  for (const h of hostsIn(fresh)) h.remove();
  old.replaceWith(fresh);
  await null;
  const hosts = hostsIn(fresh);
  assert.equal(hosts.length, 1);
  assert.equal(hosts[0].hasAttribute('aria-busy'), false, 'not waiting: the annotation is drawn');
  const view = tactful.badges.viewOf(hosts[0]);
  assert.deepEqual([...view.root.querySelectorAll('[data-role="badge"]')].map((b) => b.textContent), ['Keep']);
  await settle();
  assert.equal(requests.length, before, 'nothing to ask the daemon about a known, unchanged person');
});

test('people new to the page go to the daemon in one request per frame', async (t) => {
  const { win, doc, list, requests, frame, settle } = start();
  t.after(() => win.close());
  await settle();
  await frame();
  const before = requests.length;
  const sent = () => JSON.parse(JSON.stringify(requests.slice(before).filter((r) => r.type === 'contacts_seen').map((r) => r.contacts.map((c) => c.slug))));
  // Three rows arrive in three separate tasks of one frame: the first goes
  // at once, the two after it share the next frame's request.
  for (let i = 1; i <= 3; i++) {
    await new Promise((r) => setTimeout(r, 0));
    const holder = doc.createElement('div');
    holder.innerHTML = card2025(more(i), 10 + i);
    list.append(holder.firstElementChild);
  }
  await settle();
  assert.deepEqual(sent(), [['new-person-1']]);
  await frame();
  await settle();
  assert.deepEqual(sent(), [['new-person-1'], ['new-person-2', 'new-person-3']]);
  await frame();
  await settle();
  assert.equal(sent().length, 2, 'nothing more to send');
});

test('until the daemon answers the host is busy and shows no badge; then exactly its badges', async (t) => {
  let release;
  const gate = new Promise((r) => (release = r));
  const env = start();
  t.after(() => env.win.close());
  env.setAnswer(async (req) => {
    await gate;
    return { type: 'annotations', annotations: req.contacts.map(annotationFor) };
  });
  const holder = env.doc.createElement('div');
  holder.innerHTML = card2025(more(7), 20);
  const row = holder.firstElementChild;
  await env.settle();
  await env.frame();
  env.list.append(row);
  await env.settle();
  const host = env.hostsIn(row)[0];
  const view = env.tactful.badges.viewOf(host);
  assert.equal(host.getAttribute('aria-busy'), 'true');
  assert.equal(view.root.querySelectorAll('[data-role="badge"]').length, 0, 'no stand-in badge');
  release();
  await env.settle();
  assert.equal(host.hasAttribute('aria-busy'), false);
  assert.equal(view.root.querySelectorAll('[data-role="badge"]').length, 0, 'the daemon sent none, none is drawn');
  // The same annotation again changes nothing in the DOM (no flicker).
  const ada = env.tactful.badges.views('ada-lovelace-1815')[0];
  const badge = ada.root.querySelector('[data-role="badge"]');
  env.tactful.badges.setAnnotation(annotationFor(PEOPLE[0]));
  assert.equal(ada.root.querySelector('[data-role="badge"]'), badge, 'the same node: nothing redrawn');
});

test('while the daemon is away nothing is retried frame after frame; all goes when it is back', async (t) => {
  const env = start(undefined, { offline: true });
  t.after(() => env.win.close());
  for (let i = 0; i < 5; i++) {
    await env.frame();
    await env.settle();
  }
  const asked = () => env.requests.filter((r) => r.type === 'contacts_seen').length;
  assert.equal(asked(), 1, 'one try, then wait for the daemon');
  env.setAnswer((req) => ({ type: 'annotations', annotations: req.contacts.map(annotationFor) }));
  env.push({ kind: 'state', state: { connected: true } });
  await env.settle();
  assert.equal(asked(), 2);
  assert.equal(env.hostsIn(env.list).length, 3);
  for (const h of env.hostsIn(env.list)) assert.equal(h.hasAttribute('aria-busy'), false, 'drawn once the daemon is back');
});
