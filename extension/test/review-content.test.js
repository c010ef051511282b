'use strict';
// Guided review on LinkedIn's page: the "Revisit" badge the daemon sends
// has a style of its own, and the removal reminder shows the person's
// review decision and the clusters their planned removals form.
const test = require('node:test');
const assert = require('node:assert/strict');
const { load, fixture, readJSON } = require('./helpers.js');

const golden = readJSON('protocol/testdata/replies/reminder.json').reminder;

function badgePage() {
  const chrome = {
    runtime: {
      id: 'test',
      sendMessage: async () => ({ pending: true }),
      connect: () => ({ onMessage: { addListener() {} }, onDisconnect: { addListener() {} }, disconnect() {} }),
    },
  };
  const env = load(fixture('sdui.html'), { files: ['lib/slug.js', 'lib/protocol.js', 'content/page-reader.js', 'content/daemon-port.js', 'content/badges.js'], chrome });
  const views = env.tactful.reader.findCards(env.doc).map((c) => env.tactful.badges.attach(c.card, c.slug));
  return { ...env, views };
}

test('a revisit badge is drawn as the daemon says, in a style of its own', () => {
  const { tactful, views, doc } = badgePage();
  const v = views.find((x) => x.slug === 'ada-lovelace-1815');
  tactful.badges.setAnnotation({
    slug: 'ada-lovelace-1815', name: 'Ada Lovelace', tags: ['inactive'], note_count: 0, due_on: '2027-01-12',
    badges: [
      { kind: 'revisit', label: 'Revisit', detail: 'You planned to revisit this on 12 Jan 2027.' },
      { kind: 'tag', label: 'inactive', detail: 'You tagged Ada Lovelace as inactive.' },
    ],
  });
  const [revisit, tag] = v.root.querySelectorAll('[data-role="badge"]');
  assert.equal(revisit.dataset.kind, 'revisit');
  assert.equal(revisit.textContent, 'Revisit');
  assert.equal(revisit.getAttribute('aria-label'), 'Revisit: You planned to revisit this on 12 Jan 2027.');
  // jsdom gives a shadow root's <style> no sheet: parse the same text in the document.
  const copy = doc.createElement('style');
  copy.textContent = v.root.querySelector('style').textContent;
  doc.head.append(copy);
  const rules = [...copy.sheet.cssRules].map((r) => r.selectorText).filter(Boolean);
  const matches = (node, selector) => { try { return node.matches(selector); } catch { return false; } }; // :host is not for the light DOM
  const own = rules.filter((s) => matches(revisit, s) && !matches(tag, s));
  assert.ok(own.some((s) => s.includes('revisit')), `a rule styles the revisit badge alone; rules: ${rules.join(' | ')}`);
});

function renderReminder(reminder) {
  const { doc, tactful, win } = load('<!doctype html><body></body>', { files: ['lib/slug.js', 'lib/protocol.js', 'content/removal-reminder.js'] });
  const attach = win.Element.prototype.attachShadow;
  let root;
  win.Element.prototype.attachShadow = function (o) { return (root = attach.call(this, o)); };
  const host = tactful.reminder.render(doc, reminder, { slug: 'ada-lovelace-1815' });
  win.Element.prototype.attachShadow = attach;
  doc.body.append(host);
  return root;
}

test('the reminder shows the review decision first and the clusters after the timing', () => {
  const decision = { kind: 'decision', title: 'On 3 Nov you decided: remove on 12 Dec.', detail: 'Why: posts only ads <b>now</b>.' };
  const clusters = [
    { kind: 'cluster', title: '4 of your 9 planned removals work at Acme; removing them in one week may be noticed.', detail: 'The review page can spread them out: one date each.' },
    { kind: 'cluster', title: '3 planned removals fall in the week of 7 Dec.', detail: '' },
  ];
  const root = renderReminder({ ...golden, decision, clusters });
  const decisionList = root.querySelector('[data-role="decision"]');
  assert.equal(decisionList.textContent, `${decision.title} ${decision.detail}`);
  assert.equal(root.querySelectorAll('b').length, 0, 'text, not markup');
  const clusterItems = [...root.querySelectorAll('[data-role="clusters"] li')];
  assert.deepEqual(clusterItems.map((li) => li.querySelector('.point-title').textContent), clusters.map((c) => c.title));
  assert.equal(clusterItems[0].dataset.kind, 'cluster');
  // Order: headline, decision, timing, clusters, then the gentler options.
  const order = [...root.querySelectorAll('[data-role="headline"], [data-role="decision"], [data-role="timing"], [data-role="clusters"], [data-role="unfollow"]')].map((n) => n.dataset.role);
  assert.deepEqual(order, ['headline', 'decision', 'timing', 'clusters', 'unfollow']);
});

test('the golden reminder’s decision and clusters are shown', () => {
  assert.ok(golden.decision && golden.clusters?.length, 'protocol/testdata/replies/reminder.json carries a decision and clusters');
  const root = renderReminder(golden);
  assert.match(root.querySelector('[data-role="decision"]').textContent, /you decided: remove on/);
  assert.equal(root.querySelectorAll('[data-role="clusters"] li').length, golden.clusters.length);
});

test('a reminder without a review shows neither part', () => {
  const { decision, clusters, ...plain } = golden;
  const root = renderReminder(plain);
  assert.equal(root.querySelector('[data-role="decision"]'), null);
  assert.equal(root.querySelector('[data-role="clusters"]'), null);
  assert.ok(root.querySelector('[data-role="timing"]'));
});
