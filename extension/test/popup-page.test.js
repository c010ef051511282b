// The whole popup page against a fake background script.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeRuntime, page, reply, settle } from './popup-harness.test.js';
import { startPopup } from '../popup/popup.js';

const now = () => new Date(2026, 10, 29, 12);

function popup(state, answers = {}) {
  const doc = page('popup/popup.html');
  const runtime = fakeRuntime((m) => {
    if (m.kind === 'state') return state;
    if (m.kind === 'pair') return answers.pair ?? { ok: true, daemonVersion: '0.1.0' };
    const { type } = m.request;
    if (answers[type]) return typeof answers[type] === 'function' ? answers[type](m.request) : answers[type];
    if (type === 'history_get') return m.request.cursor ? { type: 'history', id: '2', events: [] } : reply('history');
    if (type === 'contact_get') return reply('contact');
    return { type: 'error', code: 'internal', message: 'unexpected' };
  });
  const p = startPopup(doc, { runtime, now });
  return { doc, runtime, p, text: (sel) => doc.querySelector(sel)?.textContent };
}

const connected = { connected: true, paired: true, address: '127.0.0.1:47291', pending: 0, lastError: '' };

test('connected: the status line, the timeline and the chart are drawn', async () => {
  const { doc, p, text } = popup(connected);
  await p.ready;
  assert.equal(text('[data-role="connection"]'), 'Connected to tactful on 127.0.0.1:47291.');
  assert.equal(doc.querySelectorAll('[data-role="history-entry"]').length, 3);
  assert.equal(doc.querySelector('svg[role="img"]').getAttribute('aria-label'), 'Last 12 months: 0 removals, 0 unfollows, 1 note');
  assert.equal(doc.querySelector('[data-role="pending"]'), null);
});

test('daemon unreachable: the popup says exactly what to run', async () => {
  const { doc, p } = popup({ connected: false, paired: true, address: '127.0.0.1:47291', pending: 2, lastError: 'dial failed' },
    { history_get: { type: 'error', code: 'offline', message: 'offline' } });
  await p.ready;
  const status = doc.getElementById('connection').textContent;
  assert.match(status, /No tactful daemon answers on 127\.0\.0\.1:47291\./);
  assert.match(status, /Run tactful serve once, or tactful service install to start it at every login\./);
  assert.equal(doc.querySelector('[data-role="pending"]').textContent, '2 notes waiting to sync');
  assert.match(doc.querySelector('[data-role="last-error"]').textContent, /dial failed/);
  assert.equal(doc.querySelector('[data-role="pairing-form"]'), null);
});

test('unpaired: the pairing form is shown and pairing uses the state’s address', async () => {
  const { doc, p, runtime } = popup({ connected: false, paired: false, address: '127.0.0.1:47291', pending: 1 });
  await p.ready;
  assert.match(doc.getElementById('connection').textContent, /tactful pair/);
  assert.equal(doc.querySelector('[data-role="pending"]').textContent, '1 note waiting to sync');
  const code = doc.getElementById('popup-pairing-code');
  assert.equal(doc.querySelector(`label[for="${code.id}"]`).textContent, 'Pairing code');
  code.value = 'c0de';
  doc.getElementById('popup-pairing-submit').click();
  await settle();
  assert.deepEqual(runtime.sent.find((m) => m.kind === 'pair'), { kind: 'pair', address: '127.0.0.1:47291', code: 'c0de' });
  assert.equal(doc.getElementById('popup-pairing-result').textContent, 'Paired with tactful 0.1.0 on 127.0.0.1:47291.');
});

test('a name opens the contact view; Back returns to the timeline', async () => {
  const { doc, p, runtime, text } = popup(connected);
  await p.ready;
  const name = doc.querySelector('[data-role="open-contact"]');
  name.click();
  await settle();
  assert.deepEqual(runtime.requests('contact_get'), [{ type: 'contact_get', slug: 'ada-lovelace-1815' }]);
  assert.equal(doc.getElementById('main-view').hidden, true);
  assert.equal(doc.getElementById('contact-view').hidden, false);
  assert.equal(text('[data-role="contact-name"]'), 'Ada Lovelace');
  assert.equal(doc.activeElement, doc.querySelector('[data-role="contact-name"]'));
  assert.equal(text('[data-role="contact-headline"]'), 'Programmer at Babbage & Co');
  assert.equal(doc.querySelector('[data-role="contact-profile"]').href, 'https://www.linkedin.com/in/ada-lovelace-1815/');
  assert.deepEqual([...doc.querySelectorAll('[data-role="contact-tags"] li')].map((li) => li.textContent), ['inactive']);
  const facts = doc.querySelector('.facts').textContent;
  assert.match(facts, /Reviewing/);
  assert.match(facts, /Connected on/);
  assert.match(facts, /2026/);
  assert.match(text('[data-role="contact-notes"]'), /Analytical Engine meetup/);
  assert.match(text('[data-role="contact-events"]'), /Note added/);
  doc.querySelector('[data-role="back"]').click();
  assert.equal(doc.getElementById('main-view').hidden, false);
  assert.equal(doc.getElementById('contact-view').hidden, true);
  assert.equal(doc.activeElement, name, 'focus returns to the name');
});

test('the contact view shows a cool-down and escapes its strings', async () => {
  const contact = reply('contact');
  contact.contact.cooldown_until = '2026-12-13';
  contact.contact.name = '<img src=x onerror=alert(1)>';
  contact.contact.notes[0].text = '<svg onload=alert(1)>';
  const { doc, p } = popup(connected, { contact_get: contact });
  await p.ready;
  doc.querySelector('[data-role="open-contact"]').click();
  await settle();
  assert.match(doc.querySelector('.facts').textContent, /Cool-down until/);
  assert.equal(doc.querySelector('#contact-view img, #contact-view svg'), null);
  assert.equal(doc.querySelector('[data-role="contact-name"]').textContent, '<img src=x onerror=alert(1)>');
});

test('a push on the popup Port refreshes the visible page', async () => {
  const { runtime, p } = popup(connected);
  await p.ready;
  assert.equal(runtime.ports[0].name, 'popup');
  const before = runtime.requests('history_get').length;
  runtime.push({ kind: 'push', message: reply('contact_changed') });
  runtime.push({ kind: 'push', message: reply('contact_changed') });
  await settle(400);
  const after = runtime.requests('history_get').slice(before);
  assert.ok(after.some((r) => !r.kinds), 'the timeline is fetched again');
  assert.ok(after.some((r) => r.kinds?.includes('outcome') && r.since), 'the chart is fetched again');
  assert.equal(after.filter((r) => !r.kinds).length, 1, 'a burst of pushes refreshes once');
});

test('a state message on the Port redraws the status', async () => {
  const { doc, runtime, p } = popup(connected);
  await p.ready;
  runtime.push({ kind: 'state', connected: false, paired: true, address: '127.0.0.1:47291', pending: 3 });
  assert.equal(doc.querySelector('[data-role="connection"]').dataset.state, 'offline');
  assert.equal(doc.querySelector('[data-role="pending"]').textContent, '3 notes waiting to sync');
});

test('the popup page declares no inline script and loads its module', () => {
  const doc = page('popup/popup.html');
  const scripts = [...doc.querySelectorAll('script')];
  assert.deepEqual(scripts.map((s) => [s.getAttribute('type'), s.getAttribute('src')]), [['module', 'popup.js']]);
  assert.ok(scripts.every((s) => s.textContent.trim() === ''));
  assert.equal(doc.querySelectorAll('[onclick], [onload], [onerror]').length, 0);
});
