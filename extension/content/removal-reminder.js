// The removal reminder. When the user opens "Remove connection" from a
// card's menu, LinkedIn asks for confirmation (the Ember page: a modal in
// #artdeco-modal-outlet with a "Remove" button; the server-driven page: a
// native <dialog> with a "Remove connection" button, the menu itself a portal
// at the end of <body>). We work out whose menu it was, ask the daemon for a
// reminder (removal_intent) and show it beside LinkedIn's dialog, never over
// it, in a closed shadow root [data-tactful="reminder"]. We never block,
// delay or click LinkedIn's buttons: we only watch which one the user
// presses, and record removal_outcome "removed" (confirm) or "kept" (cancel,
// close, Escape). The reminder goes away with the dialog.
(function (root) {
  'use strict';

  const tactful = (root.tactful = root.tactful || {});

  const REMOVE = /\bremove\b|entfernen|supprimer|retirer|eliminar|quitar|rimuovi|verwijder|usuń|remover|kaldır|削除|移除|삭제/i;
  const CANCEL = /^(cancel|dismiss|close|not now|no|abbrechen|schließen|annuler|fermer|cancelar|cerrar|annulla|chiudi|annuleren|anuluj|✕|×|x)$/i;
  const DIALOGS = 'dialog, [role="dialog"], [role="alertdialog"]';
  const INTENT_MS = 15000; // a dialog this soon after "Remove connection" is its confirmation
  const WIDTH = 340;
  const GAP = 16;

  const STYLE = `
:host { all: initial; }
.panel { box-sizing: border-box; width: ${WIDTH}px; max-height: inherit; overflow: auto; padding: 14px 16px; border-radius: 10px; background: #fff; color: #1f1f1f; box-shadow: 0 6px 24px rgba(0,0,0,.28); border-top: 4px solid #0a6670; font: 13px/1.45 -apple-system, system-ui, "Segoe UI", Roboto, sans-serif; }
.panel[data-advice="wait"] { border-top-color: #c2410c; }
.brand { font-size: 11px; font-weight: 700; letter-spacing: .04em; text-transform: uppercase; color: #0a6670; margin: 0 0 4px; display: flex; justify-content: space-between; align-items: center; }
h2 { font-size: 15px; line-height: 1.35; margin: 0 0 10px; }
h3 { font-size: 12px; text-transform: uppercase; letter-spacing: .03em; color: #555; margin: 12px 0 4px; }
ul { margin: 0; padding-left: 18px; }
li { margin: 2px 0; }
.point-title { font-weight: 600; }
.unfollow { background: #f0f7f7; border-radius: 8px; padding: 8px 10px; margin-top: 8px; }
a { color: #0a66c2; font-weight: 600; }
.draft { margin: 4px 0 8px; padding: 6px 8px; background: #f6f6f6; border-left: 3px solid #bbb; border-radius: 4px; }
.draft p { margin: 0 0 4px; }
button { font: inherit; font-size: 12px; font-weight: 600; border: 1px solid #0a66c2; color: #0a66c2; background: #fff; border-radius: 999px; padding: 1px 10px; cursor: pointer; }
button:focus-visible, a:focus-visible { outline: 2px solid #0a66c2; outline-offset: 1px; }
button.hide { border: 0; color: #555; padding: 0 4px; }
.tags { display: flex; flex-wrap: wrap; gap: 4px; list-style: none; padding: 0; }
.tags li { background: #ececec; border-radius: 999px; padding: 0 8px; font-size: 12px; }
.facts { color: #444; font-size: 12px; }
`;

  function el(doc, tag, attrs, text) {
    const n = doc.createElement(tag);
    if (attrs) for (const [k, v] of Object.entries(attrs)) if (v != null) n.setAttribute(k, v);
    if (text != null) n.textContent = String(text);
    return n;
  }

  function str(v) {
    return typeof v === 'string' ? v : v == null ? '' : String(v);
  }

  function pointList(doc, points, role) {
    const ul = el(doc, 'ul', { 'data-role': role });
    for (const p of Array.isArray(points) ? points : []) {
      if (!p || typeof p !== 'object') continue;
      const li = el(doc, 'li', { 'data-kind': /^[a-z_]{1,20}$/.test(str(p.kind)) ? p.kind : null });
      const title = el(doc, 'span', { class: 'point-title' }, str(p.title));
      li.append(title);
      if (p.detail) li.append(doc.createTextNode(' ' + str(p.detail)));
      ul.append(li);
    }
    return ul;
  }

  /**
   * render builds the reminder host for a protocol Reminder (or, when the
   * daemon could not be asked, a short fallback) and returns it unplaced.
   */
  function render(doc, reminder, { slug, name, error, onHide } = {}) {
    const r = reminder && typeof reminder === 'object' ? reminder : {};
    const who = str(r.name) || name || 'this person';
    const host = el(doc, 'div', { 'data-tactful': 'reminder' });
    const shadow = host.attachShadow({ mode: 'closed' });
    const style = el(doc, 'style', null, STYLE);
    const panel = el(doc, 'aside', { class: 'panel', 'data-role': 'reminder', 'aria-label': 'tactful reminder', 'data-advice': r.advice === 'wait' ? 'wait' : 'consider' });

    const brand = el(doc, 'p', { class: 'brand' });
    brand.append(el(doc, 'span', null, 'tactful'));
    const hide = el(doc, 'button', { type: 'button', class: 'hide', 'data-role': 'hide', 'aria-label': 'Hide the tactful reminder' }, '✕');
    hide.addEventListener('click', () => {
      host.remove();
      if (onHide) onHide();
    });
    brand.append(hide);
    panel.append(brand);

    const headline = error
      ? `tactful could not look up ${who}: ${str(error)}`
      : str(r.headline) || `Before you remove ${who}…`;
    panel.append(el(doc, 'h2', { 'data-role': 'headline' }, headline));

    if (Array.isArray(r.timing) && r.timing.length) {
      panel.append(el(doc, 'h3', null, 'Timing'), pointList(doc, r.timing, 'timing'));
    }

    // Unfollow first: the gentlest step, one click away on the profile.
    const unfollow = el(doc, 'div', { class: 'unfollow', 'data-role': 'unfollow' });
    const u = r.unfollow && typeof r.unfollow === 'object' ? r.unfollow : {};
    unfollow.append(el(doc, 'div', { class: 'point-title' }, str(u.title) || 'Unfollow instead'));
    unfollow.append(el(doc, 'div', null, str(u.detail) || `Unfollowing hides ${who}'s posts from your feed but keeps the connection. Nobody is notified.`));
    const cleanSlug = tactful.slug.slugOrNull(slug || r.slug);
    if (cleanSlug) {
      const link = el(doc, 'a', { href: tactful.slug.profileURL(cleanSlug), target: '_blank', rel: 'noopener noreferrer', 'data-role': 'profile-link' }, `Open ${who}'s profile to unfollow`);
      unfollow.append(link);
    }
    panel.append(unfollow);

    if (Array.isArray(r.options) && r.options.length) {
      panel.append(el(doc, 'h3', null, 'Gentler options'), pointList(doc, r.options, 'options'));
    }

    if (r.reasons && typeof r.reasons === 'object') {
      const reasons = el(doc, 'div', { 'data-role': 'reasons' });
      reasons.append(el(doc, 'h3', null, 'Your reasons'));
      const tags = Array.isArray(r.reasons.tags) ? r.reasons.tags : [];
      if (tags.length) {
        const ul = el(doc, 'ul', { class: 'tags', 'data-role': 'reason-tags' });
        for (const t of tags) ul.append(el(doc, 'li', null, str(t)));
        reasons.append(ul);
      }
      if (r.reasons.status) reasons.append(el(doc, 'p', { 'data-role': 'reason-status' }, 'Status: ' + str(r.reasons.status).replace(/_/g, ' ')));
      const notes = Array.isArray(r.reasons.notes) ? r.reasons.notes : [];
      if (notes.length) {
        const ul = el(doc, 'ul', { 'data-role': 'reason-notes' });
        for (const n of notes) ul.append(el(doc, 'li', null, str(n)));
        reasons.append(ul);
      }
      if (r.reasons.prompt) reasons.append(el(doc, 'p', { 'data-role': 'prompt' }, str(r.reasons.prompt)));
      panel.append(reasons);
    }

    const drafts = Array.isArray(r.drafts) ? r.drafts : [];
    if (drafts.length) {
      panel.append(el(doc, 'h3', null, 'If you want to say something'));
      for (const d of drafts) {
        const box = el(doc, 'div', { class: 'draft', 'data-role': 'draft' });
        box.append(el(doc, 'p', null, str(d)));
        const copy = el(doc, 'button', { type: 'button', 'data-role': 'copy' }, 'Copy');
        copy.addEventListener('click', async () => {
          try {
            await doc.defaultView.navigator.clipboard.writeText(str(d));
            copy.textContent = 'Copied';
          } catch {
            copy.textContent = 'Copy failed';
          }
          doc.defaultView.setTimeout(() => (copy.textContent = 'Copy'), 2000);
        });
        box.append(copy);
        panel.append(box);
      }
    }

    const facts = Array.isArray(r.facts) ? r.facts : [];
    if (facts.length) {
      panel.append(el(doc, 'h3', null, 'How removal works'));
      const ul = el(doc, 'ul', { class: 'facts', 'data-role': 'facts' });
      for (const f of facts) ul.append(el(doc, 'li', null, str(f)));
      panel.append(ul);
    }

    shadow.append(style, panel);
    // Keys typed in the reminder are ours, not LinkedIn's shortcuts.
    host.addEventListener('keydown', (ev) => {
      if (ev.key !== 'Escape') ev.stopPropagation();
    });
    return host;
  }

  /**
   * place puts host beside rect (LinkedIn's dialog) without covering it:
   * right of it, else left, else below or above.
   */
  function place(host, rect, win) {
    const vw = win.innerWidth || 1280;
    const vh = win.innerHeight || 800;
    const room = Math.min(vh - 16, Math.max(320, Math.round(vh * 0.6))); // height we want to have
    let left;
    let top;
    let bottom; // the lowest the reminder may reach
    if (vw - rect.right >= WIDTH + GAP + 8 || rect.left >= WIDTH + GAP + 8) {
      // Beside the dialog: level with its top, moved up when that leaves too
      // little room below.
      left = vw - rect.right >= WIDTH + GAP + 8 ? rect.right + GAP : rect.left - GAP - WIDTH;
      top = Math.max(8, Math.min(rect.top, vh - 8 - room));
      bottom = vh - 8;
    } else {
      // No room at the side: below or above it, whichever is larger.
      left = Math.max(8, Math.min(rect.left, vw - WIDTH - 8));
      if (vh - rect.bottom >= rect.top) {
        top = rect.bottom + GAP;
        bottom = vh - 8;
      } else {
        top = 8;
        bottom = rect.top - GAP;
      }
    }
    const maxHeight = Math.max(80, Math.round(bottom - top));
    host.style.cssText = `position:fixed;z-index:2147483647;left:${Math.round(left)}px;top:${Math.round(top)}px;width:${WIDTH}px;max-height:${maxHeight}px;display:block;margin:0;overflow:hidden;border-radius:10px;box-shadow:0 6px 24px rgba(0,0,0,.28);`;
  }

  // ---- working out whose menu it was -------------------------------------

  // The person whose card contains node: the card's badge host says so;
  // failing that, the one profile the nearest ancestor with profile links
  // points to.
  function slugAt(node) {
    const badges = tactful.badges;
    for (let n = node; n && n.nodeType === 1 && n.tagName !== 'BODY'; n = n.parentElement) {
      const hosts = n.querySelectorAll('[data-tactful="card"]');
      if (hosts.length > 1) return null;
      if (hosts.length === 1 && badges) {
        const v = badges.viewOf(hosts[0]);
        if (v) return v.slug;
      }
      const links = n.querySelectorAll('a[href*="/in/"]');
      if (links.length) {
        const slugs = new Set();
        for (const a of links) {
          const s = tactful.slug.slugFromHref(a.getAttribute('href'), n.ownerDocument.location && n.ownerDocument.location.href);
          if (s) slugs.add(s);
        }
        if (slugs.size === 1 && !n.closest('nav, header, aside, [role="navigation"], [role="banner"], [role="complementary"]')) return [...slugs][0];
        if (slugs.size > 1) return null;
      }
    }
    return null;
  }

  function controlOf(target) {
    return target && target.closest ? target.closest('button, [role="button"], [role="menuitem"], a, li, [tabindex]') : null;
  }

  function labelOf(n) {
    return ((n.getAttribute('aria-label') || '') + ' ' + (n.textContent || '')).replace(/\s+/g, ' ').trim();
  }

  function isOpen(d) {
    if (!d.isConnected) return false;
    if (d.tagName === 'DIALOG') return d.open;
    return !d.closest('[hidden], [aria-hidden="true"]');
  }

  /**
   * start watches doc for removal confirmations. Returns {stop}.
   */
  function start(doc) {
    const win = doc.defaultView;
    let lastCard = null; // {slug, at}: the card whose controls were used last
    let intent = null; // {slug, at}: "Remove connection" was chosen
    let session = null; // {slug, dialog, host, done}

    function note(ev) {
      const target = ev.composedPath ? ev.composedPath()[0] : ev.target;
      if (!target || target.nodeType !== 1) return;
      if (target.closest('[data-tactful]')) return;
      if (session && session.dialog.contains(target)) {
        if (ev.type === 'click') judge(target);
        return;
      }
      const control = controlOf(target);
      if (!control) return;
      const slug = slugAt(control);
      if (slug) lastCard = { slug, at: Date.now() };
      if (REMOVE.test(labelOf(control))) {
        const who = slug || (lastCard && Date.now() - lastCard.at < 5 * 60000 ? lastCard.slug : null);
        // Dialogs already open (a chat window, say) are not the confirmation.
        if (who) intent = { slug: who, at: Date.now(), before: new Set([...doc.querySelectorAll(DIALOGS)].filter(isOpen)) };
      }
    }

    function judge(target) {
      const button = target.closest('button, [role="button"], a');
      if (!button || !session || session.done) return;
      const text = labelOf(button);
      const own = (button.textContent || '').replace(/\s+/g, ' ').trim();
      if (CANCEL.test(own) || CANCEL.test(button.getAttribute('aria-label') || '')) {
        session.choice = 'kept';
        return;
      }
      const buttons = [...session.dialog.querySelectorAll('button, [role="button"]')];
      if (REMOVE.test(own || text) || buttons[buttons.length - 1] === button) {
        finish('removed');
      }
    }

    function onKey(ev) {
      if (ev.key === 'Escape' && session && !session.done) session.choice = 'kept';
      if ((ev.key === 'Enter' || ev.key === ' ') && !session) note(ev);
    }

    function finish(outcome) {
      if (!session || session.done) return;
      session.done = true;
      const slug = session.slug;
      tactful.daemon.request({ type: 'removal_outcome', slug, outcome }).then((reply) => {
        if (reply && reply.annotation && tactful.badges) tactful.badges.setAnnotation(reply.annotation);
      });
    }

    function end() {
      if (!session) return;
      if (!session.done) finish(session.choice || 'kept');
      if (session.host) session.host.remove();
      if (session.cleanup) session.cleanup();
      session = null;
    }

    // The confirmation: an open dialog that speaks of removing, shortly
    // after "Remove connection" was chosen (or, failing a recognisable menu
    // item, shortly after a card's controls were used).
    function candidate() {
      const open = [...doc.querySelectorAll(DIALOGS)].filter((d) => !d.closest('[data-tactful]') && isOpen(d));
      if (!open.length) return null;
      const saying = open.filter((d) => REMOVE.test(labelOf(d)));
      if (intent && Date.now() - intent.at < INTENT_MS) {
        const fresh = open.filter((d) => !intent.before.has(d));
        const says = fresh.filter((d) => REMOVE.test(labelOf(d)));
        const d = says[says.length - 1] || fresh[fresh.length - 1];
        if (d) return { dialog: d, slug: intent.slug };
      }
      if (saying.length && lastCard && Date.now() - lastCard.at < INTENT_MS) return { dialog: saying[saying.length - 1], slug: lastCard.slug };
      return null;
    }

    async function begin(found) {
      const { dialog, slug } = found;
      intent = null;
      const s = { slug, dialog, host: null, done: false, choice: null, cleanup: null };
      session = s;
      const onClose = () => win.setTimeout(check, 0);
      dialog.addEventListener('close', onClose);
      const reposition = () => {
        if (s.host && dialog.isConnected) place(s.host, dialog.getBoundingClientRect(), win);
      };
      win.addEventListener('resize', reposition);
      const ro = win.ResizeObserver ? new win.ResizeObserver(reposition) : null;
      if (ro) ro.observe(dialog);
      s.cleanup = () => {
        dialog.removeEventListener('close', onClose);
        win.removeEventListener('resize', reposition);
        if (ro) ro.disconnect();
      };
      const reply = await tactful.daemon.request({ type: 'removal_intent', slug });
      if (session !== s || !isOpen(dialog)) return;
      const name = tactful.badges ? tactful.badges.name(slug) : '';
      const opts = { slug, name, onHide: () => (s.host = null) };
      if (!reply || reply.type !== 'reminder') opts.error = (reply && reply.message) || 'no answer';
      const host = render(doc, reply && reply.reminder, opts);
      s.host = host;
      // A modal <dialog> makes everything outside it inert, so the reminder
      // goes in its subtree (laid out beside it, position: fixed); any other
      // dialog leaves the page live and the reminder stays out of it.
      const modal = dialog.tagName === 'DIALOG' && safeMatches(dialog, ':modal');
      (modal ? dialog : doc.body).appendChild(host);
      reposition();
    }

    function safeMatches(n, sel) {
      try {
        return n.matches(sel);
      } catch {
        return false;
      }
    }

    function check() {
      if (session) {
        if (!isOpen(session.dialog)) end();
        return;
      }
      const found = candidate();
      if (found) begin(found);
    }

    let queued = false;
    const mo = new win.MutationObserver(() => {
      if (queued) return;
      queued = true;
      win.setTimeout(() => {
        queued = false;
        check();
      }, 0);
    });
    mo.observe(doc.documentElement, { childList: true, subtree: true, attributes: true, attributeFilter: ['open', 'hidden', 'aria-hidden'] });
    // Capture phase: we see the click before LinkedIn acts on it (and
    // perhaps removes the very dialog), and we never stop it.
    doc.addEventListener('pointerdown', note, true);
    doc.addEventListener('click', note, true);
    doc.addEventListener('keydown', onKey, true);

    return {
      stop() {
        mo.disconnect();
        doc.removeEventListener('pointerdown', note, true);
        doc.removeEventListener('click', note, true);
        doc.removeEventListener('keydown', onKey, true);
        if (session && session.host) session.host.remove();
        session = null;
      },
      check,
      get session() {
        return session;
      },
    };
  }

  let running = null;
  tactful.reminder = {
    render,
    place,
    slugAt,
    start(doc) {
      if (!running) running = start(doc);
      const current = running;
      return {
        stop() {
          if (running !== current) return;
          current.stop();
          running = null;
        },
        get session() {
          return current.session;
        },
      };
    },
  };
})(globalThis);
