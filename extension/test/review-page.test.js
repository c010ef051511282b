// The review page against a fake daemon (review-fakes.js): filters, one
// person at a time, the five steps, the keyboard, saving, resuming, the
// cluster warning and the network picture.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { settle } from './popup-harness.test.js';
import { fakeDaemon, memoryStorage, now, reviewPage } from './review-fakes.js';
import { startReview, isTyping } from '../review/review.js';
import { resumeKey } from '../review/queue.js';

function open({ answers, storage = memoryStorage(), tabs } = {}) {
  const doc = reviewPage();
  const daemon = fakeDaemon(answers);
  const opened = [];
  const fakeTabs = tabs ?? { create: async (props) => (opened.push(props), { id: 9 }) };
  const r = startReview(doc, { runtime: daemon.runtime, tabs: fakeTabs, storage, now });
  const win = doc.defaultView;
  const key = (k, opts = {}, target = doc.activeElement ?? doc.body) => {
    target.dispatchEvent(new win.KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true, ...opts }));
  };
  const text = (role) => doc.querySelector(`[data-role="${role}"]`)?.textContent ?? null;
  const name = () => text('person-name');
  return { doc, win, r, daemon, opened, storage, key, text, name };
}

async function started(opts) {
  const p = open(opts);
  await p.r.ready;
  p.doc.querySelector('[data-role="filters"]').dispatchEvent(new p.win.Event('submit', { cancelable: true }));
  await settle(5);
  return p;
}

test('the filters ask the daemon for a queue and the first person is shown with everything known', async () => {
  const p = open();
  await p.r.ready;
  const { doc } = p;
  assert.equal(doc.getElementById('review-section').hidden, true, 'no queue before the person asks');
  doc.getElementById('filter-company').value = '  acme ';
  doc.getElementById('filter-years').value = '3';
  doc.getElementById('filter-tag').value = 'inactive';
  doc.getElementById('filter-never-seen').checked = true;
  doc.querySelector('[data-role="start"]').click();
  await settle(5);
  const [req] = p.daemon.runtime.requests('review_queue');
  assert.deepEqual(req, { type: 'review_queue', filter: { tags: ['inactive'], connected_before_years: 3, never_seen: true, company: 'acme' }, limit: 500 });
  assert.equal(doc.getElementById('review-section').hidden, false);
  assert.equal(p.name(), 'Grace Hopper', 'the fake filters by company only: Grace is first');
  assert.equal(doc.activeElement, doc.querySelector('[data-role="person-name"]'), 'the focus is on the person');
  assert.match(p.text('queue-title'), /tagged inactive/);
  assert.match(p.text('queue-title'), /connected more than 3 years ago/);
});

test('a person is shown with notes, tags, dates, history and the five steps', async () => {
  const p = await started();
  assert.equal(p.name(), 'Ada Lovelace');
  assert.equal(p.text('person-headline'), 'Programmer at Babbage & Co');
  assert.equal(p.doc.querySelector('[data-role="person-profile"]').href, 'https://www.linkedin.com/in/ada-lovelace-1815/');
  assert.equal(p.text('person-status'), 'Reviewing');
  assert.equal(p.text('person-tags'), 'inactive');
  assert.match(p.text('person-connected'), /2019/);
  assert.match(p.text('person-first-seen'), /2026/);
  assert.match(p.text('person-last-seen'), /2026/);
  assert.match(p.text('person-notes'), /Analytical Engine meetup/);
  assert.match(p.text('person-history'), /First seen on the connections page/);
  const steps = [...p.doc.querySelectorAll('[data-step]')].map((s) => s.querySelector('legend').textContent);
  assert.deepEqual(steps, ['Why', 'Assessment', 'Message or silence', 'Timing', 'Decision']);
  const checked = [...p.doc.querySelectorAll('[data-role="why-tag"]')].filter((b) => b.checked).map((b) => b.value);
  assert.deepEqual(checked, ['inactive'], 'the tags they have are ticked');
  assert.equal(p.doc.querySelectorAll('[data-role="drafts"] li').length, 1, 'the reminder’s kind drafts');
  assert.equal(p.doc.querySelector('[data-role="wait-until"]'), null, 'no wait for an old connection');
  const bar = p.doc.querySelector('[role="progressbar"]');
  assert.equal(bar.getAttribute('aria-valuemax'), '5');
  assert.equal(bar.getAttribute('aria-valuenow'), '0');
  assert.match(p.text('progress-label'), /Person 1 of 5/);
});

