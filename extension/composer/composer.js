// The note composer: an extension page that content/note-composer.js frames
// inside a card's closed shadow root. Because it is our page and not
// LinkedIn's document, no key, input or composition event typed here reaches
// LinkedIn's scripts, and the note goes from here to the background script
// by runtime messaging, never through the content script or the page
// (SECURITY.md, "Typing a note").
//
// The card passes what it knows in the URL: slug, name, the contact's tags
// (JSON) and frame (a token naming this frame to its card). Enter saves,
// Shift+Enter starts a new line, Escape closes. Closing and fitting the
// frame to its content go to the card through the background, which sends
// them to this tab's content script only.
(function (root) {
  'use strict';

  // lib/protocol.js (generated from Go) is loaded before this file.
  const protocol = root.tactful.protocol;
  const DEFAULT_TAGS = protocol.defaultTags; // until the daemon's welcome says otherwise
  const MAX_NOTE_CHARS = protocol.limits.maxNoteChars;

  const doc = root.document;
  const ext = root.browser && root.browser.runtime ? root.browser : root.chrome;
  const params = new URLSearchParams(root.location.search);
  const slug = params.get('slug') || '';
  const name = (params.get('name') || '').slice(0, 200);
  const frame = (params.get('frame') || '').slice(0, 64);
  let has = [];
  try {
    const t = JSON.parse(params.get('tags') || '[]');
    if (Array.isArray(t)) has = t.filter((x) => typeof x === 'string' && x);
  } catch {
    has = [];
  }

  const form = doc.querySelector('[data-role="composer-form"]');
  const text = doc.querySelector('[data-role="note-text"]');
  const tags = doc.querySelector('[data-role="tags"]');
  const fallout = doc.querySelector('[data-role="fallout"]');
  const save = doc.querySelector('[data-role="save"]');
  const error = doc.querySelector('[data-role="error"]');
  const cancel = doc.querySelector('[data-role="cancel"]');
  text.maxLength = MAX_NOTE_CHARS;

  const title = name ? `Note about ${name}` : 'Note';
  doc.title = title;
  form.setAttribute('aria-label', title);

  async function send(message) {
    try {
      const reply = await ext.runtime.sendMessage(message);
      return reply == null ? { type: 'error', code: 'extension', message: 'The extension did not answer.' } : reply;
    } catch (err) {
      return { type: 'error', code: 'extension', message: String((err && err.message) || err) };
    }
  }

  /** tell asks the card holding this frame to close it or fit its height. */
  function tell(event, extra) {
    return send(Object.assign({ kind: 'composer', slug, frame, event }, extra));
  }

  // The vocabulary plus the contact's own tags, checked where it has them
  // (the user's choices kept when the vocabulary arrives late).
  function drawTags(vocabulary) {
    const chosen = new Set(tags.querySelectorAll('input').length ? [...tags.querySelectorAll('input:checked')].map((b) => b.value) : has);
    const legend = tags.querySelector('legend');
    const all = [...new Set([...vocabulary, ...has])];
    const boxes = all.map((t) => {
      const l = doc.createElement('label');
      l.className = 'choice';
      const box = doc.createElement('input');
      box.type = 'checkbox';
      box.value = t;
      box.setAttribute('data-role', 'tag');
      box.checked = chosen.has(t);
      l.append(box, doc.createTextNode(t));
      return l;
    });
    tags.replaceChildren(legend, ...boxes);
  }

  async function submit() {
    const note = text.value.trim();
    if (!note) {
      error.textContent = 'Write a note first.';
      text.focus();
      return;
    }
    if ([...note].length > MAX_NOTE_CHARS) {
      error.textContent = `A note has at most ${MAX_NOTE_CHARS.toLocaleString('en-US')} characters.`;
      return;
    }
    const before = new Set(has);
    const chosen = [...tags.querySelectorAll('input[data-role="tag"]')].filter((b) => b.checked).map((b) => b.value);
    const message = { kind: 'note_add', slug, text: note, frame };
    if (chosen.length !== before.size || chosen.some((t) => !before.has(t))) message.tags = chosen;
    if (fallout.checked) message.fallout = true;
    save.disabled = true;
    error.textContent = '';
    const reply = await send(message);
    save.disabled = false;
    if (reply && reply.queued) {
      // The card closes this frame when the background tells it the note
      // is queued; nothing to keep here.
      text.value = '';
      return;
    }
    error.textContent = (reply && reply.message) || 'The note could not be saved.';
    text.focus();
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submit();
  });
  cancel.addEventListener('click', () => tell('close'));
  doc.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') {
      ev.preventDefault();
      tell('close');
    } else if (ev.key === 'Enter' && !ev.shiftKey && ev.target === text && !ev.isComposing) {
      ev.preventDefault();
      submit();
    }
  });

  // Fit the frame to the form: the tags wrap, the textarea can be resized.
  let lastHeight = 0;
  function fit() {
    const h = Math.ceil(form.getBoundingClientRect().height) + 2;
    if (h !== lastHeight) {
      lastHeight = h;
      tell('size', { height: h });
    }
  }
  if (typeof root.ResizeObserver === 'function') new root.ResizeObserver(fit).observe(form);

  drawTags(DEFAULT_TAGS);
  fit();
  text.focus();
  // The card focuses this frame once it has loaded; the field follows.
  root.addEventListener('focus', () => {
    if (!doc.activeElement || doc.activeElement === doc.body) text.focus();
  });
  // The daemon's vocabulary: from the live connection, else as the
  // background saved it from the last welcome.
  (async () => {
    const state = await send({ kind: 'state' });
    let vocabulary = state && Array.isArray(state.tags) ? state.tags : null;
    if (!vocabulary || !vocabulary.length) {
      try {
        vocabulary = ((await ext.storage.local.get('tags')) || {}).tags;
      } catch {
        vocabulary = null;
      }
    }
    if (Array.isArray(vocabulary) && vocabulary.length) drawTags(vocabulary.filter((t) => typeof t === 'string' && t));
  })();
})(globalThis);
