'use strict';
// background.js itself, run in a fresh context with a fake chrome.* and a
// fake WebSocket: the contract of docs/architecture.md ("Contracts inside
// the extension") from a page's point of view.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { readJSON } = require('./helpers.js');
const { FakeArea, fakeIndexedDB, fakeSockets } = require('./fakes.js');

const welcome = readJSON('protocol/testdata/replies/welcome.json');
const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

const unref = (t) => (t.unref && t.unref(), t);

function event() {
  const fns = [];
  return { addListener: (f) => fns.push(f), fns };
}

// Who sends: the popup (an extension page), a content script on LinkedIn,
// and the note composer: an extension page framed inside a LinkedIn tab, on
// Chromium's per-session dynamic id.
const POPUP = { id: 'self', url: 'chrome-extension://self/popup/popup.html' };
const CONTENT = { id: 'self', url: 'https://www.linkedin.com/mynetwork/invite-connect/connections/', tab: { id: 7 }, frameId: 0 };
const COMPOSER = { id: 'self', url: 'chrome-extension://0f1e2d3c-dyn/composer/composer.html?slug=ada-lovelace-1815', tab: { id: 7 }, frameId: 3 };

// boot starts background.js; the pairing code is stored as the version
// before 0.2 left it, in storage.local, unless idbCode is given.
function boot(local = { pairingCode: 'CODE' }) {
  const { FakeWebSocket, sockets } = fakeSockets();
  const indexedDB = fakeIndexedDB();
  const area = new FakeArea(local);
  const onMessage = event();
  const onConnect = event();
  const chrome = {
    runtime: { id: 'self', getManifest: () => ({ version: '0.1.0' }), onMessage, onConnect, onStartup: event() },
    storage: { local: area, session: new FakeArea() },
  };
  const ctx = {
    chrome,
    WebSocket: FakeWebSocket,
    // Unreferenced timers: the worker's keepalive and linger must not keep
    // the test process alive.
    setTimeout: (f, ms) => unref(setTimeout(f, ms)),
    clearTimeout,
    setInterval: (f, ms) => unref(setInterval(f, ms)),
    clearInterval,
    console,
    crypto: globalThis.crypto,
    URL,
    indexedDB,
    tactful: {
      slug: require('../lib/slug.js'),
      pendingNotes: require('../lib/pending-notes.js'),
      pairingCode: require('../lib/pairing-code.js'),
      connection: require('../lib/connection.js'),
    },
  };
  ctx.globalThis = ctx;
  vm.runInNewContext(fs.readFileSync(path.join(__dirname, '..', 'background.js'), 'utf8'), ctx);
  const send = (msg, sender = POPUP) => new Promise((resolve) => {
    const async = onMessage.fns[0](msg, sender, resolve);
    assert.equal(async, true);
  });
  const port = (sender = CONTENT) => {
    const got = [];
    const disconnect = event();
    const p = { sender, postMessage: (m) => got.push(JSON.parse(JSON.stringify(m))), onDisconnect: disconnect, got };
    onConnect.fns[0](p);
    p.close = () => disconnect.fns.forEach((f) => f());
    return p;
  };
  return { sockets, area, indexedDB, send, port };
}

// daemonAnswers plays a daemon on every socket: welcome, then answer(req).
function daemonAnswers(sockets, answer, from = 0) {
  let served = from;
  return async () => {
    for (; served < sockets.length; served++) {
      const ws = sockets[served];
      ws.open();
      ws.reply(ws.last('hello'), welcome);
      const send = ws.send.bind(ws);
      ws.send = (data) => {
        send(data);
        const req = JSON.parse(data);
        const reply = answer(req);
        if (reply) setTimeout(() => ws.reply(req, reply), 0);
      };
    }
  };
}