test('the keyboard drives the review: j, k, arrows, number keys and Enter save and move on', async () => {
  const p = await started();
  p.key('j');
  await settle(5);
  assert.equal(p.name(), 'Grace Hopper');
  assert.equal(p.text('person-last-seen'), 'Never on the connections page', 'imported, never seen');
  p.key('ArrowRight');
  await settle(5);
  assert.equal(p.name(), 'Alan Turing');
  p.key('k');
  await settle(5);
  assert.equal(p.name(), 'Grace Hopper');
  p.key('ArrowLeft');
  await settle(5);
  assert.equal(p.name(), 'Ada Lovelace');

  // Ada: keep, with a line typed in the why field.
  p.doc.getElementById('why-line').value = '  Still   a friend ';
  p.key('1');
  assert.equal(p.doc.getElementById('decision-keep').checked, true);
  p.key('Enter');
  await settle(10);
  assert.deepEqual(p.daemon.saved[0], {
    type: 'review_save', slug: 'ada-lovelace-1815', tags: ['inactive'], why: 'Still a friend', assessment: '', message: '', draft: '', decision: 'keep',
  });
  assert.equal(p.name(), 'Grace Hopper', 'Enter saved and moved on');
  assert.match(p.text('review-message'), /Saved for Ada Lovelace: keep\./);
  assert.equal(p.doc.querySelector('[role="progressbar"]').getAttribute('aria-valuenow'), '1');

  // Grace: revisit on a date: the date field shows, with a default a month on.
  p.key('5');
  const on = p.doc.getElementById('decision-on');
  assert.equal(on.closest('[data-role="on-field"]').hidden, false);
  assert.equal(on.value, '2026-12-31');
  assert.equal(on.min, '2026-12-01');
  on.value = '2027-01-12';
  p.doc.querySelector('[data-role="why-tag"][value="interests-drifted"]').checked = true;
  p.key('Enter');
  await settle(10);
  assert.equal(p.daemon.saved[1].decision, 'revisit');
  assert.equal(p.daemon.saved[1].on, '2027-01-12');
  assert.deepEqual(p.daemon.saved[1].tags, ['interests-drifted']);
  assert.equal(p.name(), 'Alan Turing');
});

test('keys typed in a field are the person’s: only Ctrl+Enter saves from there', async () => {
  const p = await started();
  const field = p.doc.getElementById('assessment-line');
  field.focus();
  for (const k of ['j', 'k', '1', '?', 'ArrowRight', 'Enter']) p.key(k, {}, field);
  await settle(5);
  assert.equal(p.name(), 'Ada Lovelace', 'no move');
  assert.equal(p.doc.querySelector('[data-role="decision-choice"]:checked'), null, 'no decision chosen');
  assert.equal(p.doc.getElementById('help').open, false, 'no help');
  assert.equal(p.daemon.saved.length, 0);
  p.doc.getElementById('decision-unfollow').checked = true;
  p.doc.getElementById('decision-unfollow').dispatchEvent(new p.win.Event('change'));
  p.key('Enter', { ctrlKey: true }, field);
  await settle(10);
  assert.equal(p.daemon.saved.length, 1);
  assert.equal(p.daemon.saved[0].decision, 'unfollow');
  assert.equal(isTyping(p.doc.getElementById('draft')), true);
  assert.equal(isTyping(p.doc.getElementById('decision-keep')), false);
});

test('saving without a decision says what is missing and sends nothing', async () => {
  const p = await started();
  p.key('Enter', {}, p.doc.body);
  await settle(5);
  assert.equal(p.daemon.saved.length, 0);
  assert.match(p.text('review-message'), /Choose a decision first/);
  assert.equal(p.doc.getElementById('review-message').dataset.outcome, 'error');
});

