// The review page against the protocol's own golden vectors
// (protocol/testdata, written by Go): the replies it draws and the
// requests it sends must be the daemon's shapes, so a renamed field fails
// here instead of silently in a browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fakeRuntime, reply, settle } from './popup-harness.test.js';
import { memoryStorage, reviewPage } from './review-fakes.js';
import { startReview } from '../review/review.js';
import { queueRequest } from '../review/queue.js';

const request = (name) => JSON.parse(readFileSync(new URL(`../../protocol/testdata/requests/${name}.json`, import.meta.url), 'utf8'));
const keys = (o) => Object.keys(o).filter((k) => k !== 'id').sort();

function goldenPage() {
  const doc = reviewPage();
  const runtime = fakeRuntime((m) => {
    if (m.kind === 'state') return { connected: true, paired: true, address: '127.0.0.1:47291', pending: 0 };
    const { type, slug } = m.request;
    switch (type) {
      case 'review_queue': return reply('review_queue');
      case 'contact_get': return slug === 'charles-babbage' ? reply('contact_removed') : reply('contact');
      case 'review_save': return reply('contact');
      case 'removal_plan_get': return reply('removal_plan');
      case 'network_summary': return reply('network_summary');
      default: return { type: 'error', code: 'unknown_type', message: type };
    }
  });
  const r = startReview(doc, { runtime, tabs: { create: async () => ({}) }, storage: memoryStorage(), now: () => new Date(2026, 11, 1, 12) });
  return { doc, runtime, r, text: (role) => doc.querySelector(`[data-role="${role}"]`)?.textContent ?? null };
}

test('the filter request has only the wire fields of review_queue', () => {
  const golden = request('review_queue');
  const mine = queueRequest({ tag: 'inactive', status: 'reviewing', years: 3, neverSeen: true, neverAnnotated: true, company: 'acme', due: true }, 200);
  assert.deepEqual(keys(mine), keys(golden));
  assert.deepEqual(Object.keys(mine.filter).sort(), Object.keys(golden.filter).sort());
  assert.deepEqual(keys(queueRequest({ due: true })), keys(request('review_queue_due')).concat('limit').sort());
});

test('golden replies: the queue, the person with advice, the plan and the picture are drawn', async () => {
  const p = goldenPage();
  await p.r.ready;
  assert.match(p.text('picture-total'), /^412 connections known to tactful; 2 due/);
  assert.equal(p.text('cluster'), '3 of your 4 planned removals work at Acme; removing them in one week may be noticed.');
  p.doc.querySelector('[data-role="start"]').click();
  await settle(5);
  assert.match(p.text('progress-label'), /Person 1 of 3/);
  assert.equal(p.text('person-name'), 'Ada Lovelace', 'contact_get’s answer is drawn');
  assert.match(p.text('wait-until'), /^Wait until .*2027\.$/);
  assert.match(p.text('person-decision'), /^revisit on .*2027/);
  assert.equal(p.doc.getElementById('decision-revisit').checked, true, 'the latest decision is preselected');
  assert.equal(p.doc.getElementById('decision-on').value, '2027-01-12');
  assert.equal(p.doc.getElementById('why-line').value, 'Posts rarely now.');
  assert.equal(p.doc.querySelectorAll('[data-role="drafts"] li').length, 2);

  // What the page sends to save is the golden review_save's shape.
  p.doc.getElementById('message-1').checked = true;
  p.doc.getElementById('draft').value = 'Hi Ada';
  p.r.save();
  await settle(5);
  const [sent] = p.runtime.requests('review_save');
  assert.deepEqual(keys(sent), keys(request('review_save')));
  assert.equal(sent.on, '2027-01-12');

  // Someone removed: the reconnection drafts.
  await p.r.show(1);
  assert.equal(p.doc.querySelectorAll('[data-role="reconnect-drafts"] li').length, 2);
});

test('the plan applies with the golden removal_plan_apply shape', async () => {
  const p = goldenPage();
  await p.r.ready;
  p.doc.querySelector('[data-role="spread"]').click();
  p.doc.querySelector('[data-role="apply-plan"]').click();
  await settle(5);
  const [sent] = p.runtime.requests('removal_plan_apply');
  const golden = request('removal_plan_apply');
  assert.deepEqual(keys(sent), keys(golden));
  assert.deepEqual(sent.schedule.map((s) => Object.keys(s).sort()), sent.schedule.map(() => ['on', 'slug']));
  assert.equal(sent.schedule.length, reply('removal_plan').schedule.length);
});
