import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blank } from './popup-harness.test.js';
import { countByMonth, lastMonths, loadActivity, renderChart, sinceDay, summaryText } from '../popup/activity-chart.js';

const now = new Date(2026, 10, 29, 12, 0); // 29 Nov 2026, local time
const at = (y, m, d = 15) => new Date(y, m - 1, d, 12, 0).toISOString();
let seq = 0;
const ev = (kind, when, extra = {}) => ({ id: String(++seq).padStart(32, '0'), at: when, slug: 's', name: 'N', kind, summary: '', ...extra });

test('the chart covers the 12 months up to this one', () => {
  const months = lastMonths(now);
  assert.equal(months.length, 12);
  assert.equal(months[0].key, '2025-12');
  assert.equal(months[11].key, '2026-11');
  assert.equal(sinceDay(now), '2025-12-01');
});

test('countByMonth sums removals, unfollows and notes per month', () => {
  const events = [
    ev('outcome', at(2026, 11, 2), { outcome: 'removed' }),
    ev('outcome', at(2026, 11, 28), { outcome: 'removed' }),
    ev('outcome', at(2026, 11), { outcome: 'unfollowed' }),
    ev('outcome', at(2026, 11), { outcome: 'kept' }), // kept counts nowhere
    ev('note_added', at(2026, 11)),
    ev('note_added', at(2026, 3, 1)),
    ev('note_added', at(2026, 3, 31)),
    ev('outcome', at(2025, 12, 1), { outcome: 'unfollowed' }),
    ev('outcome', at(2025, 11, 30), { outcome: 'removed' }), // 13 months ago: outside
    ev('note_edited', at(2026, 11)), // not a new note
    ev('fallout_marked', at(2026, 11)),
  ];
  events.push({ ...events[0] }); // the same event twice (overlapping pages) counts once
  const { months, totals } = countByMonth(events, now);
  const byKey = Object.fromEntries(months.map((m) => [m.key, [m.removals, m.unfollows, m.notes]]));
  assert.deepEqual(byKey['2026-11'], [2, 1, 1]);
  assert.deepEqual(byKey['2026-03'], [0, 0, 2]);
  assert.deepEqual(byKey['2025-12'], [0, 1, 0]);
  assert.deepEqual(byKey['2026-06'], [0, 0, 0]);
  assert.deepEqual(totals, { removals: 2, unfollows: 2, notes: 3 });
});

test('loadActivity asks for outcomes and notes since the first month and follows cursors, bounded', async () => {
  const sent = [];
  const request = async (req) => {
    sent.push(req);
    const n = sent.length;
    return { type: 'history', events: [ev('note_added', at(2026, 11))], next_cursor: String(100 - n) };
  };
  const { events, complete } = await loadActivity(request, now, { maxPages: 3 });
  assert.equal(sent.length, 3, 'stops after maxPages');
  assert.equal(complete, false);
  assert.equal(events.length, 3);
  assert.deepEqual(sent[0], { type: 'history_get', kinds: ['outcome', 'note_added'], since: '2025-12-01', limit: 200 });
  assert.equal(sent[1].cursor, '99');
  assert.equal(sent[2].cursor, '98');
});

test('loadActivity stops at the last page', async () => {
  let calls = 0;
  const request = async () => (++calls === 2 ? { type: 'history', events: [] } : { type: 'history', events: [], next_cursor: '5' });
  const { complete } = await loadActivity(request, now);
  assert.equal(calls, 2);
  assert.equal(complete, true);
});

test('the chart is SVG bars with a text legend and an accessible summary', () => {
  const doc = blank();
  const root = doc.getElementById('root');
  const events = [
    ...Array.from({ length: 3 }, () => ev('outcome', at(2026, 10), { outcome: 'removed' })),
    ...Array.from({ length: 5 }, () => ev('outcome', at(2026, 9), { outcome: 'unfollowed' })),
    ...Array.from({ length: 12 }, () => ev('note_added', at(2026, 11))),
  ];
  renderChart(root, countByMonth(events, now));
  const svg = root.querySelector('svg');
  assert.equal(svg.namespaceURI, 'http://www.w3.org/2000/svg');
  assert.equal(svg.getAttribute('role'), 'img');
  assert.equal(svg.getAttribute('aria-label'), 'Last 12 months: 3 removals, 5 unfollows, 12 notes');
  assert.equal(svg.querySelectorAll('rect').length, 36);
  const nov = svg.querySelector('g[data-month="2026-11"] rect[data-series="notes"]');
  const oct = svg.querySelector('g[data-month="2026-10"] rect[data-series="removals"]');
  assert.equal(nov.getAttribute('data-value'), '12');
  assert.ok(Number(nov.getAttribute('height')) > Number(oct.getAttribute('height')), 'bars scale with the counts');
  assert.equal(svg.querySelector('g[data-month="2026-06"] rect[data-series="notes"]').getAttribute('height'), '0');
  assert.deepEqual([...root.querySelectorAll('[data-role="chart-legend"] li')].map((li) => li.textContent),
    ['Removals: 3', 'Unfollows: 5', 'Notes: 12']);
});

test('summaryText says one in the singular and admits a partial count', () => {
  assert.equal(summaryText({ removals: 1, unfollows: 0, notes: 1 }), 'Last 12 months: 1 removal, 0 unfollows, 1 note');
  assert.match(summaryText({ removals: 0, unfollows: 0, notes: 0 }, false), /at least/);
});
