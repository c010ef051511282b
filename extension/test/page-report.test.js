'use strict';
// The page report: counts of what tactful found on the tab, a verdict when
// LinkedIn's page may have changed, and a structure that holds none of the
// page's personal text.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { JSDOM } = require('jsdom');
const { repo, contentScripts } = require('./helpers.js');
const { PEOPLE, connections2025, unknownShape, feed } = require('./small-pages.js');

const URL = 'https://www.linkedin.com/mynetwork/invite-connect/connections/';

function start(html, { url = URL, answer } = {}) {
  const dom = new JSDOM(html, { url, runScripts: 'outside-only', pretendToBeVisual: true });
  const win = dom.window;
  let onMessage = null;
  win.chrome = {
    runtime: {
      id: 'test',
      getManifest: () => ({ version: '9.9.9' }),
      onMessage: { addListener: (f) => (onMessage = f) },
      sendMessage: async (m) => {
        if (m.kind !== 'request' || m.request.type !== 'contacts_seen') return { type: 'error', code: 'offline', message: 'not here' };
        return { type: 'annotations', annotations: m.request.contacts.map(answer || ((c) => ({ slug: c.slug, name: c.name, tags: [], note_count: 0, connected_on: '2024-06-29', badges: [] }))) };
      },
      connect: () => ({ onMessage: { addListener() {} }, onDisconnect: { addListener() {} }, disconnect() {} }),
    },
  };
  for (const f of contentScripts()) win.eval(fs.readFileSync(path.join(repo, 'extension', f), 'utf8'));
  // Ask as the popup does: a message from our own extension.
  const ask = () => {
    let reply;
    onMessage({ kind: 'page_report' }, { id: 'test' }, (r) => (reply = r));
    return JSON.parse(JSON.stringify(reply));
  };
  return { win, doc: win.document, ask };
}

const settle = () => new Promise((r) => setTimeout(r, 100));

// Every piece of personal text the pages hold: names, slugs (as written
// and as words), headlines, the "Connected ..." lines.
function personalText(people) {
  const out = ['me-myself', 'Pat Suggested', 'pat-suggested-123'];
  for (const p of people) {
    out.push(p.name, p.slug, p.headline, p.connected, ...p.name.split(' '));
    out.push(...p.slug.split('-').filter((w) => w.length >= 4));
  }
  return out.filter(Boolean);
}

function assertNoPersonalText(report, people) {
  const text = JSON.stringify(report).toLowerCase();
  for (const s of personalText(people)) assert.ok(!text.includes(s.toLowerCase()), `the report holds "${s}"`);
}

test('a readable page: cards recognised, badged, dates understood, menus found, no warning', async (t) => {
  const { win, ask } = start(connections2025());
  t.after(() => win.close());
  await settle();
  const r = ask();
  assert.equal(r.verdict, 'ok');
  assert.equal(r.page.live, true);
  assert.deepEqual(r.counts, {
    profile_links_in_main: 7, // two per card and the suggestion
    cards_on_page: 3,
    cards_recognised: 3,
    cards_badged: 3,
    cards_annotated: 3,
    dates_read: 3,
    dates_understood: 3,
  });
  assert.equal(r.removal.cards_with_menu, 3);
  assert.equal(r.structure.data_view_names['connections-profile'], 6);
  assert.ok(r.structure.tags.div > 0);
  assert.ok(r.structure.attributes['aria-label'] >= 3);
  assert.equal(r.card_sample.view, 'connections-list');
  assertNoPersonalText(r, PEOPLE);
});

test('profile links but no card recognised: the verdict says the page may have changed', async (t) => {
  const { win, ask } = start(unknownShape());
  t.after(() => win.close());
  await settle();
  const r = ask();
  assert.equal(r.verdict, 'no_cards');
  assert.equal(r.counts.cards_recognised, 0);
  assert.equal(r.counts.profile_links_in_main, 6);
  assert.ok(r.card_sample, 'the structure around a profile link, for the bug report');
  assertNoPersonalText(r, PEOPLE);
});

test('cards without a date: the verdict says no date could be read', async (t) => {
  const people = PEOPLE.map((p) => ({ ...p, connected: '' }));
  const { win, ask } = start(connections2025(people));
  t.after(() => win.close());
  await settle();
  const r = ask();
  assert.equal(r.counts.cards_recognised, 3);
  assert.equal(r.counts.dates_read, 0);
  assert.equal(r.verdict, 'no_dates');
});

test('dates read but not one understood by the daemon: said too', async (t) => {
  const { win, ask } = start(connections2025(), { answer: (c) => ({ slug: c.slug, name: c.name, tags: [], note_count: 0, badges: [] }) });
  t.after(() => win.close());
  await settle();
  assert.equal(ask().verdict, 'dates_not_understood');
});

test('another LinkedIn page: idle, and nothing personal in the report either', async (t) => {
  const { win, ask } = start(feed(), { url: 'https://www.linkedin.com/feed/' });
  t.after(() => win.close());
  await settle();
  const r = ask();
  assert.equal(r.verdict, 'idle');
  assert.equal(r.page.live, false);
  assertNoPersonalText(r, PEOPLE);
});

test('hooks and attribute values that carry a slug are left out', async (t) => {
  const page = connections2025().replace('data-view-name="connections-list"', 'data-view-name="card-ada-lovelace-1815" data-ada-lovelace-1815="1" role="grace-hopper-1906"');
  const { win, ask } = start(page);
  t.after(() => win.close());
  await settle();
  const r = ask();
  assertNoPersonalText(r, PEOPLE);
});

test('the removal reminder can count what it saw', async (t) => {
  const { win, ask } = start(connections2025());
  t.after(() => win.close());
  win.tactful.pageReport.bump('removal_confirmation');
  win.tactful.pageReport.bump('Ada Lovelace'); // not an identifier: ignored
  assert.deepEqual(ask().removal.seen, { removal_confirmation: 1 });
});
