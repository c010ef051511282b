// Badges on connection cards. Each card gets exactly one element
// [data-tactful="card"], with nothing personal in its attributes or light
// DOM: what it shows lives in a closed shadow root, out of reach of
// LinkedIn's scripts and styles (and ours out of theirs). Every string from
// the page or the daemon goes in through textContent.
//
// The badges are the daemon's annotation, word for word: this file makes up
// no label of its own (protocol.Annotation, daemon/annotate). Until the
// daemon has answered for a person the host is aria-busy and shows only
// "Add note"; a note not yet acknowledged shows a "pending" chip beside the
// badges, never a badge.
//
// Inside the shadow root, stable hooks for tests (read through the DevTools
// protocol): data-role="badges" / "badge" (with data-kind), "tooltip",
// "pending", "add-note", and the composer's own (note-composer.js).
(function (root) {
  'use strict';

  const tactful = (root.tactful = root.tactful || {});

  // What we know per person, shared by every card showing them.
  const contacts = new Map(); // slug → {annotation, pending: Map<note_id, "sending"|"queued">, name}
  const views = new Map(); // slug → Set<view>
  const viewOfHost = new WeakMap(); // host element → view
  let tipSeq = 0;

  const STYLE = `
:host { all: initial; display: block; margin: 6px 0 2px; font: 12px/1.4 -apple-system, system-ui, "Segoe UI", Roboto, sans-serif; color: #1f1f1f; }
.bar { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 6px; }
.badges { display: contents; }
.wrap { position: relative; display: inline-flex; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-weight: 600; font-size: 11px; line-height: 18px; background: #e8e8e8; color: #333; cursor: default; white-space: nowrap; max-width: 18em; overflow: hidden; text-overflow: ellipsis; }
.badge:focus-visible { outline: 2px solid #0a66c2; outline-offset: 1px; }
.badge[data-kind="note"] { background: #dbeafe; color: #1e3a8a; }
.badge[data-kind="tag"] { background: #ececec; color: #3f3f3f; }
.badge[data-kind="status"] { background: #ede9fe; color: #4c1d95; }
.badge[data-kind="recent"] { background: #dcfce7; color: #14532d; }
.badge[data-kind="cooldown"] { background: #ffedd5; color: #7c2d12; }
.badge[data-kind="new"] { background: #ccfbf1; color: #134e4a; }
.badge[data-kind="revisit"] { background: #fef3c7; color: #78350f; box-shadow: inset 0 0 0 1px #d97706; }
.tip { display: none; position: absolute; left: 0; top: calc(100% + 4px); z-index: 2147483000; width: max-content; max-width: 22em; padding: 6px 8px; border-radius: 6px; background: #1f1f1f; color: #fff; font-weight: 400; font-size: 12px; white-space: normal; box-shadow: 0 2px 8px rgba(0,0,0,.25); }
.wrap:hover .tip, .badge:focus + .tip { display: block; }
.pending { font-size: 11px; color: #7c5e10; background: #fef9c3; border-radius: 4px; padding: 1px 6px; }
.pending[hidden] { display: none; }
button { font: inherit; font-size: 12px; font-weight: 600; border: 1px solid #0a66c2; color: #0a66c2; background: #fff; border-radius: 999px; padding: 1px 10px; cursor: pointer; line-height: 18px; }
button:hover { background: #eef3f8; }
button:focus-visible { outline: 2px solid #0a66c2; outline-offset: 1px; }
button.primary { background: #0a66c2; color: #fff; }
.composer { margin-top: 6px; padding: 8px; border: 1px solid #d0d0d0; border-radius: 8px; background: #fafafa; display: grid; gap: 6px; max-width: 32em; }
.composer[hidden] { display: none; }
.composer label { display: block; font-weight: 600; }
.composer textarea { box-sizing: border-box; width: 100%; min-height: 4em; font: inherit; font-size: 13px; padding: 4px 6px; border: 1px solid #aaa; border-radius: 4px; resize: vertical; }
.composer fieldset { border: 0; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 2px 10px; }
.composer legend { font-weight: 600; padding: 0; margin-bottom: 2px; }
.composer .choice { display: inline-flex; align-items: center; gap: 3px; font-weight: 400; }
.composer .actions { display: flex; gap: 6px; align-items: center; }
.composer .error { color: #b42318; }
.composer .error:empty { display: none; }
`;

  function entry(slug) {
    let e = contacts.get(slug);
    if (!e) {
      e = { annotation: null, pending: new Map(), name: '' };
      contacts.set(slug, e);
    }
    return e;
  }

  // The column holding the name and headline: the highest ancestor of the
  // profile link inside the card that holds no buttons (the actions are
  // beside it, not inside it).
  function detailsColumn(card) {
    const link = [...card.querySelectorAll('a[href*="/in/"]')].find((a) => a.getAttribute('aria-hidden') !== 'true' && a.textContent.trim()) || card.querySelector('a[href*="/in/"]');
    if (!link) return card;
    let col = link;
    while (col.parentElement && col.parentElement !== card && !col.parentElement.querySelector('button, [role="button"]')) col = col.parentElement;
    // Inside a link or a paragraph our block would be invalid or clickable.
    while (col !== card && col.matches('a, p, span, h1, h2, h3, h4, label')) col = col.parentElement;
    return col;
  }

  /**
   * attach gives card its badge host (creating it once) and returns the
   * view {slug, card, host, root, ...}. A card whose node now shows someone
   * else (a recycled row) gets a fresh host.
   */
  function attach(card, slug, info) {
    const e = entry(slug);
    if (info && info.name) e.name = info.name;
    let host = card.querySelector('[data-tactful="card"]');
    let view = host && viewOfHost.get(host);
    if (view && view.slug === slug) {
      const set = views.get(slug) || new Set();
      views.set(slug, set);
      if (!set.has(view)) {
        set.add(view);
        render(view);
      }
      return view;
    }
    if (host) {
      forget(view);
      host.remove();
    }
    const doc = card.ownerDocument;
    host = doc.createElement('div');
    host.setAttribute('data-tactful', 'card');
    host.setAttribute('aria-busy', 'true');
    const shadow = host.attachShadow({ mode: 'closed' });
    const style = doc.createElement('style');
    style.textContent = STYLE;
    const bar = doc.createElement('div');
    bar.className = 'bar';
    const badges = doc.createElement('span');
    badges.className = 'badges';
    badges.setAttribute('data-role', 'badges');
    const pending = doc.createElement('span');
    pending.className = 'pending';
    pending.setAttribute('data-role', 'pending');
    pending.setAttribute('role', 'status');
    pending.hidden = true;
    const add = doc.createElement('button');
    add.type = 'button';
    add.setAttribute('data-role', 'add-note');
    add.textContent = 'Add note';
    add.setAttribute('aria-expanded', 'false');
    bar.append(badges, pending, add);
    shadow.append(style, bar);
    view = { slug, card, host, root: shadow, badges, pending, add, composer: null, drawn: null };
    add.addEventListener('click', (ev) => {
      ev.stopPropagation();
      if (tactful.composer) tactful.composer.toggle(view);
    });
    // Keys typed in our fields are ours: LinkedIn's shortcuts must not see them.
    for (const type of ['keydown', 'keyup', 'keypress']) host.addEventListener(type, (ev) => ev.stopPropagation());
    viewOfHost.set(host, view);
    let set = views.get(slug);
    if (!set) views.set(slug, (set = new Set()));
    set.add(view);
    detailsColumn(card).appendChild(host);
    render(view);
    return view;
  }

  function forget(view) {
    if (!view) return;
    const set = views.get(view.slug);
    if (set) set.delete(view);
  }

  const PENDING_TEXT = {
    sending: 'Saving note…',
    queued: 'Saved here; will sync when tactful is running',
  };

  function render(view) {
    const e = entry(view.slug);
    const doc = view.host.ownerDocument;
    // The same badges again (a push, a second reply) leave the DOM alone:
    // no flicker, no lost focus or open tooltip.
    const drawn = e.annotation ? JSON.stringify(e.annotation.badges || []) : null;
    if (drawn !== view.drawn) {
      view.drawn = drawn;
      view.badges.replaceChildren(...badgeNodes(doc, e.annotation));
    }
    if (e.annotation) view.host.removeAttribute('aria-busy');
    else view.host.setAttribute('aria-busy', 'true');
    const states = new Set(e.pending.values());
    const text = states.has('queued') ? PENDING_TEXT.queued : states.has('sending') ? PENDING_TEXT.sending : '';
    if (view.pending.textContent !== text) view.pending.textContent = text;
    view.pending.hidden = !text;
    if (view.composer && tactful.composer) tactful.composer.refresh(view);
  }

  function badgeNodes(doc, annotation) {
    const list = (annotation && Array.isArray(annotation.badges) ? annotation.badges : []).filter((b) => b && typeof b === 'object');
    return list.map((b) => {
      const wrap = doc.createElement('span');
      wrap.className = 'wrap';
      const badge = doc.createElement('span');
      badge.className = 'badge';
      badge.setAttribute('data-role', 'badge');
      badge.setAttribute('data-kind', /^[a-z_]{1,20}$/.test(String(b.kind)) ? String(b.kind) : 'other');
      badge.setAttribute('role', 'note');
      badge.tabIndex = 0;
      const label = String(b.label ?? '');
      const detail = String(b.detail ?? '');
      badge.setAttribute('aria-label', detail ? `${label}: ${detail}` : label);
      badge.textContent = label;
      wrap.append(badge);
      if (detail) {
        const tip = doc.createElement('span');
        tip.className = 'tip';
        tip.id = 'tactful-tip-' + ++tipSeq;
        tip.setAttribute('role', 'tooltip');
        tip.setAttribute('data-role', 'tooltip');
        tip.textContent = detail;
        wrap.append(tip);
      }
      return wrap;
    });
  }

  // The views of slug. A card out of the document may come back (a
  // virtualized list keeps the node and re-inserts it), so detached views
  // are kept up to date too, and only dropped once there are several.
  function live(slug) {
    const set = views.get(slug);
    if (!set) return [];
    if (set.size > 3) for (const v of set) if (!v.host.isConnected) set.delete(v);
    return [...set];
  }

  function refresh(slug) {
    for (const v of live(slug)) render(v);
  }

  /** setAnnotation stores a daemon annotation and redraws its cards. */
  function setAnnotation(annotation) {
    if (!annotation || typeof annotation.slug !== 'string') return;
    const slug = tactful.slug.slugOrNull(annotation.slug);
    if (!slug) return;
    entry(slug).annotation = annotation;
    refresh(slug);
  }

  /**
   * setPending marks a note of slug as not yet acknowledged by the daemon:
   * "sending" while the background script delivers it, "queued" while it
   * waits for the daemon to come back; on false the mark goes.
   */
  function setPending(slug, noteID, on, state = 'queued') {
    const e = entry(slug);
    if (on) e.pending.set(noteID, state === 'sending' ? 'sending' : 'queued');
    else e.pending.delete(noteID);
    refresh(slug);
  }

  tactful.badges = {
    attach,
    render,
    refresh,
    setAnnotation,
    setPending,
    annotation: (slug) => entry(slug).annotation,
    name: (slug) => entry(slug).name,
    views: live,
    slugs: () => [...contacts.keys()],
    viewOf: (host) => viewOfHost.get(host),
  };
})(globalThis);
