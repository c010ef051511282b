// "On this page" in the popup: what the LinkedIn tab reported, a plain
// warning when LinkedIn's page may have changed, and Copy page report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { page, blank } from './popup-harness.test.js';
import { createPageReport, findTabReport } from '../popup/page-report.js';

const ok = {
  tactful_page_report: 1,
  verdict: 'ok',
  page: { live: true },
  counts: { profile_links_in_main: 21, cards_on_page: 10, cards_recognised: 10, cards_badged: 10, cards_annotated: 10, dates_read: 10, dates_understood: 9 },
  removal: { cards_with_menu: 10, remove_hooks: 1, seen: {} },
  structure: { tags: { div: 100 } },
};

// fakeTabs: tabs[i] answers with replies[i] (a report, or an Error thrown
// like a tab without our content script).
function fakeTabs(replies, { own = null } = {}) {
  const asked = [];
  return {
    asked,
    getCurrent: async () => own,
    query: async (q) => replies.map((_, i) => ({ id: i + 1, active: true, q })),
    sendMessage: async (id, msg) => {
      asked.push({ id, msg });
      const r = replies[id - 1];
      if (r instanceof Error) throw r;
      return r;
    },
  };
}

function section(tabs, clipboard) {
  const doc = blank();
  const root = doc.getElementById('root');
  const r = createPageReport(root, { tabs, clipboard });
  return { doc, root, r, text: (role) => root.querySelector(`[data-role="${role}"]`)?.textContent ?? '' };
}

test('a readable page: what was found, no warning, a copy button', async () => {
  const { root, r, text } = section(fakeTabs([ok]));
  await r.ready;
  assert.match(text('page-summary'), /10 connection cards recognised, 10 badged/);
  assert.match(text('page-summary'), /Connection dates: 10 read, 9 understood/);
  assert.match(text('page-summary'), /Removal flow: 10 card menus found, LinkedIn’s removal hooks seen/);
  assert.equal(root.querySelector('[data-role="page-warning"]').hidden, true);
  assert.equal(root.querySelector('[data-role="copy-page-report"]').hidden, false);
});

test('an unreadable page: the popup says plainly that LinkedIn’s page may have changed', async () => {
  const report = { ...ok, verdict: 'no_cards', counts: { ...ok.counts, cards_recognised: 0, cards_on_page: 0, cards_badged: 0 } };
  const { root, r, text } = section(fakeTabs([report]));
  await r.ready;
  const warning = root.querySelector('[data-role="page-warning"]');
  assert.equal(warning.hidden, false);
  assert.equal(warning.getAttribute('role'), 'alert');
  assert.match(text('page-warning'), /^LinkedIn’s page may have changed: the page shows 21 profile links, but tactful recognised no connection card\./);
  const noDates = section(fakeTabs([{ ...ok, verdict: 'no_dates' }]));
  await noDates.r.ready;
  assert.match(noDates.text('page-warning'), /could not read a connection date/);
});

test('Copy page report copies the tab’s report as JSON', async () => {
  const copied = [];
  const { root, r, text } = section(fakeTabs([ok]), { writeText: async (s) => copied.push(s) });
  await r.ready;
  root.querySelector('[data-role="copy-page-report"]').click();
  await new Promise((res) => setTimeout(res, 0));
  assert.deepEqual(JSON.parse(copied[0]), ok);
  assert.match(text('copy-status'), /copied/i);
});

test('not on LinkedIn: no report, a hint, no button', async () => {
  const { root, r, text } = section(fakeTabs([new Error('Could not establish connection. Receiving end does not exist.')]));
  await r.ready;
  assert.match(text('page-summary'), /Open LinkedIn’s Connections page/);
  assert.equal(root.querySelector('[data-role="copy-page-report"]').hidden, true);
});

test('a popup opened as a tab asks the other windows’ active tabs, never itself', async () => {
  const tabs = fakeTabs([new Error('no receiver'), ok], { own: { id: 1 } });
  assert.deepEqual(await findTabReport(tabs), ok);
  assert.deepEqual(tabs.asked.map((a) => a.id), [2]);
  assert.deepEqual(tabs.asked[0].msg, { kind: 'page_report' });
});

test('the popup page has the section', () => {
  const doc = page('popup/popup.html');
  assert.equal(doc.getElementById('page-report-heading').textContent, 'On this page');
});
