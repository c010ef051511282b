'use strict';
// The background's socket logic with a fake WebSocket, storage and timers:
// hello with the pairing code, replies by id, pushes, keepalive pings, the
// close codes that mean "unpaired", backoff with jitter.
const test = require('node:test');
const assert = require('node:assert/strict');
const { readJSON } = require('./helpers.js');
const { FakeArea, memoryCodes, fakeSockets, fakeTimers, flush } = require('./fakes.js');
const { createConnection, parseAddress, backoffDelay } = require('../lib/connection.js');

const welcome = readJSON('protocol/testdata/replies/welcome.json');

function setup(local = {}, code = 'K3M9Q-7TZ2A-HX4PB-W6NDC') {
  const { FakeWebSocket, sockets } = fakeSockets();
  const timers = fakeTimers();
  const pushes = [];
  const states = [];
  const codes = memoryCodes(code);
  const area = new FakeArea(local);
  const c = createConnection({
    WebSocket: FakeWebSocket,
    local: area,
    session: new FakeArea(),
    pairingCode: codes,
    ...timers,
    random: () => 0.5,
    version: '0.1.0',
    onPush: (m) => pushes.push(m),
    onState: (s) => states.push(s),
  });
  return { c, sockets, timers, pushes, states, area, codes };
}

async function welcomed(env) {
  const p = env.c.connect();
  await flush();
  const ws = env.sockets[env.sockets.length - 1];
  ws.open();
  const hello = ws.last('hello');
  ws.reply(hello, welcome);
  await p;
  return ws;
}

test('hello has the golden shape, with the stored pairing code', async () => {
  const env = setup();
  const ws = await welcomed(env);
  assert.equal(ws.url, 'ws://127.0.0.1:47291/ws');
  const golden = readJSON('protocol/testdata/requests/hello.json');
  const hello = ws.sent[0];
  assert.deepEqual(Object.keys(hello).sort(), Object.keys(golden).sort());
  assert.equal(hello.protocol, 1);
  assert.equal(hello.client, 'tactful-extension');
  assert.equal(hello.pairing_code, 'K3M9Q-7TZ2A-HX4PB-W6NDC');
  const s = await env.c.state();
  assert.equal(s.connected, true);
  assert.equal(s.paired, true);
  assert.equal(s.address, '127.0.0.1:47291');
});

test('requests get ids and their replies; pushes go to onPush', async () => {
  const env = setup();
  const ws = await welcomed(env);
  const p = env.c.request({ type: 'removal_intent', slug: 'ada-lovelace-1815' });
  await flush();
  const req = ws.last('removal_intent');
  assert.ok(req.id && req.id.length <= 64);
  ws.message(readJSON('protocol/testdata/replies/contact_changed.json'));
  ws.reply(req, { type: 'reminder', reminder: { slug: 'ada-lovelace-1815' } });
  assert.equal((await p).type, 'reminder');
  assert.equal(env.pushes.length, 1);
  assert.equal(env.pushes[0].type, 'contact_changed');
});

test('a ping goes out every 20 s while connected', async () => {
  const env = setup();
  const ws = await welcomed(env);
  assert.ok(env.timers.delays().includes(20000));
  env.timers.fire(20000);
  await flush();
  assert.ok(ws.last('ping'), 'ping sent');
});

test('close 4002 means unpaired: no retry, the reason is reported', async () => {
  const env = setup();
  const ws = await welcomed(env);
  env.c.hold();
  ws.drop(4002, 'The pairing code is wrong.');
  await flush();
  const s = await env.c.state();
  assert.equal(s.connected, false);
  assert.equal(s.paired, false);
  assert.equal(s.lastError, 'The pairing code is wrong.');
  assert.ok(!env.timers.delays().some((d) => d >= 500), 'no reconnect scheduled');
  const r = await env.c.request({ type: 'status' });
  assert.equal(r.code, 'unpaired');
  assert.equal(env.sockets.length, 1);
});

