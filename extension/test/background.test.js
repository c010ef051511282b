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
const { FakeArea, fakeSockets } = require('./fakes.js');

const welcome = readJSON('protocol/testdata/replies/welcome.json');
const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

const unref = (t) => (t.unref && t.unref(), t);

function event() {
  const fns = [];
  return { addListener: (f) => fns.push(f), fns };
}

function boot(local = { pairingCode: 'CODE' }) {
  const { FakeWebSocket, sockets } = fakeSockets();
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
    tactful: {
      slug: require('../lib/slug.js'),
      pendingNotes: require('../lib/pending-notes.js'),
      connection: require('../lib/connection.js'),
    },
  };
  ctx.globalThis = ctx;
  vm.runInNewContext(fs.readFileSync(path.join(__dirname, '..', 'background.js'), 'utf8'), ctx);
  const send = (msg) => new Promise((resolve) => {
    const async = onMessage.fns[0](msg, { id: 'self' }, resolve);
    assert.equal(async, true);
  });
  const port = () => {
    const got = [];
    const disconnect = event();
    const p = { sender: { id: 'self' }, postMessage: (m) => got.push(JSON.parse(JSON.stringify(m))), onDisconnect: disconnect, got };
    onConnect.fns[0](p);
    p.close = () => disconnect.fns.forEach((f) => f());
    return p;
  };
  return { sockets, area, send, port };
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