test('the daemon’s refusal is shown as its sentence and the person stays', async () => {
  const sentence = 'The date 2026-11-30 is in the past; pick today (1 Dec 2026) or later.';
  const p = await started({ answers: { review_save: { type: 'error', code: 'invalid_field', message: sentence } } });
  p.key('4');
  p.key('Enter');
  await settle(10);
  assert.equal(p.text('review-message'), sentence);
  assert.equal(p.name(), 'Ada Lovelace');
  assert.equal(p.doc.querySelector('[role="progressbar"]').getAttribute('aria-valuenow'), '0');
});

test('“Remove now” opens the profile in a new tab and nothing else', async () => {
  const p = await started();
  p.key('3');
  assert.equal(p.doc.querySelector('[data-role="remove-now-hint"]').hidden, false);
  p.key('Enter');
  await settle(10);
  assert.deepEqual(p.opened, [{ url: 'https://www.linkedin.com/in/ada-lovelace-1815/', active: false }]);
  assert.equal(p.daemon.saved[0].decision, 'remove_now');
  assert.equal('on' in p.daemon.saved[0], false, 'no date for remove now');
  assert.match(p.text('review-message'), /profile is open in a new tab/);
  const types = p.daemon.runtime.requests().map((r) => r.type);
  assert.ok(types.every((t) => ['review_queue', 'contact_get', 'review_save', 'removal_plan_get', 'network_summary'].includes(t)), types.join());
});

test('timing says “wait until DATE” and a dated decision starts there', async () => {
  const p = await started();
  await p.r.show(2);
  assert.equal(p.name(), 'Alan Turing');
  assert.match(p.text('wait-until'), /^Wait until .*2026\.$/);
  assert.match(p.text('timing'), /Recently connected/);
  p.key('4');
  assert.equal(p.doc.getElementById('decision-on').value, '2026-12-21');
});

test('a removed person gets reconnection drafts with copy buttons and a revisit date', async () => {
  const p = await started();
  const copied = [];
  Object.defineProperty(p.win.navigator, 'clipboard', { value: { writeText: async (t) => copied.push(t) } });
  await p.r.show(3);
  assert.equal(p.name(), 'Katherine Johnson');
  assert.match(p.text('person-decision'), /remove now/, 'Katherine’s earlier decision is shown');
  assert.equal(p.doc.querySelector('[data-step="message"] legend').textContent, 'The way back');
  const drafts = p.doc.querySelectorAll('[data-role="reconnect-drafts"] li');
  assert.equal(drafts.length, 2);
  drafts[0].querySelector('[data-role="copy"]').click();
  await settle();
  assert.deepEqual(copied, ['Hi Katherine, I have missed your updates. Shall we reconnect?']);
  assert.equal(drafts[0].querySelector('[data-role="copy"]').textContent, 'Copied');
  drafts[1].querySelector('[data-role="use-draft"]').click();
  assert.equal(p.doc.getElementById('draft').value, 'Hi Katherine, it would be good to be in touch again.');
  p.key('5', {}, p.doc.body);
  p.key('Enter', {}, p.doc.body);
  await settle(10);
  assert.equal(p.daemon.saved[0].decision, 'revisit');
  assert.equal(p.daemon.saved[0].message, 'write');
  assert.equal(p.daemon.saved[0].draft, 'Hi Katherine, it would be good to be in touch again.');
});

test('names and headlines from the daemon are text, never markup', async () => {
  const p = await started();
  await p.r.show(4);
  assert.equal(p.name(), '<img src=x onerror=alert(1)>');
  assert.equal(p.text('person-headline'), '<b>bold</b>');
  assert.equal(p.doc.querySelectorAll('#person img, #person b').length, 0);
});

