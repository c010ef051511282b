// The note composer's place on the card: "Add note" opens an <iframe> of the
// extension's own page composer/composer.html inside the card's closed
// shadow root, under its badges. The text is typed in that frame, which is
// not LinkedIn's document: its key, input and composition events never reach
// the page's listeners, and it sends the note to the background itself. This
// script never sees the text; it hears from the background (over the page's
// Port) what to draw: note_queued (close the frame, draw the new note at
// once), note_answer (the daemon's annotation, or "pending" while the
// daemon is away), and composer (close or fit the frame).
//
// Chromium serves the page through web_accessible_resources with
// use_dynamic_url, so runtime.getURL gives a per-session id that no static
// probe knows; Firefox's moz-extension id is per install (SECURITY.md).
(function (root) {
  'use strict';

  const tactful = (root.tactful = root.tactful || {});
  const frames = new Map(); // frame token → view
  const FIRST_HEIGHT = 190; // until the frame says how tall it is

  function runtime() {
    const c = root.chrome || root.browser;
    return c && c.runtime && c.runtime.id ? c.runtime : null;
  }

  function token() {
    const c = root.crypto;
    if (c && typeof c.randomUUID === 'function') return c.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function open(view) {
    if (view.composer) {
      view.composer.frame.focus();
      return;
    }
    const rt = runtime();
    if (!rt) return; // the extension was updated or removed: nothing to frame
    const doc = view.host.ownerDocument;
    const id = token();
    const a = tactful.badges.annotation(view.slug);
    const who = tactful.badges.name(view.slug);
    const url = new URL(rt.getURL('composer/composer.html'));
    url.searchParams.set('slug', view.slug);
    if (who) url.searchParams.set('name', who);
    url.searchParams.set('tags', JSON.stringify(a && Array.isArray(a.tags) ? a.tags : []));
    url.searchParams.set('frame', id);

    const frame = doc.createElement('iframe');
    frame.setAttribute('data-role', 'composer');
    frame.title = who ? `Note about ${who}` : 'Note';
    // Set through the CSSOM: no inline style the page's CSP could refuse.
    // Hidden until our page reports from inside it (see below).
    Object.assign(frame.style, { display: 'block', boxSizing: 'border-box', width: '100%', maxWidth: '32em', height: FIRST_HEIGHT + 'px', border: '0', marginTop: '6px', colorScheme: 'light', visibility: 'hidden' });
    // The page embeds this frame, so it may navigate it (window.frames[i]
    // .location) to a look-alike of its own. Our page loads once: a second
    // load is someone else's document, and the frame goes.
    let loads = 0;
    frame.addEventListener('load', () => {
      if (++loads > 1 && view.composer && view.composer.frame === frame) close(view, { focus: false });
    });
    frame.src = url.href;
    view.root.append(frame);
    view.composer = { frame, id, ready: false };
    frames.set(id, view);
    view.add.setAttribute('aria-expanded', 'true');
  }

  function close(view, { focus = true } = {}) {
    const c = view.composer;
    if (!c) return;
    frames.delete(c.id);
    c.frame.remove();
    view.composer = null;
    view.add.setAttribute('aria-expanded', 'false');
    if (focus) view.add.focus();
  }

  function toggle(view) {
    if (view.composer) close(view);
    else open(view);
  }

  // A frame keeps the tags it was opened with; the badges redraw around it.
  function refresh() {}

  function hear(m) {
    if (!m || typeof m !== 'object') return;
    const { badges, slug: slugs } = tactful;
    if (m.kind === 'composer') {
      const view = frames.get(m.frame);
      if (!view || view.slug !== slugs.slugOrNull(m.slug)) return;
      if (m.event === 'close') {
        close(view);
      } else if (m.event === 'size' && Number(m.height) > 0) {
        const c = view.composer;
        c.frame.style.height = Math.min(2000, Number(m.height)) + 'px';
        // Only our page can send this (the background refuses "composer"
        // from anything but an extension page): the frame holds the
        // composer, so show it and give it the focus.
        if (!c.ready) {
          c.ready = true;
          c.frame.style.visibility = 'visible';
          c.frame.focus();
        }
      }
    } else if (m.kind === 'note_queued') {
      // The background has the note: until the daemon's annotation comes the
      // card says only that a note is on its way (badges.js draws no label
      // of its own; the text stays in the frame and the background).
      const slug = slugs.slugOrNull(m.slug);
      if (!slug) return;
      badges.setPending(slug, m.note_id, true, 'sending');
      const view = frames.get(m.frame);
      if (view) close(view);
    } else if (m.kind === 'note_answer') {
      const slug = slugs.slugOrNull(m.slug);
      if (!slug) return;
      if (m.pending) {
        badges.setPending(slug, m.note_id, true, 'queued');
        return;
      }
      badges.setPending(slug, m.note_id, false);
      if (m.annotation) badges.setAnnotation(m.annotation);
    }
  }
  if (tactful.daemon) tactful.daemon.onMessage(hear);

  tactful.composer = { open, close, toggle, refresh, hear };
})(globalThis);
