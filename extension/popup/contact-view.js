// The contact view: everything tactful knows about one connection
// (contact_get), with a Back button to the timeline, and controls to set
// its status and reason tags and to edit or delete its notes
// (contact-edit.js). After each change it re-fetches the contact.

import { clip, el, errorText, formatDateTime, formatDay, statusLabel } from './format.js';
import { noteItem, statusField, tagField } from './contact-edit.js';

/**
 * createContactView draws into root (hidden until show is called).
 * @param {HTMLElement} root
 * @param {object} opts
 * @param {(req: object) => Promise<object>} opts.request
 * @param {() => void} opts.onBack
 * @param {() => string[] | undefined} [opts.tagVocabulary] the state's tags;
 *   the protocol's default vocabulary when it gives none
 */
export function createContactView(root, { request, onBack, tagVocabulary }) {
  const doc = root.ownerDocument;
  const back = el(doc, 'button', { type: 'button', id: 'contact-back', 'data-role': 'back', class: 'back' }, '← Back');
  back.addEventListener('click', () => onBack?.());
  const body = el(doc, 'div', { class: 'contact', 'data-role': 'contact' });
  const message = el(doc, 'p', { role: 'status', class: 'hint', 'data-role': 'contact-message' });
  root.append(back, message, body);
  root.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      onBack?.();
    }
  });

  let slug = '';
  let generation = 0;
  let shown = null; // the last contact reply drawn
  let busy = false;
  const editing = new Set(); // note ids with an open editor
  let missedRefresh = false;

  function fact(dl, term, value) {
    if (!value) return;
    dl.append(el(doc, 'dt', {}, term), el(doc, 'dd', {}, value));
  }

  function render(reply) {
    const c = reply.contact ?? {};
    const heading = el(doc, 'h2', { id: 'contact-name', tabindex: '-1', 'data-role': 'contact-name' }, c.name || c.slug);
    const parts = [heading];
    if (c.headline) parts.push(el(doc, 'p', { class: 'headline', 'data-role': 'contact-headline' }, c.headline));
    if (c.slug) {
      parts.push(el(doc, 'a', {
        class: 'profile', 'data-role': 'contact-profile', target: '_blank', rel: 'noreferrer',
        href: `https://www.linkedin.com/in/${encodeURIComponent(c.slug)}/`,
      }, 'Open the profile on LinkedIn'));
    }

    const dl = el(doc, 'dl', { class: 'facts' });
    fact(dl, 'Status', statusLabel(c.status));
    fact(dl, 'Tags', (c.tags ?? []).length ? c.tags.join(', ') : 'None');
    if (c.cooldown_until) fact(dl, 'Cool-down until', formatDay(c.cooldown_until));
    fact(dl, 'Connected on', c.connected_on ? formatDay(c.connected_on) + (c.connected_source === 'page_relative' ? ' (approximately)' : '') : 'Unknown');
    if (c.company || c.position) fact(dl, 'Work', [c.position, c.company].filter(Boolean).join(' at '));
    fact(dl, 'First seen', c.first_seen && formatDay(c.first_seen));
    parts.push(dl);

    const tagList = el(doc, 'ul', { class: 'tags', 'data-role': 'contact-tags', 'aria-label': 'Tags' });
    for (const tag of c.tags ?? []) tagList.append(el(doc, 'li', { class: 'tag' }, tag));
    if (tagList.children.length) parts.push(tagList);

    if (c.slug) {
      const edit = el(doc, 'div', { class: 'contact-edit', 'data-role': 'contact-edit' });
      edit.append(statusField(doc, c, act), tagField(doc, c, tagVocabulary?.(), act));
      parts.push(edit);
    }

    parts.push(el(doc, 'h3', { tabindex: '-1', 'data-role': 'notes-heading' }, 'Notes'));
    const notes = el(doc, 'ul', { class: 'notes', 'data-role': 'contact-notes' });
    editing.clear();
    for (const note of c.notes ?? []) notes.append(noteItem(doc, c.slug, note, act, onEditing));
    parts.push(notes.children.length ? notes : el(doc, 'p', { class: 'hint' }, 'No notes yet.'));

    parts.push(el(doc, 'h3', {}, 'Recent events'));
    const events = el(doc, 'ol', { class: 'history', 'data-role': 'contact-events' });
    for (const e of reply.events ?? []) {
      const li = el(doc, 'li', { class: 'entry', 'data-kind': e.kind });
      li.append(el(doc, 'time', { datetime: e.at }, formatDateTime(e.at)), el(doc, 'p', { class: 'summary' }, e.summary));
      if (e.text) li.append(el(doc, 'p', { class: 'note-text' }, clip(e.text, 160)));
      events.append(li);
    }
    parts.push(events.children.length ? events : el(doc, 'p', { class: 'hint' }, 'No events.'));
    body.replaceChildren(...parts);
    shown = reply;
  }

  function onEditing(id, on) {
    if (on) editing.add(id);
    else editing.delete(id);
    if (!editing.size && missedRefresh) {
      missedRefresh = false;
      load(false);
    }
  }

  /**
   * act sends one change; on success it re-fetches the contact, redraws,
   * says done and focuses the control at focusSelector. On error it says
   * why (role="status").
   */
  async function act(req, done, focusSelector) {
    if (busy) return;
    busy = true;
    const mine = slug;
    root.setAttribute('aria-busy', 'true');
    message.textContent = 'Saving…';
    const reply = await request(req);
    busy = false;
    if (mine !== slug) return;
    if (!reply || reply.type === 'error') {
      root.removeAttribute('aria-busy');
      message.textContent = errorText(reply);
      // Put the status and tags back as they were; an open note editor
      // keeps what was typed.
      if (req.type === 'tags_set' && shown) {
        render(shown);
        refocus(focusSelector);
      }
      return;
    }
    await load(false, done, focusSelector);
  }

  function refocus(selector) {
    const target = selector && body.querySelector(selector);
    (target || body.querySelector('[data-role="notes-heading"]') || back).focus();
  }

  async function load(focus, done = '', focusSelector) {
    const mine = ++generation;
    missedRefresh = false;
    root.setAttribute('aria-busy', 'true');
    const reply = await request({ type: 'contact_get', slug });
    if (mine !== generation) return;
    root.removeAttribute('aria-busy');
    if (reply?.type !== 'contact') {
      message.textContent = errorText(reply);
      body.replaceChildren();
      if (focus) back.focus();
      return;
    }
    message.textContent = done;
    render(reply);
    if (focus) body.querySelector('h2')?.focus();
    else if (focusSelector) refocus(focusSelector);
  }

  return {
    /** show loads and draws a contact, then focuses its name. */
    show(nextSlug, name) {
      slug = nextSlug;
      body.replaceChildren(el(doc, 'h2', { tabindex: '-1' }, name || nextSlug));
      message.textContent = 'Loading…';
      return load(true);
    },
    /** refresh redraws the contact shown (live updates). */
    refresh() {
      if (!slug) return undefined;
      // A live update must not throw away a note being edited.
      if (editing.size) {
        missedRefresh = true;
        return undefined;
      }
      return load(false);
    },
    get slug() { return slug; },
    clear() { slug = ''; generation++; shown = null; busy = false; editing.clear(); missedRefresh = false; },
  };
}