test('the review resumes where the person left off', async () => {
  const storage = memoryStorage();
  const first = await started({ storage });
  first.key('j');
  await settle(5);
  first.key('2');
  first.key('Enter');
  await settle(10);
  assert.equal(first.name(), 'Alan Turing');
  const saved = JSON.parse(storage.getItem(resumeKey));
  assert.equal(saved.slug, 'alan-turing');
  assert.deepEqual(saved.decided, ['grace-hopper-1906']);

  const again = open({ storage });
  await again.r.ready;
  await settle(5);
  assert.equal(again.name(), 'Alan Turing', 'opened again, the same person');
  assert.match(again.text('review-message'), /Resumed where you left off: Alan Turing/);
  assert.equal(again.doc.querySelector('[role="progressbar"]').getAttribute('aria-valuenow'), '1');
});

test('a damaged resume record is ignored', async () => {
  const p = open({ storage: memoryStorage({ [resumeKey]: '{not json' }) });
  await p.r.ready;
  assert.equal(p.doc.getElementById('review-section').hidden, true);
});

test('an empty queue says so; the due filter says nothing is due', async () => {
  const p = open();
  await p.r.ready;
  p.doc.getElementById('filter-due').checked = true;
  p.doc.querySelector('[data-role="start"]').click();
  await settle(5);
  assert.deepEqual(p.daemon.runtime.requests('review_queue')[0].filter, { due: true });
  assert.equal(p.text('queue-message'), 'Nothing is due.');
  assert.equal(p.doc.getElementById('review-section').hidden, true);
});

test('the daemon offline: the queue request says so in the daemon’s words', async () => {
  const p = open({ answers: { review_queue: { type: 'error', code: 'offline', message: 'offline' } } });
  await p.r.ready;
  p.doc.querySelector('[data-role="start"]').click();
  await settle(5);
  assert.match(p.text('queue-message'), /tactful daemon is not running/);
});

test('? opens the help and Escape closes it', async () => {
  const p = await started();
  p.key('?', {}, p.doc.body);
  assert.equal(p.doc.getElementById('help').open, true);
  p.key('j', {}, p.doc.body);
  await settle(5);
  assert.equal(p.name(), 'Ada Lovelace', 'keys do not reach the review behind the help');
  p.key('Escape', {}, p.doc.body);
  assert.equal(p.doc.getElementById('help').open, false);
});

test('clustered planned removals are warned about; “Spread them out” shows dates and applies them', async () => {
  const cluster = { kind: 'company', key: 'acme', count: 2, total: 3, slugs: ['grace-hopper-1906', 'alan-turing'], sentence: '2 of your 3 planned removals work at Acme; removing them in one week may be noticed.' };
  const schedule = [{ slug: 'grace-hopper-1906', name: 'Grace Hopper', on: '2026-12-02' }, { slug: 'alan-turing', name: 'Alan Turing', on: '2026-12-21' }];
  const applied = [];
  const p = open({
    answers: {
      removal_plan_get: () => (applied.length ? { type: 'removal_plan', planned: 3, clusters: [], schedule: [] } : { type: 'removal_plan', planned: 3, clusters: [cluster], schedule }),
      removal_plan_apply: (req) => (applied.push(req), { type: 'removal_plan', planned: 3, clusters: [], schedule: [] }),
    },
  });
  await p.r.ready;
  const warning = p.doc.querySelector('[data-role="cluster-warning"]');
  assert.equal(warning.getAttribute('role'), 'alert');
  assert.equal(p.text('cluster'), cluster.sentence);
  assert.equal(p.doc.querySelector('[data-role="schedule"]'), null, 'no plan until asked');
  p.doc.querySelector('[data-role="spread"]').click();
  const rows = [...p.doc.querySelectorAll('[data-role="schedule-table"] tbody tr')].map((tr) => [tr.dataset.slug, tr.cells[0].textContent]);
  assert.deepEqual(rows, [['grace-hopper-1906', 'Grace Hopper'], ['alan-turing', 'Alan Turing']]);
  assert.equal(applied.length, 0, 'showing the plan changes nothing');
  p.doc.querySelector('[data-role="apply-plan"]').click();
  await settle(5);
  assert.deepEqual(applied, [{ type: 'removal_plan_apply', schedule: [{ slug: 'grace-hopper-1906', on: '2026-12-02' }, { slug: 'alan-turing', on: '2026-12-21' }] }]);
  assert.match(p.text('plan-message'), /2 dates saved/);
  assert.equal(p.doc.querySelector('[data-role="cluster-warning"]'), null);
});

