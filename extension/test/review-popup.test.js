// The popup's part of guided review: the "Review my network" button opens
// the review page in a tab; the "Due" list shows who is due, oldest first,
// and opens them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeRuntime, page, reply, settle } from './popup-harness.test.js';
import { startPopup } from '../popup/popup.js';

const connected = { connected: true, paired: true, address: '127.0.0.1:47291', pending: 0, lastError: '' };

function popup(answers = {}) {
  const doc = page('popup/popup.html');
  const runtime = fakeRuntime((m) => {
    if (m.kind === 'state') return connected;
    const { type } = m.request;
    if (answers[type]) return typeof answers[type] === 'function' ? answers[type](m.request) : answers[type];
    if (type === 'history_get') return reply('history');
    if (type === 'contact_get') return reply('contact');
    return { type: 'error', code: 'internal', message: 'unexpected' };
  });
  runtime.getURL = (path) => `chrome-extension://test-extension/${path}`;
  const created = [];
  const tabs = { create: (props) => (created.push(props), Promise.resolve({ id: 3 })), query: async () => [] };
  const p = startPopup(doc, { runtime, tabs, now: () => new Date(2026, 11, 1, 12) });
  return { doc, runtime, p, created };
}

const due = {
  type: 'review_queue', total: 2, items: [
    { slug: 'grace-hopper-1906', name: 'Grace Hopper', status: 'removal_planned', tags: [], note_count: 0, due_on: '2026-11-20', due_kind: 'remove', review: { decision: 'remove_on', on: '2026-11-20', at: '2026-10-01T10:00:00Z' } },
    { slug: 'ada-lovelace-1815', name: 'Ada Lovelace', status: 'reviewing', tags: ['inactive'], note_count: 1, due_on: '2026-11-28', due_kind: 'revisit', review: { decision: 'revisit', on: '2026-11-28', at: '2026-10-02T10:00:00Z' } },
  ],
};

test('“Review my network” opens the review page in a tab', async () => {
  const { doc, p, created } = popup({ review_queue: due });
  await p.ready;
  const button = doc.querySelector('[data-role="open-review"]');
  assert.equal(button.textContent, 'Review my network');
  button.click();
  assert.deepEqual(created, [{ url: 'chrome-extension://test-extension/review/review.html' }]);
});

test('the Due list asks for what is due and lists it oldest first, with what is due', async () => {
  const { doc, p, runtime } = popup({ review_queue: due });
  await p.ready;
  assert.deepEqual(runtime.requests('review_queue'), [{ type: 'review_queue', filter: { due: true }, limit: 20 }]);
  const items = [...doc.querySelectorAll('[data-role="due-item"]')];
  assert.deepEqual(items.map((li) => li.dataset.slug), ['grace-hopper-1906', 'ada-lovelace-1815']);
  assert.match(items[0].textContent, /^Grace Hopper · remove since \S.*20.*2026$/);
  assert.match(items[1].textContent, /^Ada Lovelace · revisit since .*28.*2026$/);
  items[1].querySelector('[data-role="open-contact"]').click();
  await settle();
  assert.deepEqual(runtime.requests('contact_get'), [{ type: 'contact_get', slug: 'ada-lovelace-1815' }]);
  assert.equal(doc.getElementById('contact-view').hidden, false);
});

test('nothing due says so; an offline daemon leaves the explaining to the status line', async () => {
  const empty = popup({ review_queue: { type: 'review_queue', total: 0, items: [] } });
  await empty.p.ready;
  assert.equal(empty.doc.querySelector('[data-role="due-message"]').textContent, 'Nothing is due.');
  const offline = popup({ review_queue: { type: 'error', code: 'offline', message: 'offline' } });
  await offline.p.ready;
  assert.equal(offline.doc.querySelector('[data-role="due-message"]').textContent, '');
  assert.equal(offline.doc.querySelectorAll('[data-role="due-item"]').length, 0);
});

test('a push redraws the Due list', async () => {
  let answer = { type: 'review_queue', total: 0, items: [] };
  const { doc, p, runtime } = popup({ review_queue: () => answer });
  await p.ready;
  answer = due;
  runtime.push({ kind: 'push', message: { type: 'contact_changed', slug: 'ada-lovelace-1815' } });
  await settle(300);
  assert.equal(doc.querySelectorAll('[data-role="due-item"]').length, 2);
});

test('the history shows reviews with their why line, and filters them', async () => {
  const { doc, p, runtime } = popup({ history_get: reply('history_review'), review_queue: due });
  await p.ready;
  const entries = [...doc.querySelectorAll('[data-role="history-entry"]')];
  const reviewed = entries.find((li) => li.dataset.kind === 'reviewed');
  assert.equal(reviewed.querySelector('[data-role="summary"]').textContent, 'Reviewed: remove on 12 Jan 2027');
  assert.equal(reviewed.querySelector('[data-role="note-text"]').textContent, 'We drifted apart after she left the meetup.');
  assert.ok(entries.some((li) => li.dataset.kind === 'reconnected'));
  const select = doc.getElementById('history-kind');
  select.value = 'reviews';
  select.dispatchEvent(new select.ownerDocument.defaultView.Event('change'));
  await settle();
  assert.deepEqual(runtime.requests('history_get').at(-1).kinds, ['reviewed', 'reconnected']);
});
