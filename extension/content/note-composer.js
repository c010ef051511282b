// The note composer, drawn inside a card's closed shadow root under its
// badges: a note, reason tags from the daemon's vocabulary, "We had a
// disagreement" (which starts a cool-down), Save. Enter saves, Shift+Enter
// starts a new line, Escape closes. Saving goes through the background
// script, which keeps the note until the daemon has it: the card shows a
// "pending" chip at once, and the daemon's new badges when it answers.
(function (root) {
  'use strict';

  const tactful = (root.tactful = root.tactful || {});
  // protocol.DefaultTags, until the daemon's welcome says otherwise.
  const DEFAULT_TAGS = ['inactive', 'interests-drifted', 'reputation', 'unprofessional', 're-evaluating', 'keep'];
  let vocabulary = DEFAULT_TAGS.slice();
  let seq = 0;

  function setVocabulary(tags) {
    if (Array.isArray(tags) && tags.length) vocabulary = [...new Set(tags.filter((t) => typeof t === 'string' && t))];
  }

  function build(view) {
    const doc = view.host.ownerDocument;
    const id = 'tactful-c' + ++seq;
    const form = doc.createElement('form');
    form.className = 'composer';
    form.setAttribute('data-role', 'composer');
    form.noValidate = true;
    const who = tactful.badges.name(view.slug);
    form.setAttribute('aria-label', who ? `Note about ${who}` : 'Note');
    form.hidden = true;

    const label = doc.createElement('label');
    label.htmlFor = id + '-text';
    label.textContent = 'Note';
    const text = doc.createElement('textarea');
    text.id = id + '-text';
    text.setAttribute('data-role', 'note-text');
    text.maxLength = 10000;
    text.rows = 3;

    const tags = doc.createElement('fieldset');
    tags.setAttribute('data-role', 'tags');
    const legend = doc.createElement('legend');
    legend.textContent = 'Reasons';
    tags.append(legend);

    const falloutLabel = doc.createElement('label');
    falloutLabel.className = 'choice';
    const fallout = doc.createElement('input');
    fallout.type = 'checkbox';
    fallout.setAttribute('data-role', 'fallout');
    falloutLabel.append(fallout, doc.createTextNode('We had a disagreement'));

    const actions = doc.createElement('div');
    actions.className = 'actions';
    const save = doc.createElement('button');
    save.type = 'submit';
    save.className = 'primary';
    save.setAttribute('data-role', 'save');
    save.textContent = 'Save';
    const cancel = doc.createElement('button');
    cancel.type = 'button';
    cancel.setAttribute('data-role', 'cancel');
    cancel.textContent = 'Cancel';
    const error = doc.createElement('span');
    error.className = 'error';
    error.setAttribute('data-role', 'error');
    error.setAttribute('role', 'alert');
    actions.append(save, cancel, error);

    form.append(label, text, tags, falloutLabel, actions);
    view.root.append(form);
    const c = { form, text, tags, fallout, save, error };
    view.composer = c;

    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      submit(view);
    });
    cancel.addEventListener('click', () => close(view));
    form.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') {
        ev.preventDefault();
        close(view);
      } else if (ev.key === 'Enter' && !ev.shiftKey && ev.target === text && !ev.isComposing) {
        ev.preventDefault();
        submit(view);
      }
    });
    return c;
  }

  // Redraw the tag checkboxes: the vocabulary plus the contact's own tags,
  // checked when the contact has them (the user's unsaved choices kept).
  function drawTags(view, keepChoices) {
    const c = view.composer;
    const doc = view.host.ownerDocument;
    const chosen = new Set();
    if (keepChoices) for (const box of c.tags.querySelectorAll('input')) if (box.checked) chosen.add(box.value);
    const a = tactful.badges.annotation(view.slug);
    const has = new Set(a && Array.isArray(a.tags) ? a.tags : []);
    const all = [...new Set([...vocabulary, ...has])];
    const legend = c.tags.querySelector('legend');
    const boxes = all.map((t) => {
      const l = doc.createElement('label');
      l.className = 'choice';
      const box = doc.createElement('input');
      box.type = 'checkbox';
      box.value = t;
      box.setAttribute('data-role', 'tag');
      box.checked = keepChoices ? chosen.has(t) : has.has(t);
      l.append(box, doc.createTextNode(t));
      return l;
    });
    c.tags.replaceChildren(legend, ...boxes);
  }

  function open(view) {
    const c = view.composer || build(view);
    c.error.textContent = '';
    drawTags(view, false);
    c.form.hidden = false;
    view.add.setAttribute('aria-expanded', 'true');
    c.text.focus();
  }

  function close(view) {
    const c = view.composer;
    if (!c) return;
    c.form.hidden = true;
    view.add.setAttribute('aria-expanded', 'false');
    view.add.focus();
  }

  function toggle(view) {
    if (view.composer && !view.composer.form.hidden) close(view);
    else open(view);
  }

  function refresh(view) {
    if (view.composer && !view.composer.form.hidden) drawTags(view, true);
  }

  async function submit(view) {
    const c = view.composer;
    const text = c.text.value.trim();
    if (!text) {
      c.error.textContent = 'Write a note first.';
      c.text.focus();
      return;
    }
    if ([...text].length > 10000) {
      c.error.textContent = 'A note has at most 10,000 characters.';
      return;
    }
    const a = tactful.badges.annotation(view.slug);
    const before = new Set(a && Array.isArray(a.tags) ? a.tags : []);
    const chosen = [...c.tags.querySelectorAll('input[data-role="tag"]')].filter((b) => b.checked).map((b) => b.value);
    const tagsChanged = chosen.length !== before.size || chosen.some((t) => !before.has(t));
    const note = { slug: view.slug, text };
    if (tagsChanged) note.tags = chosen;
    if (c.fallout.checked) note.fallout = true;

    c.save.disabled = true;
    c.error.textContent = '';
    // Until the daemon answers, the card says "Saving note…" beside the
    // badges it has; the badges change only when the daemon's annotation
    // comes (badges.js draws nothing of its own).
    const local = 'local-' + ++seq;
    tactful.badges.setPending(view.slug, local, true, 'sending');
    c.text.value = '';
    c.fallout.checked = false;
    close(view);
    const reply = await tactful.daemon.addNote(note);
    c.save.disabled = false;
    if (reply && reply.pending) {
      tactful.badges.setPending(view.slug, reply.note_id, true, 'queued');
    } else if (reply && reply.type === 'note_saved') {
      if (reply.annotation) tactful.badges.setAnnotation(reply.annotation);
    } else {
      // Refused before it was queued (too long, bad slug): say so and give
      // the text back.
      tactful.badges.setPending(view.slug, local, false);
      open(view);
      c.text.value = text;
      c.error.textContent = (reply && reply.message) || 'The note could not be saved.';
      return;
    }
    tactful.badges.setPending(view.slug, local, false);
  }

  tactful.composer = { open, close, toggle, refresh, setVocabulary, vocabulary: () => vocabulary.slice() };
})(globalThis);
