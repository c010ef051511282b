// The review queue: the filters form, the review_queue request it makes,
// and where the person left off, kept in this page's own localStorage (the
// extension's origin: LinkedIn's pages and our content scripts cannot read
// it). Nothing here talks to the daemon itself.

import { el, statusLabel } from '../popup/format.js';
import '../lib/protocol.js';

const { protocol } = globalThis.tactful;

export const resumeKey = 'tactful.review.v1';
export const defaultLimit = protocol.limits.defaultQueueLimit;

// Statuses offered by the filter; "" is any status, "none" no status yet
// (protocol.StatusFilterNone).
const statusChoices = ['', 'none', ...protocol.statuses.filter(Boolean)];
const statusChoiceLabel = (s) => (s === '' ? 'Any status' : s === 'none' ? 'No status' : statusLabel(s));

/**
 * queueRequest is the review_queue request for a filter as the form holds
 * it: {tag, status, years, neverSeen, neverAnnotated, company, due}. Fields
 * left empty are left out: an empty filter is everyone.
 */
export function queueRequest(filter = {}, limit = defaultLimit) {
  const f = {};
  if (filter.tag) f.tags = [String(filter.tag)];
  if (filter.status) f.status = String(filter.status);
  const years = Math.floor(Number(filter.years));
  if (Number.isFinite(years) && years > 0) f.connected_before_years = Math.min(years, protocol.limits.maxConnectedYears);
  if (filter.neverSeen) f.never_seen = true;
  if (filter.neverAnnotated) f.never_annotated = true;
  const company = String(filter.company ?? '').replace(/\s+/g, ' ').trim();
  if (company) f.company = company.slice(0, protocol.limits.maxNameChars);
  if (filter.due) f.due = true;
  return { type: 'review_queue', filter: f, limit };
}

/** describeFilter says in words whom a filter picks ("Everyone" when empty). */
export function describeFilter(filter = {}) {
  const parts = [];
  if (filter.due) parts.push('due for a decision');
  if (filter.tag) parts.push(`tagged ${filter.tag}`);
  if (filter.status) parts.push(filter.status === 'none' ? 'with no status' : `status ${statusLabel(filter.status).toLowerCase()}`);
  const years = Math.floor(Number(filter.years));
  if (years > 0) parts.push(`connected more than ${years} year${years === 1 ? '' : 's'} ago`);
  if (filter.neverSeen) parts.push('never seen on the connections page');
  if (filter.neverAnnotated) parts.push('never annotated');
  if (filter.company) parts.push(`at “${String(filter.company).trim()}”`);
  return parts.length ? `People ${parts.join(', ')}` : 'Everyone';
}

/**
 * createResume keeps {filter, slug, decided} in storage (the page's
 * localStorage) so a review opened again starts where it stopped. A
 * damaged or foreign value reads as nothing saved.
 */
export function createResume(storage, key = resumeKey) {
  return {
    load() {
      try {
        const v = JSON.parse(storage?.getItem(key) ?? 'null');
        if (!v || typeof v !== 'object') return null;
        return {
          filter: v.filter && typeof v.filter === 'object' ? v.filter : {},
          slug: typeof v.slug === 'string' ? v.slug : '',
          decided: Array.isArray(v.decided) ? v.decided.filter((s) => typeof s === 'string').slice(0, 5000) : [],
        };
      } catch {
        return null;
      }
    },
    save(value) {
      try {
        storage?.setItem(key, JSON.stringify(value));
      } catch {
        // Storage full or disabled: the review still works, it just will not resume.
      }
    },
    clear() {
      try {
        storage?.removeItem(key);
      } catch {
        // as above
      }
    },
  };
}

/**
 * resumeIndex is where to start in items: the saved slug's place, else
 * the first person not decided yet, else the start.
 */
export function resumeIndex(items, slug, decided = []) {
  const at = slug ? items.findIndex((i) => i.slug === slug) : -1;
  if (at >= 0) return at;
  const done = new Set(decided);
  const open = items.findIndex((i) => !done.has(i.slug));
  return open >= 0 ? open : 0;
}

