'use strict';
// The pending-notes queue: a client id chosen once, every note delivered
// once, an entry removed only after the daemon acknowledged it.
const test = require('node:test');
const assert = require('node:assert/strict');
const { readJSON } = require('./helpers.js');
const { FakeArea } = require('./fakes.js');
const { createPendingNotes, validateNote } = require('../lib/pending-notes.js');

const saved = readJSON('protocol/testdata/replies/note_saved.json');
const annotation = readJSON('protocol/testdata/replies/annotation.json');

function queue(area = new FakeArea()) {
  let n = 0;
  return { area, q: createPendingNotes({ area, newID: () => 'n-test-' + ++n }) };
}

test('a queued note survives in storage with its id until delivered', async () => {
  const { area, q } = queue();
  const e = await q.add({ slug: 'ada-lovelace-1815', text: '  Met at the meetup.  ' });
  assert.equal(e.note_id, 'n-test-1');
  assert.equal(e.text, 'Met at the meetup.');
  // A fresh queue over the same storage (the service worker restarted) sees it.
  const again = createPendingNotes({ area });
  assert.equal(await again.count(), 1);
  assert.equal((await again.all())[0].note_id, 'n-test-1');
});

test('the note_add sent has the golden request shape and the stored id', async () => {
  const { q } = queue();
  await q.add({ slug: 'ada-lovelace-1815', text: 'Met at the Analytical Engine meetup. Posts rarely now.' });
  const sent = [];
  await q.deliver(async (req) => (sent.push(req), { ...saved, note: { ...saved.note, id: req.note_id } }));
  const golden = readJSON('protocol/testdata/requests/note_add.json');
  assert.deepEqual(Object.keys(sent[0]).sort(), Object.keys(golden).filter((k) => k !== 'id').sort());
  assert.equal(sent[0].type, 'note_add');
  assert.equal(sent[0].note_id, 'n-test-1');
  assert.equal(await q.count(), 0);
});

test('offline: nothing is lost, and a retry resends the same note id', async () => {
  const { q } = queue();
  await q.add({ slug: 'ada-lovelace-1815', text: 'one' });
  await q.add({ slug: 'grace-hopper-1906', text: 'two' });
  const sent = [];
  const r1 = await q.deliver(async (req) => (sent.push(req), { type: 'error', code: 'offline', message: 'down' }));
  assert.equal(r1.stopped, true);
  assert.equal(sent.length, 1, 'stops at the first failure');
  assert.equal(await q.count(), 2);
  const delivered = [];
  const r2 = await q.deliver(async (req) => (sent.push(req), { ...saved, note: { id: req.note_id } }), { onDelivered: (e) => delivered.push(e.note_id) });
  assert.deepEqual(r2, { delivered: 2, dropped: 0, stopped: false });
  assert.deepEqual(sent.map((r) => r.note_id), ['n-test-1', 'n-test-1', 'n-test-2']);
  assert.deepEqual(delivered, ['n-test-1', 'n-test-2']);
  assert.equal(await q.count(), 0);
});

test('concurrent deliveries send each note once', async () => {
  const { q } = queue();
  await q.add({ slug: 'ada-lovelace-1815', text: 'one' });
  const sent = [];
  const slow = async (req) => {
    sent.push(req);
    await new Promise((r) => setTimeout(r, 10));
    return { ...saved };
  };
  const a = q.deliver(slow);
  const b = q.deliver(slow);
  await q.add({ slug: 'grace-hopper-1906', text: 'two' });
  q.deliver(slow);
  await Promise.all([a, b]);
  assert.deepEqual(sent.map((r) => r.slug), ['ada-lovelace-1815', 'grace-hopper-1906']);
  assert.equal(await q.count(), 0);
});

test('tags and fallout follow the note; acknowledged steps are not repeated', async () => {
  const { q } = queue();
  await q.add({ slug: 'ada-lovelace-1815', text: 'We argued.', tags: ['inactive', 'reputation'], fallout: true });
  const sent = [];
  let failFallout = true;
  const send = async (req) => {
    sent.push(req.type);
    if (req.type === 'fallout_mark' && failFallout) return { type: 'error', code: 'offline', message: 'down' };
    return req.type === 'note_add' ? saved : annotation;
  };
  await q.deliver(send);
  assert.deepEqual(sent, ['note_add', 'tags_set', 'fallout_mark']);
  assert.equal(await q.count(), 1, 'kept until the fallout is acknowledged');
  failFallout = false;
  let result = null;
  await q.deliver(send, { onDelivered: (e, r) => (result = r) });
  assert.deepEqual(sent, ['note_add', 'tags_set', 'fallout_mark', 'fallout_mark']);
  assert.equal(await q.count(), 0);
  assert.equal(result.annotation.slug, 'ada-lovelace-1815');
});

test('a note the daemon refuses for good is dropped, not retried forever', async () => {
  const { q } = queue();
  await q.add({ slug: 'ada-lovelace-1815', text: 'x' });
  const dropped = [];
  const r = await q.deliver(async () => ({ type: 'error', code: 'conflict', message: 'used' }), { onDropped: (e, err) => dropped.push(err.code) });
  assert.deepEqual(r, { delivered: 0, dropped: 1, stopped: false });
  assert.deepEqual(dropped, ['conflict']);
  assert.equal(await q.count(), 0);
});

test('validateNote refuses what the daemon would refuse', () => {
  assert.equal(validateNote({ slug: 'ada', text: '  ' }).code, 'missing_field');
  assert.equal(validateNote({ slug: 'ada', text: 'x'.repeat(10001) }).code, 'note_too_large');
  assert.equal(validateNote({ slug: 'ada', text: '😀'.repeat(10000) }), null, 'characters, not UTF-16 units');
  assert.equal(validateNote({ slug: '', text: 'x' }).code, 'missing_field');
});
