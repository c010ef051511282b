import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blank, fakeRuntime, reply, settle } from './popup-harness.test.js';
import { buildHistoryRequest, createHistoryView, kindFilters } from '../popup/history-view.js';
import '../lib/protocol.js';
import { createClient } from '../popup/runtime.js';

function view(handler, opts = {}) {
  const doc = blank();
  const runtime = fakeRuntime(handler);
  const client = createClient(runtime);
  const opened = [];
  const v = createHistoryView(doc.getElementById('root'), {
    request: client.request, debounceMs: 20, onOpenContact: (slug, name) => opened.push({ slug, name }), ...opts,
  });
  const entries = () => [...doc.querySelectorAll('[data-role="history-entry"]')];
  return { doc, runtime, v, entries, opened };
}

test('history shows events newest first with date, name, summary and note text', async () => {
  const page = reply('history');
  const newestFirst = page.events.map((e) => e.id);
  page.events.reverse(); // the view orders by id whatever the order on the wire
  const { doc, v, entries } = view(() => page);
  await v.reload();
  assert.deepEqual(entries().map((li) => li.dataset.id), newestFirst);
  const [first, , last] = entries();
  assert.equal(first.querySelector('[data-role="open-contact"]').textContent, 'Ada Lovelace');
  assert.equal(first.querySelector('[data-role="summary"]').textContent, 'Kept the connection');
  assert.equal(first.querySelector('time').getAttribute('datetime'), '2026-11-29T10:20:00Z');
  assert.match(first.querySelector('time').textContent, /2026/);
  assert.equal(last.querySelector('[data-role="note-text"]').textContent, 'Met at the Analytical Engine meetup. Posts rarely now.');
  assert.equal(first.querySelector('[data-role="note-text"]'), null, 'an outcome has no note text');
  assert.equal(doc.getElementById('history-more').hidden, false, 'next_cursor means more');
});

test('daemon strings go into the DOM as text, never as markup', async () => {
  const evil = '<img src=x onerror=alert(1)>';
  const page = reply('history');
  for (const e of page.events) {
    e.name = evil;
    e.summary = `<b>${evil}</b>`;
    e.text = `<script>alert(1)</script>${evil}`;
  }
  const { doc, v, entries } = view(() => page);
  await v.reload();
  assert.equal(doc.querySelectorAll('img, script, b').length, 0);
  assert.equal(entries()[0].querySelector('[data-role="open-contact"]').textContent, evil);
  assert.equal(entries()[0].querySelector('[data-role="summary"]').textContent, `<b>${evil}</b>`);
});

test('long note text is clipped', async () => {
  const page = reply('history');
  page.events[2].text = 'word '.repeat(200);
  const { v, entries } = view(() => page);
  await v.reload();
  const shown = entries()[2].querySelector('[data-role="note-text"]').textContent;
  assert.ok(shown.length <= 160, `${shown.length} characters`);
  assert.ok(shown.endsWith('…'));
});

test('Load more sends next_cursor and appends the next page', async () => {
  const second = {
    type: 'history', id: '14', events: [
      { id: '18ec7c00000000000000000000000041', at: '2026-11-28T09:00:00Z', slug: 'grace-hopper', name: 'Grace Hopper', kind: 'tags_changed', summary: 'Tags set to keep', tags: ['keep'] },
    ],
  };
  const { doc, runtime, v, entries } = view((m) => (m.request.cursor ? second : reply('history')));
  await v.reload();
  doc.getElementById('history-more').click();
  await settle();
  const [firstReq, nextReq] = runtime.requests('history_get');
  assert.equal(firstReq.cursor, undefined);
  assert.equal(nextReq.cursor, reply('history').next_cursor);
  assert.equal(nextReq.limit, firstReq.limit);
  assert.deepEqual(entries().map((li) => li.dataset.id), [...reply('history').events.map((e) => e.id), '18ec7c00000000000000000000000041']);
  assert.equal(doc.getElementById('history-more').hidden, true, 'no next_cursor, no more');
});

