// The contact view's controls: status, reason tags, editing and deleting
// notes, each followed by a re-fetch of the contact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blank, fakeRuntime, reply, settle } from './popup-harness.test.js';
import { createContactView } from '../popup/contact-view.js';
import { defaultTags } from '../popup/contact-edit.js';
import { createClient } from '../popup/runtime.js';

const slug = 'ada-lovelace-1815';

/**
 * view opens Ada's contact against a fake daemon that keeps her contact in
 * memory: tags_set, note_edit and note_delete change it, and contact_get
 * returns it as changed. answers overrides a request type's reply.
 */
async function view(answers = {}, opts = {}) {
  const doc = blank();
  const current = reply('contact');
  const runtime = fakeRuntime((m) => {
    const req = m.request;
    if (answers[req.type]) return answers[req.type](req);
    const c = current.contact;
    switch (req.type) {
      case 'contact_get':
        return structuredClone(current);
      case 'tags_set':
        if (req.tags) c.tags = req.tags;
        if ('status' in req) c.status = req.status;
        return reply('annotation');
      case 'note_edit':
        c.notes.find((n) => n.id === req.note_id).text = req.text;
        return reply('note_saved');
      case 'note_delete':
        c.notes = c.notes.filter((n) => n.id !== req.note_id);
        return reply('annotation');
      default:
        return { type: 'error', code: 'internal', message: 'unexpected' };
    }
  });
  const client = createClient(runtime);
  const v = createContactView(doc.getElementById('root'), { request: client.request, onBack() {}, ...opts });
  await v.show(slug, 'Ada Lovelace');
  const $ = (sel) => doc.querySelector(sel);
  const $$ = (sel) => [...doc.querySelectorAll(sel)];
  const fire = (node, type) => node.dispatchEvent(new doc.defaultView.Event(type, { bubbles: true }));
  const changes = () => runtime.sent.filter((m) => m.kind === 'request' && m.request.type !== 'contact_get').map((m) => m.request);
  return { doc, runtime, v, current, $, $$, fire, changes };
}

test('the Status select is labelled, shows the status and sends exactly tags_set {slug, status}', async () => {
  const { doc, runtime, $, fire, changes } = await view();
  const select = $('[data-role="contact-status"]');
  assert.equal(doc.querySelector(`label[for="${select.id}"]`).textContent, 'Status');
  assert.deepEqual([...select.options].map((o) => [o.value, o.textContent]), [
    ['', 'None'], ['keep', 'Keep'], ['reviewing', 'Reviewing'], ['unfollowed', 'Unfollowed'],
    ['removal_planned', 'Removal planned'], ['removed', 'Removed'],
  ]);
  assert.equal(select.value, 'reviewing');
  const fetchesBefore = runtime.requests('contact_get').length;
  select.value = 'removal_planned';
  fire(select, 'change');
  await settle();
  assert.deepEqual(changes(), [{ type: 'tags_set', slug, status: 'removal_planned' }]);
  assert.equal(runtime.requests('contact_get').length, fetchesBefore + 1, 're-fetched after the change');
  assert.equal($('[data-role="contact-status"]').value, 'removal_planned');
  assert.match($('.facts').textContent, /Removal planned/, 'redrawn from the re-fetched contact');
  assert.equal($('[data-role="contact-message"]').textContent, 'Status set to Removal planned.');
  assert.equal(doc.activeElement, $('[data-role="contact-status"]'), 'focus stays on the select');
});

test('a failed status change is shown and the select goes back', async () => {
  const { $, fire, runtime } = await view({ tags_set: () => ({ type: 'error', code: 'internal', message: 'disk full' }) });
  const fetches = runtime.requests('contact_get').length;
  const select = $('[data-role="contact-status"]');
  select.value = 'removed';
  fire(select, 'change');
  await settle();
  const msg = $('[data-role="contact-message"]');
  assert.equal(msg.getAttribute('role'), 'status');
  assert.equal(msg.textContent, 'disk full');
  assert.equal($('[data-role="contact-status"]').value, 'reviewing');
  assert.equal(runtime.requests('contact_get').length, fetches, 'no re-fetch after an error');
});

test('tags are checkboxes from the default vocabulary; toggling one sends the full new list', async () => {
  const { $, $$, fire, changes } = await view();
  const boxes = () => $$('[data-role="tag-toggle"]');
  assert.deepEqual(boxes().map((b) => b.value), defaultTags);
  assert.deepEqual(boxes().filter((b) => b.checked).map((b) => b.value), ['inactive']);
  for (const b of boxes()) assert.equal($(`label[for="${b.id}"]`).textContent.trim(), b.value);

  const reputation = boxes().find((b) => b.value === 'reputation');
  reputation.checked = true;
  fire(reputation, 'change');
  await settle();
  assert.deepEqual(changes(), [{ type: 'tags_set', slug, tags: ['inactive', 'reputation'] }]);
  assert.deepEqual(boxes().filter((b) => b.checked).map((b) => b.value), ['inactive', 'reputation'], 'redrawn');
  assert.deepEqual($$('[data-role="contact-tags"] li').map((li) => li.textContent), ['inactive', 'reputation']);

  const inactive = boxes().find((b) => b.value === 'inactive');
  inactive.checked = false;
  fire(inactive, 'change');
  await settle();
  assert.deepEqual(changes().at(-1), { type: 'tags_set', slug, tags: ['reputation'] });
  assert.deepEqual(boxes().filter((b) => b.checked).map((b) => b.value), ['reputation']);
});

