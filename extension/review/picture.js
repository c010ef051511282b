// The network at a glance (network_summary): how many people by status and
// by reason tag, as proportional bars, and the decisions of the last twelve
// months as stacked columns in inline SVG. No library; every label is text.

import { el, errorText, plural, statusLabel } from '../popup/format.js';

const svgNS = 'http://www.w3.org/2000/svg';

// The series of decisions_by_month, in drawing order, with their legend.
export const series = [
  ['keep', 'Kept'],
  ['unfollow', 'Unfollow'],
  ['remove', 'Remove'],
  ['revisit', 'Revisit'],
  ['removed', 'Removed'],
  ['reconnected', 'Reconnected'],
];

function svg(doc, tag, attrs = {}) {
  const node = doc.createElementNS(svgNS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

// barList draws label / count rows with a bar as wide as count/max.
function barList(doc, rows, role, label) {
  const max = Math.max(1, ...rows.map((r) => r.count));
  const list = el(doc, 'ul', { class: 'bars', 'data-role': role, 'aria-label': label });
  for (const r of rows) {
    const li = el(doc, 'li', { 'data-key': r.key });
    const bar = el(doc, 'span', { class: 'bar', 'aria-hidden': 'true' });
    bar.style.width = `${Math.round((r.count / max) * 100)}%`;
    li.append(el(doc, 'span', { class: 'bar-label' }, r.label), el(doc, 'span', { class: 'bar-track' }), el(doc, 'span', { class: 'bar-count' }, String(r.count)));
    li.children[1].append(bar);
    list.append(li);
  }
  return list;
}

/** monthLabel turns "2026-11" into "Nov". */
function monthLabel(month) {
  const d = new Date(`${month}-15T12:00:00Z`);
  return Number.isNaN(d.getTime()) ? String(month) : d.toLocaleDateString(undefined, { month: 'short', timeZone: 'UTC' });
}

/** monthChart draws decisions_by_month as stacked columns. */
export function monthChart(doc, months) {
  const width = 480;
  const height = 140;
  const base = height - 18;
  const slot = width / Math.max(1, months.length);
  const total = (m) => series.reduce((n, [k]) => n + (Number(m[k]) || 0), 0);
  const max = Math.max(1, ...months.map(total));
  const sums = Object.fromEntries(series.map(([k]) => [k, months.reduce((n, m) => n + (Number(m[k]) || 0), 0)]));
  const words = series.filter(([k]) => sums[k]).map(([k, l]) => `${sums[k]} ${l.toLowerCase()}`);
  const chart = svg(doc, 'svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'data-role': 'decisions-chart',
    'aria-label': `Decisions in the last ${months.length} months: ${words.length ? words.join(', ') : 'none'}` });
  chart.append(svg(doc, 'line', { x1: 0, x2: width, y1: base, y2: base, class: 'axis' }));
  months.forEach((m, i) => {
    let y = base;
    for (const [k, label] of series) {
      const n = Number(m[k]) || 0;
      if (!n) continue;
      const h = (n / max) * (base - 8);
      y -= h;
      const rect = svg(doc, 'rect', { x: i * slot + slot * 0.2, y, width: slot * 0.6, height: h, class: `bar-${k}` });
      const title = svg(doc, 'title');
      title.textContent = `${m.month}: ${n} ${label.toLowerCase()}`;
      rect.append(title);
      chart.append(rect);
    }
    const text = svg(doc, 'text', { x: i * slot + slot / 2, y: height - 4, 'text-anchor': 'middle', class: 'month' });
    text.textContent = monthLabel(m.month);
    chart.append(text);
  });
  return chart;
}

/** renderPicture draws a network_summary reply into root. */
export function renderPicture(root, summary) {
  const doc = root.ownerDocument;
  const total = Number(summary?.total) || 0;
  const parts = [el(doc, 'p', { 'data-role': 'picture-total' }, `${plural(total, 'connection')} known to tactful${summary?.due ? `; ${summary.due} due for a decision` : ''}.`)];

  const byStatus = Object.entries(summary?.by_status ?? {}).map(([k, n]) => ({ key: k, label: k === 'none' || k === '' ? 'No status' : statusLabel(k), count: Number(n) || 0 }))
    .filter((r) => r.count > 0).sort((a, b) => b.count - a.count);
  const statusBox = el(doc, 'div', { class: 'picture-part' });
  statusBox.append(el(doc, 'h3', {}, 'By status'), byStatus.length ? barList(doc, byStatus, 'by-status', 'People by status') : el(doc, 'p', { class: 'hint' }, 'Nobody yet.'));

  const byTag = (Array.isArray(summary?.by_tag) ? summary.by_tag : []).map((t) => ({ key: String(t?.tag ?? ''), label: String(t?.tag ?? ''), count: Number(t?.count) || 0 })).filter((r) => r.count > 0);
  const tagBox = el(doc, 'div', { class: 'picture-part' });
  tagBox.append(el(doc, 'h3', {}, 'By reason tag'), byTag.length ? barList(doc, byTag, 'by-tag', 'People by tag') : el(doc, 'p', { class: 'hint' }, 'No tags yet.'));

  const months = Array.isArray(summary?.decisions_by_month) ? summary.decisions_by_month : [];
  const monthBox = el(doc, 'div', { class: 'picture-part wide' });
  monthBox.append(el(doc, 'h3', {}, 'Decisions per month'));
  const decided = months.some((m) => series.some(([k]) => Number(m?.[k]) > 0));
  if (decided) {
    monthBox.append(monthChart(doc, months));
    const legend = el(doc, 'ul', { class: 'legend', 'aria-hidden': 'true' });
    for (const [k, label] of series) {
      const li = el(doc, 'li');
      li.append(el(doc, 'span', { class: `swatch bar-${k}` }), label);
      legend.append(li);
    }
    monthBox.append(legend);
  } else {
    monthBox.append(el(doc, 'p', { class: 'hint', 'data-role': 'no-decisions' }, 'No decisions yet: they show here month by month as you review.'));
  }
  const grid = el(doc, 'div', { class: 'picture-grid' });
  grid.append(statusBox, tagBox, monthBox);
  parts.push(grid);
  root.replaceChildren(...parts);
}

/** loadPicture asks for network_summary and draws it, or the daemon's sentence. */
export async function loadPicture(root, request) {
  const reply = await request({ type: 'network_summary' });
  if (reply?.type !== 'network_summary') {
    root.replaceChildren(el(root.ownerDocument, 'p', { class: 'hint', 'data-role': 'picture-error' }, errorText(reply)));
    return null;
  }
  renderPicture(root, reply);
  return reply;
}