test('a note taken offline is queued once, then delivered once when the daemon answers', async () => {
  const b = boot();
  const page = b.port();
  await tick();
  // The daemon is down: the socket never opens.
  b.sockets[0].drop(1006);
  const r = await b.send({ kind: 'note_add', slug: 'Ada-Lovelace-1815', text: 'Met at the meetup.', tags: ['inactive'] });
  assert.equal(r.pending, true);
  assert.match(r.note_id, /^n-/);
  const stored = b.area.data.pendingNotes;
  assert.equal(stored.length, 1);
  assert.equal(stored[0].slug, 'ada-lovelace-1815');
  assert.equal(stored[0].note_id, r.note_id);
  assert.equal((await b.send({ kind: 'state' })).pending, 1);

  // The daemon comes back.
  const noteAdds = [];
  const serve = daemonAnswers(b.sockets, (req) => {
    if (req.type === 'note_add') {
      noteAdds.push(req.note_id);
      return { type: 'note_saved', note: { id: req.note_id, text: req.text }, annotation: { slug: req.slug, badges: [] } };
    }
    if (req.type === 'tags_set') return { type: 'annotation', annotation: { slug: req.slug, tags: req.tags, badges: [{ kind: 'tag', label: 'inactive', detail: '' }] } };
    return { type: 'pong' };
  }, 1);
  while (b.sockets.length < 2) await tick(20); // the reconnect after backoff
  await serve();
  for (let i = 0; i < 50 && b.area.data.pendingNotes.length; i++) await tick(10);
  assert.deepEqual(noteAdds, [r.note_id]);
  assert.equal(b.area.data.pendingNotes.length, 0);
  const delivered = page.got.filter((m) => m.kind === 'delivered');
  assert.equal(delivered.length, 1);
  assert.equal(delivered[0].note_id, r.note_id);
  assert.equal(delivered[0].annotation.tags[0], 'inactive');
  assert.ok(page.got.some((m) => m.kind === 'state' && m.state.connected === true));
  assert.equal((await b.send({ kind: 'state' })).pending, 0);
  page.close();
});

test('requests are answered, pushes reach every open port', async () => {
  const b = boot();
  const page = b.port();
  const popup = b.port();
  await tick();
  await daemonAnswers(b.sockets, (req) => (req.type === 'status' ? readJSON('protocol/testdata/replies/status_reply.json') : null))();
  const reply = await b.send({ kind: 'request', request: { type: 'status' } });
  assert.equal(reply.type, 'status_reply');
  b.sockets[0].message(readJSON('protocol/testdata/replies/contact_changed.json'));
  for (const p of [page, popup]) {
    const push = p.got.find((m) => m.kind === 'push');
    assert.equal(push.message.type, 'contact_changed');
  }
  page.close();
  popup.close();
});

test('note_add while connected resolves to note_saved; bad notes are refused before queueing', async () => {
  const b = boot();
  b.port();
  await tick();
  await daemonAnswers(b.sockets, (req) => (req.type === 'note_add' ? { type: 'note_saved', note: { id: req.note_id, text: req.text }, annotation: { slug: req.slug, badges: [] } } : null))();
  const r = await b.send({ kind: 'note_add', slug: 'ada-lovelace-1815', text: 'hello' });
  assert.equal(r.type, 'note_saved');
  assert.match(r.note.id, /^n-/);
  const bad = await b.send({ kind: 'note_add', slug: '../etc', text: 'x' });
  assert.equal(bad.type, 'error');
  const long = await b.send({ kind: 'note_add', slug: 'ada-lovelace-1815', text: 'x'.repeat(10001) });
  assert.equal(long.code, 'note_too_large');
  assert.equal((b.area.data.pendingNotes || []).length, 0);
});

test('unpaired: 4002 is reported in state and in replies', async () => {
  const b = boot();
  const page = b.port();
  await tick();
  b.sockets[0].open();
  b.sockets[0].drop(4002, 'wrong pairing code');
  await tick();
  const s = await b.send({ kind: 'state' });
  assert.equal(s.paired, false);
  assert.equal(s.lastError, 'wrong pairing code');
  const r = await b.send({ kind: 'request', request: { type: 'status' } });
  assert.equal(r.code, 'unpaired');
  assert.ok(page.got.some((m) => m.kind === 'state' && m.state.paired === false));
});

