// The history timeline: newest first, paged with "Load more", filtered by
// kind and by a debounced search. Names open the contact view.

import '../lib/protocol.js';
import { clip, el, errorText, formatDateTime } from './format.js';

const { protocol } = globalThis.tactful;

/** kindFilters maps the "Kind" menu to protocol event kinds (protocol/types.go). */
export const kindFilters = [
  { value: 'all', label: 'All', kinds: [] },
  { value: 'notes', label: 'Notes', kinds: ['note_added', 'note_edited', 'note_deleted'] },
  { value: 'tags', label: 'Tags and status', kinds: ['tags_changed', 'status_changed'] },
  { value: 'disagreements', label: 'Disagreements', kinds: ['fallout_marked'] },
  { value: 'reminders', label: 'Reminders', kinds: ['reminder_shown'] },
  { value: 'outcomes', label: 'Outcomes', kinds: ['outcome'] },
  { value: 'reviews', label: 'Reviews', kinds: ['reviewed', 'reconnected'] },
];

// Kinds whose text (a note, a fallout remark, a review's why line) the
// timeline shows, clipped.
const textKinds = new Set(['note_added', 'note_edited', 'fallout_marked', 'reviewed']);

const maxLimit = protocol.limits.maxHistoryLimit;

/**
 * buildHistoryRequest is the history_get for a filter, a query and a cursor.
 */
export function buildHistoryRequest({ filter = 'all', query = '', cursor = '', limit = 50 } = {}) {
  const request = { type: 'history_get', limit: Math.min(Math.max(1, limit), maxLimit) };
  const kinds = kindFilters.find((f) => f.value === filter)?.kinds ?? [];
  if (kinds.length) request.kinds = [...kinds];
  const q = String(query).trim().slice(0, protocol.limits.maxQueryChars);
  if (q) request.query = q;
  if (cursor) request.cursor = String(cursor);
  return request;
}

/**
 * createHistoryView draws the timeline into root.
 * @param {HTMLElement} root
 * @param {object} opts
 * @param {(req: object) => Promise<object>} opts.request
 * @param {(slug: string, name: string, trigger: HTMLElement) => void} [opts.onOpenContact]
 * @param {number} [opts.pageSize]
 * @param {number} [opts.debounceMs]
 */
export function createHistoryView(root, { request, onOpenContact, pageSize = 50, debounceMs = 300 }) {
  const doc = root.ownerDocument;
  const win = doc.defaultView ?? globalThis;

  const controls = el(doc, 'div', { class: 'history-controls' });
  const kindField = el(doc, 'div', { class: 'field' });
  const kindSelect = el(doc, 'select', { id: 'history-kind', name: 'kind', 'data-role': 'history-kind' });
  for (const f of kindFilters) kindSelect.append(el(doc, 'option', { value: f.value }, f.label));
  kindField.append(el(doc, 'label', { for: 'history-kind' }, 'Kind'), kindSelect);

  const searchField = el(doc, 'div', { class: 'field grow' });
  const searchInput = el(doc, 'input', {
    id: 'history-search', name: 'query', type: 'search', maxlength: protocol.limits.maxQueryChars, autocomplete: 'off',
    placeholder: 'Name or note text', 'data-role': 'history-search',
  });
  searchField.append(el(doc, 'label', { for: 'history-search' }, 'Search'), searchInput);
  controls.append(kindField, searchField);

  const message = el(doc, 'p', { role: 'status', class: 'hint', id: 'history-message', 'data-role': 'history-message' });
  const list = el(doc, 'ol', { class: 'history', id: 'history-list', 'data-role': 'history-list', 'aria-label': 'History, newest first' });
  const more = el(doc, 'button', { type: 'button', id: 'history-more', 'data-role': 'history-more', hidden: true }, 'Load more');
  root.append(controls, list, more, message);

  let filter = 'all';
  let query = '';
  let cursor = '';
  let shown = 0;
  let generation = 0; // replies to older requests are dropped
  let timer = null;

  function entry(event) {
    const li = el(doc, 'li', { class: 'entry', 'data-role': 'history-entry', 'data-id': event.id, 'data-kind': event.kind });
    const head = el(doc, 'div', { class: 'entry-head' });
    head.append(el(doc, 'time', { datetime: event.at }, formatDateTime(event.at)));
    const name = el(doc, 'button', { type: 'button', class: 'link', 'data-role': 'open-contact', 'data-slug': event.slug },
      event.name || event.slug);
    name.addEventListener('click', () => onOpenContact?.(event.slug, event.name, name));
    head.append(name);
    li.append(head, el(doc, 'p', { class: 'summary', 'data-role': 'summary' }, event.summary));
    if (textKinds.has(event.kind) && event.text) {
      li.append(el(doc, 'p', { class: 'note-text', 'data-role': 'note-text', title: clip(event.text, 1000) }, clip(event.text, 160)));
    }
    return li;
  }

  async function load({ append, limit = pageSize }) {
    const mine = ++generation;
    const req = buildHistoryRequest({ filter, query, cursor: append ? cursor : '', limit });
    more.disabled = true;
    root.setAttribute('aria-busy', 'true');
    const reply = await request(req);
    if (mine !== generation) return;
    root.removeAttribute('aria-busy');
    more.disabled = false;
    if (reply?.type !== 'history') {
      // Offline and unpaired are explained, with the command to run, by
      // the connection status at the top of the popup.
      message.textContent = reply?.code === 'offline' || reply?.code === 'unpaired'
        ? 'The history shows once the tactful daemon is connected.'
        : errorText(reply);
      more.hidden = !append || !cursor;
      if (!append) { list.replaceChildren(); shown = 0; }
      return;
    }
    const events = Array.isArray(reply.events) ? [...reply.events] : [];
    // Event ids sort by time (32 hex digits): newest first.
    events.sort((a, b) => String(b.id ?? '').localeCompare(String(a.id ?? '')));
    const items = events.map(entry);
    if (append) list.append(...items);
    else list.replaceChildren(...items);
    shown = list.children.length;
    cursor = reply.next_cursor || '';
    more.hidden = !cursor;
    if (shown === 0) message.textContent = query || filter !== 'all' ? 'Nothing matches.' : 'No history yet. Notes, tags and reminders will appear here.';
    else message.textContent = append ? `${shown} entries shown.` : '';
  }

  kindSelect.addEventListener('change', () => {
    filter = kindSelect.value;
    load({ append: false });
  });
  searchInput.addEventListener('input', () => {
    win.clearTimeout(timer);
    timer = win.setTimeout(() => {
      const next = searchInput.value.trim();
      if (next === query) return;
      query = next;
      load({ append: false });
    }, debounceMs);
  });
  searchInput.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    win.clearTimeout(timer);
    query = searchInput.value.trim();
    load({ append: false });
  });
  more.addEventListener('click', () => load({ append: true }));

  return {
    /** reload fetches the first page again. */
    reload: () => load({ append: false }),
    /** refresh re-fetches as many entries as are shown (live updates). */
    refresh: () => load({ append: false, limit: Math.max(pageSize, Math.min(shown, maxLimit)) }),
    loadMore: () => load({ append: true }),
    get filter() { return filter; },
    get query() { return query; },
  };
}