test('close 4003 stops retrying with the daemon\'s reason', async () => {
  const env = setup();
  const ws = await welcomed(env);
  env.c.hold();
  ws.drop(4003, 'This daemon speaks protocol 2.');
  await flush();
  assert.equal((await env.c.state()).lastError, 'This daemon speaks protocol 2.');
  assert.equal((await env.c.request({ type: 'status' })).code, 'offline');
  assert.equal(env.sockets.length, 1);
});

test('a daemon restart is followed by reconnects with growing, jittered delays', async () => {
  const env = setup();
  const ws = await welcomed(env);
  env.c.hold();
  const inflight = env.c.request({ type: 'status' });
  await flush();
  ws.drop(1001, 'going away');
  assert.equal((await inflight).code, 'offline', 'requests in flight fail at once');
  await flush();
  const first = env.timers.delays().filter((d) => d >= 500);
  assert.deepEqual(first, [750]); // 1 s capped, half fixed + half jitter at random()=0.5
  env.timers.fire(750);
  await flush();
  assert.equal(env.sockets.length, 2);
  env.sockets[1].drop(1006);
  await flush();
  assert.deepEqual(env.timers.delays().filter((d) => d >= 500), [1500]);
  env.timers.fire(1500);
  await flush();
  const ws3 = env.sockets[2];
  ws3.open();
  ws3.reply(ws3.last('hello'), welcome);
  await flush();
  assert.equal((await env.c.state()).connected, true);
});

test('backoff stays between half and all of a capped exponential delay', () => {
  for (let i = 0; i < 30; i++) {
    const lo = backoffDelay(i, () => 0);
    const hi = backoffDelay(i, () => 0.999999);
    assert.ok(lo >= 500 && hi <= 15000 && lo <= hi, `${i}: ${lo}..${hi}`);
  }
});

test('pair checks the address is loopback and the code works', async () => {
  const env = setup({}, '');
  assert.equal((await env.c.pair('example.com:47291', 'abc')).ok, false);
  assert.equal((await env.c.state()).paired, false, 'no code yet');
  const p = env.c.pair('ws://localhost:5000/ws', ' NEW-CODE ');
  await flush();
  await flush();
  const ws = env.sockets[0];
  assert.equal(ws.url, 'ws://localhost:5000/ws');
  ws.open();
  assert.equal(ws.last('hello').pairing_code, 'NEW-CODE');
  ws.reply(ws.last('hello'), welcome);
  const r = await p;
  assert.equal(r.ok, true, r.message);
  assert.equal(r.daemonVersion, '0.1.0');
  assert.equal((await env.c.state()).address, 'localhost:5000');
  assert.equal(env.codes.code, 'NEW-CODE', 'the code went to the pairing-code store');
  assert.ok(!('pairingCode' in env.area.data), 'storage.local, which content scripts read, holds no code');
});

test('parseAddress accepts loopback forms only', () => {
  assert.equal(parseAddress('').url, 'ws://127.0.0.1:47291/ws');
  assert.equal(parseAddress('[::1]:9').url, 'ws://[::1]:9/ws');
  assert.throws(() => parseAddress('10.0.0.1:47291'));
  assert.throws(() => parseAddress('ws://127.0.0.1.evil.example:1/ws'));
});

test('close 4006 after a refused hello stops retrying and keeps the daemon\'s error', async () => {
  const env = setup();
  env.c.hold();
  const p = env.c.connect();
  await flush();
  const ws = env.sockets[0];
  ws.open();
  ws.reply(ws.last('hello'), { type: 'error', code: 'invalid_field', message: 'hello: client_version is not a string.' });
  ws.drop(4006, 'the first message must be hello; send hello with the pairing code');
  await assert.rejects(p);
  await flush();
  assert.equal((await env.c.state()).lastError, 'hello: client_version is not a string.');
  assert.ok(!env.timers.delays().some((d) => d >= 500), 'no reconnect scheduled');
  assert.equal((await env.c.request({ type: 'status' })).code, 'offline');
  assert.equal(env.sockets.length, 1);
});