test('the network picture counts by status and tag and draws decisions per month', async () => {
  const p = open();
  await p.r.ready;
  assert.match(p.text('picture-total'), /^5 connections known to tactful/);
  const status = [...p.doc.querySelectorAll('[data-role="by-status"] li')].map((li) => `${li.querySelector('.bar-label').textContent}=${li.querySelector('.bar-count').textContent}`);
  assert.deepEqual(status, ['No status=2', 'Reviewing=1', 'Removed=1', 'Keep=1']);
  const tags = [...p.doc.querySelectorAll('[data-role="by-tag"] li')].map((li) => li.dataset.key);
  assert.deepEqual(tags, ['inactive', 'keep']);
  const chart = p.doc.querySelector('[data-role="decisions-chart"]');
  assert.equal(chart.getAttribute('role'), 'img');
  assert.equal(chart.getAttribute('aria-label'), 'Decisions in the last 2 months: 1 kept, 1 unfollow, 2 remove, 1 revisit, 1 removed, 1 reconnected');
  assert.equal(chart.querySelectorAll('rect').length, 6, 'one rect per month and kind with decisions');
});

test('a push from the daemon redraws the overview, not the person being decided', async () => {
  const p = await started();
  p.doc.getElementById('why-line').value = 'typing…';
  const before = p.daemon.runtime.requests('network_summary').length;
  p.daemon.runtime.push({ kind: 'push', message: { type: 'contact_changed', slug: 'ada-lovelace-1815' } });
  await settle(450);
  assert.equal(p.daemon.runtime.requests('network_summary').length, before + 1);
  assert.equal(p.doc.getElementById('why-line').value, 'typing…');
});

test('arrow keys on a radio button stay the radio group’s', async () => {
  const p = await started();
  const radio = p.doc.getElementById('decision-keep');
  radio.focus();
  p.key('ArrowRight', {}, radio);
  p.key('ArrowLeft', {}, radio);
  await settle(5);
  assert.equal(p.name(), 'Ada Lovelace');
  p.key('j', {}, radio);
  await settle(5);
  assert.equal(p.name(), 'Grace Hopper', 'j still moves on');
});

test('opened while the daemon is down, the review resumes once it connects', async () => {
  const storage = memoryStorage({ 'tactful.review.v1': JSON.stringify({ filter: {}, slug: 'alan-turing', decided: [] }) });
  const doc = reviewPage();
  const daemon = fakeDaemon();
  let up = false;
  const handle = daemon.runtime.sendMessage.bind(daemon.runtime);
  daemon.runtime.sendMessage = async (m) => {
    if (m.kind === 'state') return up ? daemon.state : { connected: false, paired: true, address: '127.0.0.1:47291', pending: 0, lastError: 'refused' };
    if (!up) return { type: 'error', code: 'offline', message: 'offline' };
    return handle(m);
  };
  const r = startReview(doc, { runtime: daemon.runtime, tabs: {}, storage, now });
  await r.ready;
  assert.match(doc.querySelector('[data-role="queue-message"]').textContent, /daemon is not running/);
  assert.match(doc.getElementById('connection').textContent, /No tactful daemon answers/);
  up = true;
  daemon.runtime.push({ kind: 'state', state: daemon.state });
  await settle(10);
  assert.equal(doc.querySelector('[data-role="person-name"]').textContent, 'Alan Turing');
});

test('a network with no decisions yet says so instead of an empty chart', async () => {
  const months = Array.from({ length: 12 }, (_, i) => ({ month: `2026-${String(i + 1).padStart(2, '0')}`, keep: 0, unfollow: 0, remove: 0, revisit: 0, removed: 0, reconnected: 0 }));
  const p = open({ answers: { network_summary: { type: 'network_summary', total: 3, by_status: { none: 3 }, by_tag: [], decisions_by_month: months, due: 0 } } });
  await p.r.ready;
  assert.equal(p.doc.querySelector('[data-role="decisions-chart"]'), null);
  assert.match(p.text('no-decisions'), /^No decisions yet/);
});
