// One person in the review: everything tactful knows about them, from a
// contact reply (contact_get or review_save): name, headline, status,
// tags, when they connected, first and last seen, notes, their latest
// review and their history. Every string goes in as text.

import { clip, el, formatDateTime, formatDay, statusLabel } from '../popup/format.js';

export const decisionLabels = {
  keep: 'Keep',
  unfollow: 'Unfollow',
  remove_now: 'Remove now',
  remove_on: 'Remove on a date',
  revisit: 'Revisit on a date',
};

/** decisionText says a review's decision in words: "remove on 12 Jan 2027". */
export function decisionText(review) {
  if (!review?.decision) return '';
  switch (review.decision) {
    case 'remove_on':
      return `remove on ${formatDay(review.on)}`;
    case 'revisit':
      return `revisit on ${formatDay(review.on)}`;
    default:
      return (decisionLabels[review.decision] ?? String(review.decision)).toLowerCase();
  }
}

/** profileURL is the person's LinkedIn profile. */
export function profileURL(slug) {
  return `https://www.linkedin.com/in/${encodeURIComponent(slug)}/`;
}

/**
 * renderPerson returns the nodes describing reply's contact: a heading
 * (focusable, so moving to the next person can put the focus on it), the
 * facts, notes and history.
 */
export function renderPerson(doc, reply) {
  const c = reply?.contact ?? {};
  const advice = reply?.advice ?? {};
  const box = el(doc, 'article', { class: 'person', 'data-role': 'person', 'data-slug': c.slug || '', 'aria-labelledby': 'person-name' });
  const head = el(doc, 'header', { class: 'person-head' });
  head.append(el(doc, 'h2', { id: 'person-name', tabindex: '-1', 'data-role': 'person-name' }, c.name || c.slug || ''));
  if (c.headline) head.append(el(doc, 'p', { class: 'headline', 'data-role': 'person-headline' }, c.headline));
  if (c.slug) head.append(el(doc, 'a', { href: profileURL(c.slug), target: '_blank', rel: 'noopener noreferrer', class: 'profile', 'data-role': 'person-profile' }, 'Profile on LinkedIn'));
  box.append(head);

  const dl = el(doc, 'dl', { class: 'facts', 'data-role': 'person-facts' });
  const fact = (term, value, role) => {
    if (!value) return;
    dl.append(el(doc, 'dt', {}, term), el(doc, 'dd', role ? { 'data-role': role } : {}, value));
  };
  fact('Status', statusLabel(c.status), 'person-status');
  fact('Tags', (c.tags ?? []).length ? c.tags.join(', ') : 'None', 'person-tags');
  fact('Connected', c.connected_on ? formatDay(c.connected_on) + (c.connected_source === 'page_relative' ? ' (approximately)' : '') : 'Unknown', 'person-connected');
  if (c.company || c.position) fact('Work', [c.position, c.company].filter(Boolean).join(' at '));
  // The daemon sets first_seen when it first learns of someone (an import
  // too); last_seen only when the connections page showed them.
  if (c.last_seen) {
    fact('First seen', formatDay(c.first_seen || c.last_seen), 'person-first-seen');
    fact('Last seen', formatDay(c.last_seen), 'person-last-seen');
  } else {
    fact('Seen', 'Never on the connections page', 'person-last-seen');
    if (c.first_seen) fact('Known since', formatDay(c.first_seen), 'person-first-seen');
  }
  if (c.cooldown_until) fact('Cool-down until', formatDay(c.cooldown_until));
  if (c.review?.decision) {
    const when = c.review.at ? ` (decided ${formatDay(c.review.at)})` : '';
    fact('Last decision', `${decisionText(c.review)}${when}`, 'person-decision');
  }
  if (advice.due_on) fact(advice.due_kind === 'remove' ? 'Removal due' : 'Revisit due', formatDay(advice.due_on), 'person-due');
  box.append(dl);

  box.append(el(doc, 'h3', {}, 'Notes'));
  const notes = el(doc, 'ul', { class: 'notes', 'data-role': 'person-notes' });
  for (const n of c.notes ?? []) {
    const li = el(doc, 'li');
    if (n.created) li.append(el(doc, 'time', { datetime: n.created }, formatDay(n.created)), ' ');
    li.append(el(doc, 'span', { class: 'note-text' }, clip(n.text, 600)));
    notes.append(li);
  }
  box.append(notes.children.length ? notes : el(doc, 'p', { class: 'hint' }, 'No notes.'));

  box.append(el(doc, 'h3', {}, 'History'));
  const events = el(doc, 'ol', { class: 'history', 'data-role': 'person-history' });
  for (const e of reply?.events ?? []) {
    const li = el(doc, 'li', { class: 'entry', 'data-kind': /^[a-z_]{1,30}$/.test(String(e.kind)) ? e.kind : 'other' });
    li.append(el(doc, 'time', { datetime: e.at }, formatDateTime(e.at)), ' ', el(doc, 'span', { class: 'summary' }, e.summary));
    if (e.text) li.append(el(doc, 'p', { class: 'note-text' }, clip(e.text, 200)));
    events.append(li);
  }
  box.append(events.children.length ? events : el(doc, 'p', { class: 'hint' }, 'Nothing recorded yet.'));
  return box;
}