test('content scripts get only what the page features need', async () => {
  const b = boot();
  b.port();
  await tick();
  const asked = [];
  await daemonAnswers(b.sockets, (req) => {
    asked.push(req.type);
    if (req.type === 'contacts_seen') return { type: 'annotations', annotations: [] };
    if (req.type === 'contact_get') return { type: 'error', code: 'not_found', message: 'No such contact.' };
    return { type: 'pong' };
  })();
  for (const msg of [
    { kind: 'request', request: { type: 'export' } },
    { kind: 'request', request: { type: 'import_json', data: {} } },
    { kind: 'request', request: { type: 'history_get' } },
    { kind: 'request', request: { type: 'note_delete', slug: 'ada-lovelace-1815', note_id: 'n-1' } },
    { kind: 'request', request: { type: 'status' } },
    { kind: 'request' },
    { kind: 'pair', address: '127.0.0.1:1', code: 'MINE' },
    { kind: 'note_add', slug: 'ada-lovelace-1815', text: 'written by the page' },
    { kind: 'composer', slug: 'ada-lovelace-1815', event: 'close' },
  ]) {
    const r = await b.send(msg, CONTENT);
    assert.equal(r.code, 'forbidden', JSON.stringify(msg));
    assert.match(r.message, /may not ask/);
  }
  assert.deepEqual(asked, [], 'nothing refused reached the daemon');
  assert.equal((b.area.data.pendingNotes || []).length, 0);
  assert.equal(b.indexedDB.dbs.get('tactful-secrets').get('secrets').get('pairingCode'), 'CODE', 'the refused pair changed nothing');

  assert.equal((await b.send({ kind: 'request', request: { type: 'contacts_seen', contacts: [] } }, CONTENT)).type, 'annotations');
  assert.equal((await b.send({ kind: 'request', request: { type: 'contact_get', slug: 'x' } }, CONTENT)).code, 'not_found');
  const state = await b.send({ kind: 'state' }, CONTENT);
  assert.equal(state.connected, true);
  assert.ok(!JSON.stringify(state).includes('CODE'), 'state carries no pairing code');
  // The same requests from the popup pass.
  assert.equal((await b.send({ kind: 'request', request: { type: 'status' } }, POPUP)).type, 'pong');
});

test('the composer frame saves a note; its tab hears what to draw, never the text', async () => {
  const b = boot();
  const page = b.port(CONTENT);
  const otherTab = b.port(Object.assign({}, CONTENT, { tab: { id: 8 } }));
  await tick();
  await daemonAnswers(b.sockets, (req) => {
    if (req.type === 'note_add') return { type: 'note_saved', note: { id: req.note_id, text: req.text }, annotation: { slug: req.slug, badges: [{ kind: 'note', label: '1 note' }] } };
    if (req.type === 'fallout_mark') return { type: 'annotation', annotation: { slug: req.slug, badges: [{ kind: 'note', label: '1 note' }, { kind: 'cooldown', label: 'Cooling down' }] } };
    return null;
  })();
  const text = 'SECRET she lied about the merger';
  const r = await b.send({ kind: 'note_add', slug: 'ada-lovelace-1815', text, fallout: true, frame: 'f1' }, COMPOSER);
  assert.equal(r.queued, true);
  for (let i = 0; i < 50 && !page.got.some((m) => m.kind === 'note_answer'); i++) await tick(10);
  const queued = page.got.find((m) => m.kind === 'note_queued');
  assert.deepEqual([queued.slug, queued.frame, queued.note_id, queued.fallout], ['ada-lovelace-1815', 'f1', r.note_id, true]);
  const answer = page.got.find((m) => m.kind === 'note_answer');
  assert.equal(answer.annotation.badges[0].label, '1 note');
  assert.ok(!JSON.stringify(page.got).includes('SECRET'), 'the note text reached the content script');
  assert.ok(!otherTab.got.some((m) => m.kind === 'note_queued' || m.kind === 'note_answer'), 'another tab heard of the composer');

  // Closing and resizing go to the frame's own tab only.
  assert.equal((await b.send({ kind: 'composer', slug: 'ada-lovelace-1815', frame: 'f1', event: 'size', height: 180 }, COMPOSER)).ok, true);
  assert.equal((await b.send({ kind: 'composer', slug: 'ada-lovelace-1815', frame: 'f1', event: 'close' }, COMPOSER)).ok, true);
  assert.deepEqual(page.got.filter((m) => m.kind === 'composer').map((m) => m.event + (m.height || '')), ['size180', 'close']);
  assert.ok(!otherTab.got.some((m) => m.kind === 'composer'));
});

