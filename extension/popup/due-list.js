// What is due: people whose revisit or removal date has come (review_queue
// with the due filter), oldest first, and the "Review my network" button
// that opens the review page in a tab.

import { el, errorText, formatDay, plural } from './format.js';

export const dueLimit = 20;

/**
 * createDueList draws into root. request sends a protocol request;
 * openReview opens the review page; onOpenContact opens a person in the
 * popup's contact view.
 */
export function createDueList(root, { request, openReview, onOpenContact }) {
  const doc = root.ownerDocument;
  const button = el(doc, 'button', { type: 'button', id: 'open-review', 'data-role': 'open-review' }, 'Review my network');
  button.addEventListener('click', () => openReview?.());
  const list = el(doc, 'ul', { class: 'due', id: 'due-list', 'data-role': 'due-list', 'aria-labelledby': 'due-heading' });
  const message = el(doc, 'p', { class: 'hint', role: 'status', 'data-role': 'due-message' });
  root.append(list, message, button);
  let generation = 0;

  function item(i) {
    const li = el(doc, 'li', { 'data-role': 'due-item', 'data-slug': i.slug, 'data-kind': i.due_kind === 'remove' ? 'remove' : 'revisit' });
    const name = el(doc, 'button', { type: 'button', class: 'link', 'data-role': 'open-contact', 'data-slug': i.slug }, i.name || i.slug);
    name.addEventListener('click', () => onOpenContact?.(i.slug, i.name, name));
    const what = i.due_kind === 'remove' ? 'remove' : 'revisit';
    li.append(name, el(doc, 'span', { class: 'hint' }, ` · ${what} since ${formatDay(i.due_on || i.review?.on)}`));
    return li;
  }

  async function load() {
    const mine = ++generation;
    const reply = await request({ type: 'review_queue', filter: { due: true }, limit: dueLimit });
    if (mine !== generation) return;
    if (reply?.type !== 'review_queue') {
      list.replaceChildren();
      // The status at the top already explains offline and unpaired.
      message.textContent = reply?.code === 'offline' || reply?.code === 'unpaired' ? '' : errorText(reply);
      return;
    }
    const items = (Array.isArray(reply.items) ? reply.items : []).filter((i) => i && typeof i.slug === 'string');
    list.replaceChildren(...items.map(item));
    const total = Number(reply.total) || items.length;
    if (!items.length) message.textContent = 'Nothing is due.';
    else message.textContent = total > items.length ? `${plural(total, 'person', 'people')} due; the review page lists them all.` : '';
  }

  return { load, refresh: load };
}
