'use strict';
// What the page sends through the background has the shapes of the golden
// requests in protocol/testdata/requests: the daemon decodes with
// DisallowUnknownFields, so a stray field would be refused.
const test = require('node:test');
const assert = require('node:assert/strict');
const { load, fixture, readJSON, contentScripts } = require('./helpers.js');

const golden = (name) => readJSON(`protocol/testdata/requests/${name}.json`);
const plain = (v) => JSON.parse(JSON.stringify(v));

// keysWithin asserts every key of got is a key the golden request has.
function keysWithin(got, want, what) {
  for (const k of Object.keys(got)) assert.ok(k in want, `${what}: field ${k} is not in the golden request`);
}

test('contacts_seen from both fixtures: golden fields, canonical slugs, at most 500', async (t) => {
  for (const name of ['classic.html', 'sdui.html']) {
    const sent = [];
    const chrome = {
      runtime: {
        id: 'test',
        sendMessage: async (m) => (sent.push(plain(m)), { type: 'error', code: 'offline', message: 'down' }),
        connect: () => ({ onMessage: { addListener() {} }, onDisconnect: { addListener() {} }, disconnect() {} }),
      },
    };
    const { win } = load(fixture(name), { chrome, files: contentScripts() });
    t.after(() => win.close());
    await new Promise((r) => setTimeout(r, 20));
    const seen = sent.filter((m) => m.kind === 'request' && m.request.type === 'contacts_seen');
    assert.equal(seen.length, 1, name);
    const req = seen[0].request;
    const g = golden('contacts_seen');
    keysWithin(req, g, 'contacts_seen');
    assert.equal(req.locale, 'en');
    assert.ok(req.contacts.length > 0 && req.contacts.length <= 500);
    for (const c of req.contacts) {
      keysWithin(c, g.contacts[0], 'contacts_seen.contacts[]');
      assert.ok(c.slug && c.name, JSON.stringify(c));
    }
    assert.ok(req.contacts.some((c) => c.slug === 'josé-garcía-núñez-4b1a2c3'));
  }
});

test('removal and note messages carry only golden fields', () => {
  const { tactful } = load('<!doctype html><body></body>', { files: ['lib/slug.js'] });
  assert.ok(tactful.slug);
  const { createPendingNotes } = require('../lib/pending-notes.js');
  // note_add, tags_set, fallout_mark as the queue builds them.
  const area = { data: {}, async get(k) { return { [k]: this.data[k] }; }, async set(o) { Object.assign(this.data, o); } };
  const q = createPendingNotes({ area, newID: () => 'n-1' });
  return q.add({ slug: 'ada-lovelace-1815', text: 'x', tags: ['inactive'], fallout: { days: 14, text: 'Heated thread.' } }).then(async () => {
    const sent = [];
    await q.deliver(async (r) => (sent.push(r), { type: 'annotation', annotation: {} }));
    const names = { note_add: 'note_add', tags_set: 'tags_set', fallout_mark: 'fallout_mark' };
    assert.deepEqual(sent.map((r) => r.type), ['note_add', 'tags_set', 'fallout_mark']);
    for (const r of sent) keysWithin(r, golden(names[r.type]), r.type);
    assert.deepEqual(sent[2], { type: 'fallout_mark', slug: 'ada-lovelace-1815', days: 14, text: 'Heated thread.' });
    keysWithin({ type: 'removal_intent', slug: 'a' }, golden('removal_intent'), 'removal_intent');
    keysWithin({ type: 'removal_outcome', slug: 'a', outcome: 'kept' }, golden('removal_outcome'), 'removal_outcome');
  });
});