test('a pairing code left in storage.local moves to IndexedDB at startup', async () => {
  const b = boot({ pairingCode: 'OLD-CODE', address: '127.0.0.1:47291' });
  b.port();
  for (let i = 0; i < 50 && 'pairingCode' in b.area.data; i++) await tick(10);
  assert.ok(!('pairingCode' in b.area.data), 'storage.local, which content scripts read, still holds the code');
  assert.equal(b.area.data.address, '127.0.0.1:47291');
  assert.equal(b.indexedDB.dbs.get('tactful-secrets').get('secrets').get('pairingCode'), 'OLD-CODE');
  for (let i = 0; i < 50 && !b.sockets.length; i++) await tick(10);
  b.sockets[0].open();
  await tick();
  assert.equal(b.sockets[0].last('hello').pairing_code, 'OLD-CODE', 'the moved code is the one used');

  // Pairing again writes IndexedDB only.
  const paired = b.send({ kind: 'pair', address: '127.0.0.1:47291', code: 'NEW-CODE' });
  for (let i = 0; i < 50 && b.sockets.length < 2; i++) await tick(10);
  await daemonAnswers(b.sockets, () => null, 1)();
  assert.equal((await paired).ok, true);
  assert.equal(b.sockets[1].last('hello').pairing_code, 'NEW-CODE');
  assert.equal(b.indexedDB.dbs.get('tactful-secrets').get('secrets').get('pairingCode'), 'NEW-CODE');
  assert.ok(!('pairingCode' in b.area.data));
});

test('Firefox: an extension page on moz-extension:// is ours, a page pretending to be is not', async () => {
  const b = boot();
  b.port();
  await tick();
  await daemonAnswers(b.sockets, () => ({ type: 'pong' }))();
  const firefoxPopup = { id: 'self', url: 'moz-extension://4b0c7a2e-uuid/popup/popup.html' };
  assert.equal((await b.send({ kind: 'request', request: { type: 'status' } }, firefoxPopup)).type, 'pong');
  // A content script's URL is the page's, whatever the path says.
  const lookalike = { id: 'self', url: 'https://www.linkedin.com/chrome-extension://self/popup/popup.html', tab: { id: 7 } };
  assert.equal((await b.send({ kind: 'request', request: { type: 'status' } }, lookalike)).code, 'forbidden');
  const noURL = { id: 'self', tab: { id: 7 } };
  assert.equal((await b.send({ kind: 'request', request: { type: 'export' } }, noURL)).code, 'forbidden');
});

test('the review page may ask for the whole network; a content script may not', async () => {
  const b = boot();
  b.port();
  await tick();
  const asked = [];
  await daemonAnswers(b.sockets, (req) => (asked.push(req.type), { type: 'pong' }))();
  const reviewPage = { id: 'self', url: 'chrome-extension://self/review/review.html' };
  const requests = [
    { type: 'review_queue', filter: { due: true }, limit: 20 },
    { type: 'review_save', slug: 'ada-lovelace-1815', decision: 'keep' },
    { type: 'removal_plan_get' },
    { type: 'removal_plan_apply', schedule: [{ slug: 'ada-lovelace-1815', on: '2027-01-12' }] },
    { type: 'network_summary' },
  ];
  for (const request of requests) {
    assert.equal((await b.send({ kind: 'request', request }, CONTENT)).code, 'forbidden', request.type);
  }
  assert.deepEqual(asked, [], 'nothing refused reached the daemon');
  for (const request of requests) {
    assert.equal((await b.send({ kind: 'request', request }, reviewPage)).type, 'pong', request.type);
  }
  assert.deepEqual(asked, requests.map((r) => r.type));
});

test('Firefox loads the same lib/ files as Chromium, in the same order', () => {
  // Chromium's worker loads lib/ with importScripts; Firefox's event page
  // gets background.scripts from the manifest. A file missing from either
  // leaves one browser's background dead.
  const source = fs.readFileSync(path.join(__dirname, '..', 'background.js'), 'utf8');
  const call = source.match(/importScripts\(([^)]*)\)/);
  assert.ok(call, 'background.js has no importScripts');
  const imported = [...call[1].matchAll(/'([^']+)'/g)].map((m) => m[1]);
  const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'manifest.json'), 'utf8'));
  assert.deepEqual(manifest.background.scripts, [...imported, 'background.js']);
});
