// The contact view's controls: the status, the reason tags, and editing or
// deleting a note. Each control calls act(request, done, focus) with the
// protocol request to send; the view sends it, re-fetches the contact and
// redraws. Daemon strings go in as text only (el sets textContent).

import '../lib/protocol.js';
import { el, formatDateTime, formatDay, statusLabel } from './format.js';

const { protocol } = globalThis.tactful;

/** statuses are what tags_set accepts, "" clearing the status. */
export const statuses = protocol.statuses;

/** defaultTags is the protocol's default vocabulary (docs/protocol.md). */
export const defaultTags = protocol.defaultTags;

/** tagChoices is the vocabulary (or the defaults) plus the contact's own tags. */
export function tagChoices(vocabulary, own = []) {
  const base = Array.isArray(vocabulary) && vocabulary.length ? vocabulary : defaultTags;
  return [...new Set([...base, ...own].map(String))];
}

/** quoted makes a value safe inside a quoted attribute selector. */
export function quoted(value) {
  return `"${String(value).replace(/["\\]/g, '\\$&')}"`;
}

/** nextTags is the contact's tag list with one tag turned on or off, order kept. */
export function nextTags(current, tag, on) {
  const rest = (current ?? []).filter((t) => t !== tag);
  return on ? [...rest, tag] : rest;
}

/** statusField is the labelled Status select; changing it sends tags_set {slug, status}. */
export function statusField(doc, contact, act) {
  const field = el(doc, 'div', { class: 'field' });
  const select = el(doc, 'select', { id: 'contact-status', 'data-role': 'contact-status' });
  for (const value of statuses) select.append(el(doc, 'option', { value }, value ? statusLabel(value) : 'None'));
  select.value = statuses.includes(contact.status ?? '') ? (contact.status ?? '') : '';
  select.addEventListener('change', () => {
    act({ type: 'tags_set', slug: contact.slug, status: select.value },
      `Status set to ${statusLabel(select.value)}.`, '[data-role="contact-status"]');
  });
  field.append(el(doc, 'label', { for: 'contact-status' }, 'Status'), select);
  return field;
}

/** tagField is a checkbox per tag; toggling one sends tags_set {slug, tags} with the whole new list. */
export function tagField(doc, contact, vocabulary, act) {
  const own = contact.tags ?? [];
  const set = el(doc, 'fieldset', { class: 'tag-choices', 'data-role': 'contact-tag-choices' });
  set.append(el(doc, 'legend', {}, 'Reasons'));
  tagChoices(vocabulary, own).forEach((tag, i) => {
    const id = `contact-tag-${i}`;
    const box = el(doc, 'input', { type: 'checkbox', id, value: tag, 'data-role': 'tag-toggle', checked: own.includes(tag) });
    box.addEventListener('change', () => {
      const tags = nextTags(own, tag, box.checked);
      act({ type: 'tags_set', slug: contact.slug, tags },
        `${box.checked ? 'Added' : 'Removed'} the tag ${tag}.`, `[data-role="tag-toggle"][value=${quoted(tag)}]`);
    });
    const label = el(doc, 'label', { for: id, class: 'check' });
    label.append(box, doc.createTextNode(` ${tag}`));
    set.append(label);
  });
  return set;
}

/**
 * noteItem is one note with Edit and Delete. Edit turns the text into a
 * textarea with Save (note_edit) and Cancel; Delete asks first, inline,
 * and sends note_delete on the second click ("Confirm delete").
 */
export function noteItem(doc, slug, note, act, onEditing) {
  const li = el(doc, 'li', { 'data-role': 'note', 'data-note-id': note.id });
  const when = note.updated || note.created;
  const day = formatDay(note.created || note.updated);
  const self = `[data-role="note"][data-note-id=${quoted(note.id)}]`;

  function showText(focusEdit) {
    const edit = el(doc, 'button', { type: 'button', 'data-role': 'note-edit', 'aria-label': `Edit note from ${day}` }, 'Edit');
    const del = el(doc, 'button', { type: 'button', 'data-role': 'note-delete', 'aria-label': `Delete note from ${day}` }, 'Delete');
    const cancel = el(doc, 'button', { type: 'button', 'data-role': 'note-delete-cancel', 'aria-label': `Keep note from ${day}`, hidden: true }, 'Cancel');
    const ask = el(doc, 'span', { class: 'hint', 'data-role': 'note-delete-ask', hidden: true }, 'Delete this note for good?');
    edit.addEventListener('click', showEditor);
    del.addEventListener('click', () => {
      if (del.dataset.confirm === 'true') {
        act({ type: 'note_delete', slug, note_id: note.id }, 'Note deleted.', '[data-role="notes-heading"]');
        return;
      }
      del.dataset.confirm = 'true';
      del.textContent = 'Confirm delete';
      del.setAttribute('aria-label', `Confirm delete of note from ${day}`);
      ask.hidden = false;
      cancel.hidden = false;
    });
    cancel.addEventListener('click', () => showText(false));
    const actions = el(doc, 'div', { class: 'note-actions buttons' });
    actions.append(edit, del, ask, cancel);
    li.replaceChildren(el(doc, 'time', { datetime: when }, formatDateTime(when)),
      el(doc, 'p', { class: 'note-text', 'data-role': 'note-text' }, note.text), actions);
    onEditing(note.id, false);
    if (focusEdit) edit.focus();
    else if (focusEdit === false) del.focus();
  }

  function showEditor() {
    onEditing(note.id, true);
    const area = el(doc, 'textarea', { rows: 4, 'data-role': 'note-editor', 'aria-label': `Text of the note from ${day}` });
    area.value = note.text ?? '';
    const save = el(doc, 'button', { type: 'button', 'data-role': 'note-save', 'aria-label': `Save note from ${day}` }, 'Save');
    const cancel = el(doc, 'button', { type: 'button', 'data-role': 'note-cancel', 'aria-label': `Cancel editing note from ${day}` }, 'Cancel');
    save.addEventListener('click', () => {
      act({ type: 'note_edit', slug, note_id: note.id, text: area.value }, 'Note saved.', `${self} [data-role="note-edit"]`);
    });
    cancel.addEventListener('click', () => showText(true));
    area.addEventListener('keydown', (event) => {
      // Escape leaves the editor, not the contact view.
      if (event.key === 'Escape') {
        event.preventDefault();
        event.stopPropagation();
        showText(true);
      }
    });
    const actions = el(doc, 'div', { class: 'note-actions buttons' });
    actions.append(save, cancel);
    li.replaceChildren(el(doc, 'time', { datetime: when }, formatDateTime(when)), area, actions);
    area.focus();
  }

  showText();
  return li;
}