test('the state’s vocabulary is used when given, plus the contact’s own tags', async () => {
  const { $$ } = await view({}, { tagVocabulary: () => ['ghosted', 'keep'] });
  assert.deepEqual($$('[data-role="tag-toggle"]').map((b) => b.value), ['ghosted', 'keep', 'inactive']);
});

test('Edit turns a note into a textarea; Save sends note_edit and redraws', async () => {
  const { doc, $, fire, changes } = await view();
  const edit = $('[data-role="note-edit"]');
  assert.match(edit.getAttribute('aria-label'), /^Edit note from .*2026$/);
  edit.click();
  const area = $('[data-role="note-editor"]');
  assert.equal(area.tagName, 'TEXTAREA');
  assert.equal(doc.activeElement, area);
  assert.equal(area.value, 'Met at the Analytical Engine meetup. Posts rarely now.');
  area.value = 'Met at the meetup in 2024. Quiet since.';
  fire(area, 'input');
  $('[data-role="note-save"]').click();
  await settle();
  assert.deepEqual(changes(), [{ type: 'note_edit', slug, note_id: 'n-7f3a9c1e', text: 'Met at the meetup in 2024. Quiet since.' }]);
  assert.equal($('[data-role="note-editor"]'), null, 'the editor is closed');
  assert.equal($('[data-role="note-text"]').textContent, 'Met at the meetup in 2024. Quiet since.');
  assert.equal(doc.activeElement, $('[data-role="note-edit"]'));
});

test('Cancel leaves the note as it was and sends nothing', async () => {
  const { doc, $, changes } = await view();
  $('[data-role="note-edit"]').click();
  $('[data-role="note-editor"]').value = 'changed';
  $('[data-role="note-cancel"]').click();
  assert.equal($('[data-role="note-text"]').textContent, 'Met at the Analytical Engine meetup. Posts rarely now.');
  assert.equal(doc.activeElement, $('[data-role="note-edit"]'));
  assert.deepEqual(changes(), []);
});

test('a failed save keeps the editor and what was typed', async () => {
  const { $ } = await view({ note_edit: () => ({ type: 'error', code: 'invalid', message: 'note too long' }) });
  $('[data-role="note-edit"]').click();
  $('[data-role="note-editor"]').value = 'x'.repeat(10);
  $('[data-role="note-save"]').click();
  await settle();
  assert.equal($('[data-role="contact-message"]').textContent, 'note too long');
  assert.equal($('[data-role="note-editor"]').value, 'x'.repeat(10));
});

test('Delete asks for an inline confirmation, then sends note_delete and redraws', async () => {
  const { $, $$, changes } = await view();
  const del = $('[data-role="note-delete"]');
  assert.match(del.getAttribute('aria-label'), /^Delete note from .*2026$/);
  del.click();
  await settle();
  assert.deepEqual(changes(), [], 'the first click only asks');
  assert.equal(del.textContent, 'Confirm delete');
  assert.match(del.getAttribute('aria-label'), /^Confirm delete of note from /);
  del.click();
  await settle();
  assert.deepEqual(changes(), [{ type: 'note_delete', slug, note_id: 'n-7f3a9c1e' }]);
  assert.equal($$('[data-role="note"]').length, 0, 'redrawn without the note');
  assert.match($('.contact').textContent, /No notes yet\./);
});

test('cancelling a delete sends nothing and puts the Delete button back', async () => {
  const { $, changes } = await view();
  $('[data-role="note-delete"]').click();
  $('[data-role="note-delete-cancel"]').click();
  assert.equal($('[data-role="note-delete"]').textContent, 'Delete');
  $('[data-role="note-delete"]').click();
  assert.deepEqual(changes(), []);
});

test('daemon strings stay text in the controls', async () => {
  const evil = '<img src=x onerror=alert(1)>';
  const { doc, $$ } = await view({
    contact_get: () => {
      const c = reply('contact');
      c.contact.tags = [evil];
      c.contact.notes[0].text = evil;
      return c;
    },
  });
  assert.equal(doc.querySelector('img'), null);
  assert.ok($$('[data-role="tag-toggle"]').some((b) => b.value === evil && b.checked));
  doc.querySelector('[data-role="note-edit"]').click();
  assert.equal(doc.querySelector('[data-role="note-editor"]').value, evil);
  assert.equal(doc.querySelector('img'), null);
});
