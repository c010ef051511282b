// A small picture of the curation: removals, unfollows and notes per month
// over the last 12 months, drawn as SVG bars with a text legend and a
// summary for screen readers.

import '../lib/protocol.js';
import { el, plural } from './format.js';

const { protocol } = globalThis.tactful;

const svgNS = 'http://www.w3.org/2000/svg';
export const chartKinds = ['outcome', 'note_added'];
const series = [
  { key: 'removals', label: 'Removals', one: 'removal' },
  { key: 'unfollows', label: 'Unfollows', one: 'unfollow' },
  { key: 'notes', label: 'Notes', one: 'note' },
];

function monthKey(date) {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}`;
}

/** lastMonths lists the n months up to and including now's, oldest first. */
export function lastMonths(now, n = 12) {
  const months = [];
  for (let i = n - 1; i >= 0; i--) {
    const d = new Date(now.getFullYear(), now.getMonth() - i, 1);
    months.push({ key: monthKey(d), label: d.toLocaleDateString(undefined, { month: 'short' }), long: d.toLocaleDateString(undefined, { month: 'long', year: 'numeric' }) });
  }
  return months;
}

/** sinceDay is the first day of the oldest month shown, YYYY-MM-DD. */
export function sinceDay(now, n = 12) {
  return `${lastMonths(now, n)[0].key}-01`;
}

/**
 * countByMonth sums removals and unfollows (outcome events) and notes
 * (note_added events) per month, in local time, over the last n months.
 */
export function countByMonth(events, now, n = 12) {
  const months = lastMonths(now, n).map((m) => ({ ...m, removals: 0, unfollows: 0, notes: 0 }));
  const index = new Map(months.map((m, i) => [m.key, i]));
  const seen = new Set();
  for (const e of events ?? []) {
    if (e.id !== undefined) {
      if (seen.has(e.id)) continue;
      seen.add(e.id);
    }
    const at = new Date(e.at);
    if (Number.isNaN(at.getTime())) continue;
    const i = index.get(monthKey(at));
    if (i === undefined) continue;
    if (e.kind === 'note_added') months[i].notes++;
    else if (e.kind === 'outcome' && e.outcome === 'removed') months[i].removals++;
    else if (e.kind === 'outcome' && e.outcome === 'unfollowed') months[i].unfollows++;
  }
  const totals = { removals: 0, unfollows: 0, notes: 0 };
  for (const m of months) for (const s of series) totals[s.key] += m[s.key];
  return { months, totals };
}

/**
 * loadActivity fetches the events the chart needs, at most maxPages pages
 * of 200. complete is false when it stopped before the end.
 */
export async function loadActivity(request, now, { maxPages = 10, limit = protocol.limits.maxHistoryLimit } = {}) {
  const events = [];
  let cursor = '';
  for (let page = 0; page < maxPages; page++) {
    const req = { type: 'history_get', kinds: [...chartKinds], since: sinceDay(now), limit };
    if (cursor) req.cursor = cursor;
    const reply = await request(req);
    if (reply?.type !== 'history') return { events, complete: false, error: reply };
    events.push(...(reply.events ?? []));
    const next = reply.next_cursor || '';
    if (!next) return { events, complete: true };
    if (next === cursor) return { events, complete: false }; // a cursor that does not move
    cursor = next;
  }
  return { events, complete: false };
}

/** summaryText is the chart's accessible name. */
export function summaryText(totals, complete = true) {
  const parts = series.map((s) => plural(totals[s.key], s.one));
  return `Last 12 months: ${parts.join(', ')}${complete ? '' : ' (at least; older pages not loaded)'}`;
}

function svg(doc, tag, attrs = {}) {
  const node = doc.createElementNS(svgNS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

/** renderChart draws counts (from countByMonth) into root. */
export function renderChart(root, { months, totals }, { complete = true } = {}) {
  const doc = root.ownerDocument;
  const width = 336;
  const height = 76;
  const labelH = 14;
  const plotH = height - labelH - 4;
  const slot = width / months.length;
  const barW = Math.max(2, Math.floor((slot - 4) / series.length));
  const max = Math.max(1, ...months.flatMap((m) => series.map((s) => m[s.key])));

  const label = summaryText(totals, complete);
  const chart = svg(doc, 'svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label, class: 'chart', 'data-role': 'activity-chart', focusable: 'false' });
  const title = svg(doc, 'title');
  title.textContent = label;
  chart.append(title, svg(doc, 'line', { x1: 0, x2: width, y1: plotH + 0.5, y2: plotH + 0.5, class: 'axis' }));

  months.forEach((m, i) => {
    const g = svg(doc, 'g', { 'data-month': m.key });
    const gTitle = svg(doc, 'title');
    gTitle.textContent = `${m.long}: ${series.map((s) => plural(m[s.key], s.one)).join(', ')}`;
    g.append(gTitle);
    series.forEach((s, j) => {
      const value = m[s.key];
      const h = value ? Math.max(2, Math.round((value / max) * (plotH - 4))) : 0;
      g.append(svg(doc, 'rect', {
        x: (i * slot + 2 + j * barW).toFixed(1), y: plotH - h, width: Math.max(1, barW - 1), height: h,
        class: `bar bar-${s.key}`, 'data-series': s.key, 'data-value': value,
      }));
    });
    const text = svg(doc, 'text', { x: (i * slot + slot / 2).toFixed(1), y: height - 3, 'text-anchor': 'middle', class: 'month' });
    text.textContent = m.label;
    g.append(text);
    chart.append(g);
  });

  const legend = el(doc, 'ul', { class: 'legend', 'data-role': 'chart-legend' });
  for (const s of series) {
    const li = el(doc, 'li');
    li.append(el(doc, 'span', { class: `swatch bar-${s.key}`, 'aria-hidden': 'true' }), `${s.label}: ${totals[s.key]}`);
    legend.append(li);
  }
  const parts = [chart, legend];
  if (series.every((s) => totals[s.key] === 0)) {
    parts.push(el(doc, 'p', { class: 'hint', 'data-role': 'chart-empty' }, 'Removals, unfollows and notes you record will show here.'));
  }
  root.replaceChildren(...parts);
  return chart;
}