/**
 * createFilterForm draws the filters into root and calls onSubmit(filter)
 * when the person asks for the queue. tags() gives the tag vocabulary.
 */
export function createFilterForm(root, { onSubmit, tags = () => protocol.defaultTags }) {
  const doc = root.ownerDocument;
  const form = el(doc, 'form', { class: 'filters', 'data-role': 'filters', 'aria-label': 'Who to review' });

  function field(id, label, control, cls = 'field') {
    const wrap = el(doc, 'div', { class: cls });
    if (control.type === 'checkbox') {
      const l = el(doc, 'label', { class: 'check', for: id });
      l.append(control, ` ${label}`);
      wrap.append(l);
    } else {
      wrap.append(el(doc, 'label', { for: id }, label), control);
    }
    return wrap;
  }

  const tag = el(doc, 'select', { id: 'filter-tag', name: 'tag', 'data-role': 'filter-tag' });
  const status = el(doc, 'select', { id: 'filter-status', name: 'status', 'data-role': 'filter-status' });
  for (const s of statusChoices) status.append(el(doc, 'option', { value: s }, statusChoiceLabel(s)));
  const years = el(doc, 'input', { id: 'filter-years', name: 'years', type: 'number', min: '0', max: '100', step: '1', inputmode: 'numeric', 'data-role': 'filter-years' });
  const company = el(doc, 'input', { id: 'filter-company', name: 'company', type: 'text', autocomplete: 'off', maxlength: 200, 'data-role': 'filter-company' });
  const due = el(doc, 'input', { id: 'filter-due', name: 'due', type: 'checkbox', 'data-role': 'filter-due' });
  const neverSeen = el(doc, 'input', { id: 'filter-never-seen', name: 'neverSeen', type: 'checkbox', 'data-role': 'filter-never-seen' });
  const neverAnnotated = el(doc, 'input', { id: 'filter-never-annotated', name: 'neverAnnotated', type: 'checkbox', 'data-role': 'filter-never-annotated' });
  const start = el(doc, 'button', { type: 'submit', 'data-role': 'start' }, 'Start the review');

  const grid = el(doc, 'div', { class: 'filter-grid' });
  grid.append(
    field('filter-tag', 'Tag', tag),
    field('filter-status', 'Status', status),
    field('filter-years', 'Connected more than N years ago', years),
    field('filter-company', 'Company (or headline) contains', company),
  );
  const checks = el(doc, 'div', { class: 'filter-checks' });
  checks.append(
    field('filter-due', 'Due: a revisit or removal date has come', due, 'check-field'),
    field('filter-never-seen', 'Never seen on the connections page', neverSeen, 'check-field'),
    field('filter-never-annotated', 'Imported but never annotated', neverAnnotated, 'check-field'),
  );
  form.append(grid, checks, start);
  root.append(form);

  function fillTags(selected = tag.value) {
    const list = [...new Set([...(tags() ?? []), ...(selected ? [selected] : [])])];
    tag.replaceChildren(el(doc, 'option', { value: '' }, 'Any tag'), ...list.map((t) => el(doc, 'option', { value: t }, t)));
    tag.value = selected || '';
  }
  fillTags('');

  function read() {
    return {
      tag: tag.value,
      status: status.value,
      years: years.value ? Number(years.value) : '',
      company: company.value.trim(),
      due: due.checked,
      neverSeen: neverSeen.checked,
      neverAnnotated: neverAnnotated.checked,
    };
  }

  function write(filter = {}) {
    fillTags(filter.tag || '');
    status.value = statusChoices.includes(filter.status) ? filter.status : '';
    years.value = Number(filter.years) > 0 ? String(Math.floor(Number(filter.years))) : '';
    company.value = String(filter.company ?? '');
    due.checked = Boolean(filter.due);
    neverSeen.checked = Boolean(filter.neverSeen);
    neverAnnotated.checked = Boolean(filter.neverAnnotated);
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    onSubmit?.(read());
  });

  return { form, read, write, refreshTags: () => fillTags(tag.value), start };
}
