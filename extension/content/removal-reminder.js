// The removal reminder. When the person opens "Remove connection" from a
// card's menu, LinkedIn asks for confirmation: a modal in
// #artdeco-modal-outlet (the Ember page), a native <dialog> (the
// server-driven page), or a plain overlay without any dialog role (the 2025
// page). We find that flow by meaning (the item's words in LinkedIn's UI
// languages, dialog roles, data-view-name hooks, the person's name), never
// by class names; ask the daemon for a reminder (removal_intent); and show it
// beside LinkedIn's confirmation, never over it, in a closed shadow root
// [data-tactful="reminder"]. We never block, delay or click LinkedIn's
// buttons. Only the person's own input counts: "removed" once they confirmed
// and the page then dropped the card or the count, "kept" when they
// cancelled or closed; nothing when it is unclear. See start().
(function (root) {
  'use strict';

  const tactful = (root.tactful = root.tactful || {});

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
.decision { background: #f0f4ff; border-radius: 8px; padding: 6px 10px; margin: 0 0 8px; list-style: none; }
.clusters li { color: #7c2d12; }
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

    // What the person decided in guided review, in their own words first.
    if (r.decision && typeof r.decision === 'object') {
      const list = pointList(doc, [r.decision], 'decision');
      list.className = 'decision';
      panel.append(list);
    }

    if (Array.isArray(r.timing) && r.timing.length) {
      panel.append(el(doc, 'h3', null, 'Timing'), pointList(doc, r.timing, 'timing'));
    }

    // Planned removals that cluster (one company, week or reason), with the
    // daemon's offer to spread them out.
    if (Array.isArray(r.clusters) && r.clusters.length) {
      const list = pointList(doc, r.clusters, 'clusters');
      list.className = 'clusters';
      panel.append(el(doc, 'h3', null, 'Your planned removals'), list);
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

  // ---- the removal flow, found by meaning ---------------------------------

  // "Remove connection" as LinkedIn's menu says it, in the UI languages it
  // ships (English, French, German, Spanish, Portuguese, Italian, Dutch).
  const REMOVE_ITEM = new RegExp(
    [
      'remove connection', 'remove as (a )?connection',
      '(retirer|supprimer) (la |cette )?relation', 'retirer des relations',
      '(kontakt|verbindung|vernetzung) (entfernen|löschen)', 'als kontakt entfernen',
      'eliminar (el |la )?(contacto|conexión|conexion)', 'eliminar de (mis |los )?contactos',
      'remover (a )?(conexão|conexao|contato)', 'remover das conexões',
      'rimuovi (il )?collegamento', 'rimuovi dai collegamenti',
      '(connectie|verbinding) verwijderen', 'verwijder(en)? als connectie',
    ].join('|'),
    'i',
  );
  // The confirmation's button that removes.
  const CONFIRM = /^(remove|remove connection|retirer|retirer la relation|supprimer|supprimer la relation|entfernen|kontakt entfernen|eliminar|eliminar contacto|remover|remover conexão|rimuovi|rimuovi collegamento|verwijderen|connectie verwijderen)$/i;
  // Its buttons that keep the connection: cancel, and close (✕).
  const CANCEL = /^(cancel|dismiss|close|not now|annuler|fermer|abbrechen|schließen|cancelar|cerrar|fechar|annulla|chiudi|annuleren|sluiten|✕|×)$/i;
  // Structural hooks where LinkedIn's markup has them. The SDUI page puts
  // connections-remove on the menu item, the 2025 page on the confirm button.
  const HOOK_ITEM = '[data-control-name="remove_connection"], [role="menuitem"][data-view-name="connections-remove"]';
  const HOOK_CONFIRM = '[data-view-name="connections-remove"]:not([role="menuitem"])';
  const HOOK_CANCEL = '[data-view-name="connections-remove-cancel"]';
  const DIALOGS = 'dialog, [role="dialog"], [role="alertdialog"]';
  const BUTTONS = 'button, [role="button"]';
  const FURNITURE = 'nav, header, aside, [role="navigation"], [role="banner"], [role="complementary"]';
  const INTENT_MS = 15000; // the confirmation shows this soon after the item, or it is not one
  const VERIFY_MS = 10000; // the card leaves or the count drops this soon after confirming, or we say nothing
  const CARD_MS = 5 * 60000; // a portal menu belongs to the card whose controls were used this recently

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
        if (slugs.size === 1 && !n.closest(FURNITURE)) return [...slugs][0];
        if (slugs.size > 1) return null;
      }
    }
    return null;
  }

  function controlOf(target) {
    return target && target.closest ? target.closest('button, [role="button"], [role="menuitem"], a, li, [tabindex]') : null;
  }

  function textOf(n) {
    return (n.textContent || '').replace(/\s+/g, ' ').trim();
  }

  function labelOf(n) {
    return ((n.getAttribute('aria-label') || '') + ' ' + (n.textContent || '')).replace(/\s+/g, ' ').trim();
  }

  function isOpen(d) {
    if (!d.isConnected) return false;
    if (d.tagName === 'DIALOG') return d.open;
    return !d.closest('[hidden], [aria-hidden="true"]');
  }

  // isRemoveItem: the menu's "Remove connection", by its words or its hook.
  function isRemoveItem(control) {
    return control.matches(HOOK_ITEM) || REMOVE_ITEM.test(labelOf(control));
  }

  function isConfirm(button) {
    return button.matches(HOOK_CONFIRM) || CONFIRM.test(textOf(button));
  }

  function isCancel(button) {
    return button.matches(HOOK_CANCEL) || CANCEL.test(textOf(button)) || CANCEL.test((button.getAttribute('aria-label') || '').trim());
  }

  // boxOf is the part of an overlay a person reads: the nearest ancestor of
  // its button that holds two buttons and words of its own.
  function boxOf(button) {
    for (let n = button.parentElement; n && n.tagName !== 'BODY'; n = n.parentElement) {
      const buttons = n.querySelectorAll(BUTTONS);
      if (buttons.length < 2) continue;
      let own = textOf(n);
      for (const b of buttons) own = own.replace(textOf(b), '');
      if (own.replace(/[\s✕×]/g, '').length > 0) return n;
    }
    return null;
  }

  /**
   * connectionCount reads the page's "1,217 connections" (in its language),
   * or returns null when the page shows no count.
   */
  const COUNT = /^(\d[\d.,\s\u00a0\u202f]*)\s+(connections?|relations?|kontakte?|contactos?|conexões|conexão|contatos?|collegament[oi]|connecties?)$/i;
  function connectionCount(doc) {
    const main = doc.querySelector('main, [role="main"]') || doc.body;
    for (const el of main.querySelectorAll('h1, h2, h3, p, span, div')) {
      if (el.childElementCount > 0) continue;
      const m = COUNT.exec(textOf(el));
      if (m) return parseInt(m[1].replace(/\D/g, ''), 10);
    }
    return null;
  }

  // The connection cards on the page showing slug.
  function cardsOf(doc, slug) {
    if (!tactful.reader) return [];
    return tactful.reader.findCards(doc).filter((c) => c.slug === slug).map((c) => c.card);
  }

  /**
   * start follows removals on doc and returns {stop, check, session}.
   *
   * The intent starts only from the person's own click (or Enter/Space) on
   * a card menu's "Remove connection". The confirmation is what the page
   * shows next that offers the removal: a native <dialog>, a
   * [role=dialog|alertdialog], or a plain overlay holding the
   * connections-remove hook or naming the person with two buttons; never
   * the menu itself, even when it carries role="dialog". "removed" is
   * recorded only after the person's click on the confirmation's remove
   * button, once the card has left the list or the connection count has
   * dropped; "kept" after their Cancel, ✕, Escape or click outside, once the
   * confirmation has closed. Anything else records nothing beyond the
   * intent. Synthetic events (a page script's .click()) never count.
   */
  function start(doc) {
    const win = doc.defaultView;
    let lastCard = null; // {slug, at}: the card whose controls the person used last
    let intent = null; // {slug, at, item, before, count}: "Remove connection" was chosen
    let session = null; // {slug, dialog, host, choice, done, cleanup}
    let verifying = null; // {slug, cards, count, until}: confirmed, waiting for the page to remove

    const trusted = (ev) => tactful.reminder.isTrusted(ev);

    function targetOf(ev) {
      const t = ev.composedPath ? ev.composedPath()[0] : ev.target;
      return t && t.nodeType === 1 ? t : null;
    }

    function onClick(ev) {
      if (!trusted(ev)) return;
      const target = targetOf(ev);
      if (!target || target.closest('[data-tactful]')) return;
      // A confirmation the page closed a moment ago ends before this click
      // is read, so the click can start the next removal.
      if (session && !isOpen(session.dialog)) end();
      if (session) {
        const button = target.closest(BUTTONS);
        if (session.dialog.contains(target)) {
          if (button) judge(button);
        } else {
          // A click outside the confirmation (its backdrop, say): if the
          // page closes it now, the person kept the connection.
          if (!session.choice) session.choice = 'kept';
          const control = controlOf(target);
          const slug = control && slugAt(control);
          if (slug) lastCard = { slug, at: Date.now() };
        }
        return;
      }
      noteIntent(target);
    }

    function onKey(ev) {
      if (!trusted(ev)) return;
      const target = targetOf(ev);
      if (ev.key === 'Escape') {
        if (session && !session.done && session.choice !== 'confirmed') session.choice = 'kept';
        return;
      }
      if ((ev.key !== 'Enter' && ev.key !== ' ') || !target || target.closest('[data-tactful]')) return;
      if (session && !isOpen(session.dialog)) end();
      if (session) {
        const button = target.closest(BUTTONS);
        if (button && session.dialog.contains(button)) judge(button);
        return;
      }
      noteIntent(target);
    }

    function noteIntent(target) {
      const control = controlOf(target);
      if (!control) return;
      const now = Date.now();
      const slug = slugAt(control);
      if (slug) lastCard = { slug, at: now };
      if (!isRemoveItem(control)) return;
      // A menu inside the card says whose it is; a portal menu belongs to
      // the card whose "more actions" the person just opened.
      const who = slug || (lastCard && now - lastCard.at < CARD_MS ? lastCard.slug : null);
      if (!who) return;
      // Surfaces open now (a chat window, the menu itself) are not the
      // confirmation; neither are the body's children already there.
      const before = new Set([...doc.querySelectorAll(DIALOGS)].filter(isOpen));
      const children = new Set(doc.body ? doc.body.children : []);
      intent = { slug: who, at: now, item: control, before, children, count: connectionCount(doc) };
    }

    function judge(button) {
      if (!session || session.done) return;
      if (isCancel(button)) {
        if (session.choice !== 'confirmed') session.choice = 'kept';
        return;
      }
      if (isConfirm(button)) {
        session.choice = 'confirmed';
        verifying = { slug: session.slug, cards: cardsOf(doc, session.slug), count: session.count, until: Date.now() + VERIFY_MS };
        win.setTimeout(verify, VERIFY_MS + 50);
      }
    }

    // verify records "removed" once the page shows the removal: the card
    // gone from the list, or the count lower than before. Past VERIFY_MS it
    // gives up and records nothing.
    function verify() {
      const v = verifying;
      if (!v) return;
      const gone = v.cards.length > 0 && v.cards.every((c) => !c.isConnected) && cardsOf(doc, v.slug).length === 0;
      const now = connectionCount(doc);
      const dropped = v.count != null && now != null && now < v.count;
      if (gone || dropped) {
        verifying = null;
        send(v.slug, 'removed');
        return;
      }
      if (Date.now() >= v.until) verifying = null;
    }

    function send(slug, outcome) {
      tactful.daemon.request({ type: 'removal_outcome', slug, outcome }).then((reply) => {
        if (reply && reply.annotation && tactful.badges) tactful.badges.setAnnotation(reply.annotation);
      });
    }

    // The confirmation closed: "kept" if the person chose so; a confirmed
    // removal waits for the page (verify); anything else is unclear.
    function end() {
      const s = session;
      if (!s) return;
      session = null;
      if (!s.done && s.choice === 'kept') send(s.slug, 'kept');
      s.done = true;
      if (s.host) s.host.remove();
      if (s.cleanup) s.cleanup();
      verify();
    }

    // fresh says whether el is new since the intent and is not the menu.
    function fresh(el) {
      if (el.closest('[data-tactful]') || intent.before.has(el)) return false;
      if (el.contains(intent.item) || (intent.item.isConnected && intent.item.contains(el))) return false;
      for (const b of intent.before) if (b.contains(el)) return false;
      return true;
    }

    function offers(el) {
      return [...el.querySelectorAll(BUTTONS)].some(isConfirm);
    }

    // names says whether el speaks of the person and offers two buttons.
    function names(el, name) {
      return Boolean(name) && textOf(el).includes(name) && el.querySelectorAll(BUTTONS).length >= 2;
    }

    // candidate is the confirmation the page shows for the intent, if any.
    function candidate() {
      if (!intent) return null;
      if (Date.now() - intent.at > INTENT_MS) {
        intent = null;
        return null;
      }
      const name = nameOf(intent.slug);
      const main = doc.querySelector('main, [role="main"]');
      const inList = (el) => main && main.contains(el) && slugAt(el) !== null;
      const dialogs = [...doc.querySelectorAll(DIALOGS)].filter((d) => isOpen(d) && fresh(d) && !inList(d) && (offers(d) || names(d, name)));
      if (dialogs.length) return dialogs[dialogs.length - 1];
      for (const b of doc.querySelectorAll(HOOK_CONFIRM)) {
        const box = boxOf(b);
        if (box && isOpen(box) && fresh(box) && !inList(box)) return box;
      }
      if (name && doc.body) {
        for (const top of doc.body.children) {
          if (intent.children.has(top) || !isOpen(top) || !fresh(top)) continue;
          let best = null;
          for (const el of [top, ...top.querySelectorAll('div, section')]) if (names(el, name)) best = el;
          if (best) return best;
        }
      }
      return null;
    }

    function nameOf(slug) {
      const fromBadges = tactful.badges ? tactful.badges.name(slug) : '';
      if (fromBadges) return fromBadges;
      const card = cardsOf(doc, slug)[0];
      const row = card && tactful.reader ? tactful.reader.readCard(card, slug) : null;
      return row ? row.name : '';
    }

    async function begin(dialog) {
      const slug = intent.slug;
      const s = { slug, dialog, host: null, done: false, choice: null, count: intent.count, cleanup: null };
      intent = null;
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
      // confirmation leaves the page live and the reminder stays out of it.
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
      if (verifying) verify();
      if (session) {
        if (!isOpen(session.dialog)) end();
        return;
      }
      const found = candidate();
      if (found) begin(found);
    }

    let queued = false;
    const mo = new win.MutationObserver(() => {
      if (queued || (!intent && !session && !verifying)) return;
      queued = true;
      win.setTimeout(() => {
        queued = false;
        check();
      }, 0);
    });
    mo.observe(doc.documentElement, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ['open', 'hidden', 'aria-hidden'] });
    // Capture phase: we see the click before LinkedIn acts on it (and
    // perhaps removes the very dialog), and we never stop it.
    doc.addEventListener('click', onClick, true);
    doc.addEventListener('keydown', onKey, true);

    return {
      // main.js stops the reminder when the person leaves the connections
      // page: an open session lets go of its dialog, resize and size
      // observers too, and records nothing.
      stop() {
        mo.disconnect();
        doc.removeEventListener('click', onClick, true);
        doc.removeEventListener('keydown', onKey, true);
        if (session && session.host) session.host.remove();
        if (session && session.cleanup) session.cleanup();
        session = null;
        intent = null;
        verifying = null;
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
    connectionCount,
    // isTrusted tells the person's own input from a script's. Only the
    // unit tests replace it: jsdom cannot make a trusted event.
    isTrusted: (ev) => ev.isTrusted === true,
    start(doc) {
      if (!running) running = start(doc);
      const current = running;
      return {
        stop() {
          if (running !== current) return;
          current.stop();
          running = null;
        },
        check: () => current.check(),
        get session() {
          return current.session;
        },
      };
    },
  };
})(globalThis);