test('the Kind filter sends the matching event kinds and starts over', async () => {
  const { doc, runtime, v } = view(() => reply('history'));
  await v.reload();
  const select = doc.getElementById('history-kind');
  assert.equal(doc.querySelector('label[for="history-kind"]').textContent, 'Kind');
  assert.deepEqual([...select.options].map((o) => o.value), ['all', 'notes', 'tags', 'disagreements', 'reminders', 'outcomes', 'reviews']);
  const expected = {
    notes: ['note_added', 'note_edited', 'note_deleted'],
    tags: ['tags_changed', 'status_changed'],
    disagreements: ['fallout_marked'],
    reminders: ['reminder_shown'],
    outcomes: ['outcome'],
    reviews: ['reviewed', 'reconnected'],
    all: undefined,
  };
  for (const [value, kinds] of Object.entries(expected)) {
    select.value = value;
    select.dispatchEvent(new select.ownerDocument.defaultView.Event('change'));
    await settle();
    const last = runtime.requests('history_get').at(-1);
    assert.deepEqual(last.kinds, kinds, value);
    assert.equal(last.cursor, undefined, 'a new filter starts from the newest');
  }
});

test('every kind the filter names is a protocol event kind', () => {
  const known = globalThis.tactful.protocol.eventKinds;
  for (const f of kindFilters) for (const k of f.kinds) assert.ok(known.includes(k), k);
});

test('search is debounced and sends query with the kind filter', async () => {
  const { doc, runtime, v } = view(() => reply('history'));
  await v.reload();
  const win = doc.defaultView;
  const select = doc.getElementById('history-kind');
  select.value = 'notes';
  select.dispatchEvent(new win.Event('change'));
  await settle();
  const before = runtime.requests('history_get').length;
  const input = doc.getElementById('history-search');
  assert.equal(doc.querySelector('label[for="history-search"]').textContent, 'Search');
  for (const text of ['a', 'ad', 'ada']) {
    input.value = text;
    input.dispatchEvent(new win.Event('input'));
  }
  assert.equal(runtime.requests('history_get').length, before, 'nothing sent while typing');
  await settle(60);
  const sent = runtime.requests('history_get').slice(before);
  assert.equal(sent.length, 1);
  assert.equal(sent[0].query, 'ada');
  assert.deepEqual(sent[0].kinds, ['note_added', 'note_edited', 'note_deleted']);
});

test('buildHistoryRequest leaves out empty filters and bounds the limit', () => {
  assert.deepEqual(buildHistoryRequest({}), { type: 'history_get', limit: 50 });
  assert.deepEqual(buildHistoryRequest({ filter: 'outcomes', query: '  ada ', cursor: '42', limit: 999 }),
    { type: 'history_get', limit: 200, kinds: ['outcome'], query: 'ada', cursor: '42' });
});

test('a stale reply does not overwrite a newer one', async () => {
  let resolveSlow;
  const slow = new Promise((r) => { resolveSlow = r; });
  const fresh = { type: 'history', events: [{ id: '18e3000000000000000000000000000f', at: '2026-11-01T12:00:00Z', slug: 'a', name: 'New', kind: 'outcome', summary: 'Removed', outcome: 'removed' }] };
  let calls = 0;
  const { v, entries } = view(() => (++calls === 1 ? slow : fresh));
  const first = v.reload();
  await v.reload();
  resolveSlow(reply('history'));
  await first;
  assert.deepEqual(entries().map((li) => li.dataset.id), ['18e3000000000000000000000000000f']);
});

test('clicking a name opens that contact', async () => {
  const { doc, v, opened } = view(() => reply('history'));
  await v.reload();
  doc.querySelector('[data-role="open-contact"]').click();
  assert.deepEqual(opened, [{ slug: 'ada-lovelace-1815', name: 'Ada Lovelace' }]);
});

test('an error reply is shown; offline defers to the connection status', async () => {
  let r = view(() => reply('error'));
  await r.v.reload();
  assert.equal(r.doc.getElementById('history-message').textContent, reply('error').message);
  r = view(() => ({ type: 'error', code: 'offline', message: 'not reachable' }));
  await r.v.reload();
  assert.match(r.doc.getElementById('history-message').textContent, /once the tactful daemon is connected/);
});
