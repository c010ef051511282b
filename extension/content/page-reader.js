// Reading the Connections page: which elements are connection cards, and what
// each one says (slug, name, headline, the "Connected ..." text).
//
// LinkedIn ships several markups (the Ember page with li.mn-connection-card,
// the server-driven page with hashed class names, virtualized lists) and
// renames classes on every release, so nothing here depends on a class name.
// A card is found from its profile links (a[href*="/in/"]) inside the page's
// main region, outside navigation, banners and complementary panels such as
// "People you may know"; the card element is the largest ancestor of such a
// link that holds links to that one person only.
(function (root) {
  'use strict';

  const tactful = (root.tactful = root.tactful || {});
  const { slugFromHref } = tactful.slug;
  // Names, headlines and "Connected on" texts: the daemon refuses longer.
  const MAX_TEXT_CHARS = tactful.protocol.limits.maxNameChars;

  // Landmarks whose profile links are never connection cards.
  const OUTSIDE = 'nav, header, footer, aside, [role="navigation"], [role="banner"], [role="complementary"], [role="contentinfo"], [role="menu"], dialog, [role="dialog"]';
  // A search box or a heading belongs to the page, not to one person.
  const FURNITURE = 'input, textarea, h1, h2, [role="search"]';
  // Elements a card never grows past.
  const BOUNDARY = new Set(['MAIN', 'BODY', 'HTML', 'UL', 'OL', 'SECTION', 'FORM', 'TABLE', 'DIALOG']);
  const BOUNDARY_ROLES = new Set(['main', 'list', 'feed', 'region', 'grid', 'tabpanel']);
  // A region that suggests people rather than listing connections.
  const SUGGESTIONS = /people you may know|suggest|recommend|vous connaissez peut-être|personnes que vous|kennen sie vielleicht|personas que quizás|persone che potresti/i;
  // Labels screen readers get and sighted users don't.
  const HIDDEN_LABEL = /^(member.s (occupation|name)|status is (online|offline|reachable)|view .*profile|verified)$/i;
  const CONNECTED = /\b(connected|verbunden|connecté|connectée|conectad[oa]|collegat[oi]|verbonden|połączeni|подключ|связ|bağlant)|接続|联系|연결/i;
  const DATEISH = /\b(19|20)\d{2}\b|\b\d+\s*(second|minute|hour|day|week|month|year|sec|min|hr|mo|yr)s?\b|\bago\b/i;

  const HIDDEN_CLASS = /(^|[\s_-])(visually-?hidden|sr-only|screen-reader(-text)?|a11y-text|assistive-text|visuallyhidden)(\s|$)/i;

  // Slugs by href: a long list repeats the same few thousand links on every
  // scan.
  const slugCache = new Map();
  function profileSlug(a) {
    const href = a.getAttribute('href');
    let s = slugCache.get(href);
    if (s === undefined) {
      s = slugFromHref(href);
      if (slugCache.size > 20000) slugCache.clear();
      slugCache.set(href, s);
    }
    return s;
  }

  function mainRegion(doc) {
    return doc.querySelector('main, [role="main"]') || doc.body;
  }

  function inSuggestions(el) {
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
      const label = n.getAttribute('aria-label');
      if (label && SUGGESTIONS.test(label)) return true;
      const labelledby = n.getAttribute('aria-labelledby');
      if (labelledby) {
        const t = n.ownerDocument.getElementById(labelledby.split(/\s+/)[0]);
        if (t && SUGGESTIONS.test(t.textContent || '')) return true;
      }
      if (n.tagName === 'SECTION' || n.getAttribute('role') === 'region') {
        const h = n.querySelector('h1, h2, h3');
        if (h && SUGGESTIONS.test(h.textContent || '')) return true;
      }
    }
    return false;
  }

  function isBoundary(el) {
    return BOUNDARY.has(el.tagName) || BOUNDARY_ROLES.has(el.getAttribute('role') || '') || el.matches('[data-tactful]');
  }

  // The slugs of every profile link under el.
  function slugsIn(el) {
    const out = new Set();
    for (const a of el.querySelectorAll('a[href*="/in/"]')) {
      const s = profileSlug(a);
      if (s) out.add(s);
    }
    return out;
  }

  /**
   * cardFor climbs from a profile link to its card: the largest ancestor
   * that holds links to this person only and is not a list, section or the
   * main region itself. Stops at a <li> or list item, which is a card.
   */
  function cardFor(link, slug, furniture) {
    const pageParts = furniture || [...link.ownerDocument.querySelectorAll(FURNITURE)];
    let card = link;
    for (;;) {
      if (card.tagName === 'LI' || card.getAttribute('role') === 'listitem' || card.tagName === 'ARTICLE') return card;
      const parent = card.parentElement;
      if (!parent || isBoundary(parent)) return card;
      // A search box or a heading belongs to the page, not to one person.
      if (pageParts.some((f) => parent.contains(f))) return card;
      const slugs = slugsIn(parent);
      if (slugs.size !== 1 || !slugs.has(slug)) return card;
      card = parent;
    }
  }

  /**
   * findCards returns [{card, slug}] for every connection card under root
   * (default: the document), each card once, in document order.
   */
  const cardOfLink = new WeakMap();
  // A card found when it was alone may have grown past its row since (the
  // list had one row then): it must still hold this person only.
  function onlyPerson(card, slug) {
    const slugs = slugsIn(card);
    return slugs.size === 1 && slugs.has(slug);
  }
  const PROFILE_LINK = 'a[href*="/in/"]';

  // The profile links under each scope, and each scope that is one itself.
  function* linksIn(scopes) {
    for (const scope of scopes) {
      if (scope.matches && scope.matches(PROFILE_LINK)) yield scope;
      yield* scope.querySelectorAll(PROFILE_LINK);
    }
  }

  /**
   * findCards returns [{card, slug}] for every connection card under scope
   * (an element or an array of them; default: the page's main region), each
   * card once.
   */
  function findCards(doc, scope) {
    const main = mainRegion(doc);
    const scopes = Array.isArray(scope) ? scope : [scope || main];
    if (!scopes[0]) return [];
    const seen = new Set();
    const out = [];
    let furniture = null;
    for (const a of linksIn(scopes)) {
      const slug = profileSlug(a);
      if (!slug) continue;
      if (!a.isConnected || a.closest(OUTSIDE) || a.closest('[data-tactful]')) continue;
      if (main && main !== doc.body && !main.contains(a)) continue;
      if (inSuggestions(a)) continue;
      // The card found for this link last time, while it still holds it
      // and the link still points at the same person.
      let known = cardOfLink.get(a);
      if (!known || known.slug !== slug || !known.card.isConnected || !known.card.contains(a) || !onlyPerson(known.card, slug)) {
        furniture = furniture || [...doc.querySelectorAll(FURNITURE)];
        known = { slug, card: cardFor(a, slug, furniture) };
        cardOfLink.set(a, known);
      }
      const card = known.card;
      // A link with nothing of its own around it (its row links other
      // people too) is not a card we understand: drawing in it would put
      // our host inside a link. The page report says so instead.
      if (card === a) continue;
      if (seen.has(card)) continue;
      seen.add(card);
      // A suggestion card offers to connect; a connection card does not.
      if (offersConnect(card)) continue;
      out.push({ card, slug });
    }
    return out;
  }

  function offersConnect(card) {
    for (const b of card.querySelectorAll('button, [role="button"]')) {
      const t = (b.textContent || '').trim();
      const label = b.getAttribute('aria-label') || '';
      if (/^(connect|se connecter|vernetzen|conectar|collegati)$/i.test(t) || /^invite .* to connect$/i.test(label)) return true;
    }
    return false;
  }

  function isHiddenElement(el, win) {
    if (el.hidden || el.getAttribute('aria-hidden') === 'true') return true;
    if (HIDDEN_CLASS.test(el.getAttribute('class') || '')) return true;
    const style = el.getAttribute('style') || '';
    if (/display\s*:\s*none|visibility\s*:\s*hidden|clip\s*:\s*rect\(\s*(0|1px)/i.test(style)) return true;
    if (win && typeof win.getComputedStyle === 'function' && el.hasAttribute('class')) {
      // Elements with the same tag and classes are styled alike: one
      // computed style per kind of element, not per card.
      const key = el.tagName + '.' + el.getAttribute('class');
      let h = styleHidden.get(key);
      if (h === undefined) {
        const cs = win.getComputedStyle(el);
        h = cs.display === 'none' || cs.visibility === 'hidden' ||
          (cs.position === 'absolute' && (/rect\(\s*(0|1)px/.test(cs.clip || '') || (cs.overflow === 'hidden' && (parseFloat(cs.width) <= 1 || parseFloat(cs.height) <= 1))));
        if (styleHidden.size > 500) styleHidden.clear();
        styleHidden.set(key, h);
      }
      return h;
    }
    return false;
  }
  const styleHidden = new Map();

  // Elements whose text is not what the card says about the person.
  const SKIP = 'button, [role="button"], [role="menu"], [role="menuitem"], svg, script, style, template, noscript, select, textarea, input, li-icon, [data-tactful]';

  /**
   * segments lists the visible text pieces of a card in order, each
   * {text, el, inProfileLink, inTime}.
   */
  function segments(card) {
    const doc = card.ownerDocument;
    const win = doc.defaultView;
    const out = [];
    const hiddenCache = new Map();
    // Ancestors are judged by their markup; only the element holding the
    // text also by its computed style (the clip/1px trick under a hashed
    // class name), which is what costs.
    const hidden = (el) => {
      if (hiddenCache.has(el)) return hiddenCache.get(el);
      let h = false;
      if (el !== card && el.parentElement) h = hidden(el.parentElement);
      if (!h) h = el.matches(SKIP) || isHiddenElement(el, null);
      hiddenCache.set(el, h);
      return h;
    };
    const walker = doc.createTreeWalker(card, 4 /* NodeFilter.SHOW_TEXT */);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.nodeValue.replace(/\s+/g, ' ').trim();
      if (!text) continue;
      const el = n.parentElement;
      if (!el || hidden(el) || isHiddenElement(el, win)) continue;
      if (HIDDEN_LABEL.test(text)) continue;
      const link = el.closest('a');
      const inProfileLink = Boolean(link && card.contains(link) && profileSlug(link));
      if (link && card.contains(link) && !inProfileLink) continue; // "Message" and other actions
      const last = out[out.length - 1];
      // Text split across inline elements of one block is one piece.
      if (last && last.block === blockOf(el, card)) {
        last.text += ' ' + text;
        continue;
      }
      out.push({ text, el, block: blockOf(el, card), inProfileLink, inTime: Boolean(el.closest('time')) });
    }
    return out;
  }

  const INLINE = new Set(['B', 'I', 'EM', 'STRONG', 'SMALL', 'ABBR', 'MARK', 'SUB', 'SUP', 'BDI', 'BDO', 'WBR']);
  function blockOf(el, card) {
    let n = el;
    while (n !== card && INLINE.has(n.tagName) && n.parentElement) n = n.parentElement;
    return n;
  }

  function clip(s, n = MAX_TEXT_CHARS) {
    const chars = [...s];
    return chars.length > n ? chars.slice(0, n).join('') : s;
  }

  /**
   * readCard returns {slug, name, headline, connected_text} for a card, or
   * null when no name can be read.
   */
  function readCard(card, slug) {
    const segs = segments(card);
    const nameIdx = segs.findIndex((s) => s.inProfileLink);
    let name = nameIdx >= 0 ? segs[nameIdx].text : '';
    if (!name) {
      // No visible text in a link: fall back on the picture's label.
      const img = card.querySelector('a[href*="/in/"] img[alt], a[href*="/in/"] [aria-label]');
      name = (img && (img.getAttribute('alt') || img.getAttribute('aria-label')) || '').trim();
    }
    if (!name) return null;
    const rest = segs.slice(nameIdx + 1);
    // The "Connected ..." line: a <time>, else the last line that says
    // connected and holds a date ("Connected Cars engineer" is a headline),
    // else the last that says connected.
    const lastIndex = (pred) => {
      for (let i = rest.length - 1; i >= 0; i--) if (pred(rest[i])) return i;
      return -1;
    };
    let connIdx = lastIndex((s) => s.inTime);
    if (connIdx < 0) connIdx = lastIndex((s) => CONNECTED.test(s.text) && DATEISH.test(s.text));
    if (connIdx < 0) connIdx = lastIndex((s) => CONNECTED.test(s.text));
    if (connIdx < 0 && rest.length > 0 && DATEISH.test(rest[rest.length - 1].text) && (rest.length > 1 || !/[a-z]{4,}.*[a-z]{4,}.*[a-z]{4,}/i.test(rest[0].text.replace(DATEISH, '')))) {
      connIdx = rest.length - 1;
    }
    const connected = connIdx >= 0 ? rest[connIdx].text : '';
    const headlineSeg = rest.find((s, i) => i !== connIdx && s.text !== name);
    const out = { slug, name: clip(name) };
    const headline = headlineSeg ? headlineSeg.text : '';
    if (headline) out.headline = clip(headline);
    if (connected) out.connected_text = clip(connected);
    return out;
  }

  // "Connections" as LinkedIn's UI says it in the page title and over the
  // list ("1,217 connections"), in the languages it ships.
  const CONNECTIONS_WORD = '(connections|connexions|relations|kontakte|verbindungen|contactos|conexiones|conexões|conexoes|collegamenti|connessioni|contatti|connecties|connectie|kontakty|połączenia)';
  const CONNECTIONS_TITLE = new RegExp('^(\\(\\d+\\)\\s*)?' + CONNECTIONS_WORD + '\\s*[|–-]\\s*linkedin\\s*$', 'i');
  const CONNECTIONS_COUNT = new RegExp('^[\\d.,\\s\\u00a0\\u202f]+' + CONNECTIONS_WORD + '$', 'i');

  /**
   * showsConnectionsList says whether the page shows the list of the
   * user's connections, whatever its path: LinkedIn's own hooks for the
   * list, its title, or its count over the list ("1,217 connections").
   * Cheap enough to ask once a second on any LinkedIn page.
   */
  function showsConnectionsList(doc) {
    if (CONNECTIONS_TITLE.test((doc.title || '').trim())) return true;
    const main = doc.querySelector('main, [role="main"]');
    if (!main) return false;
    if (main.querySelector('[data-view-name="connections-list"], [data-view-name="connections-profile"]')) return true;
    for (const h of main.querySelectorAll('h1, h2')) if (CONNECTIONS_COUNT.test((h.textContent || '').replace(/\s+/g, ' ').trim())) return true;
    return false;
  }

  /** pageLocale is the page's language, for reading dates. */
  function pageLocale(doc) {
    const lang = (doc.documentElement.getAttribute('lang') || '').trim();
    const nav = doc.defaultView && doc.defaultView.navigator;
    return clip(lang || (nav && nav.language) || '', 35);
  }

  /**
   * watch calls onCards([{card, slug}]) with the cards that appeared since
   * the last call, as the page adds, re-renders or recycles rows. It reads
   * them in the MutationObserver's callback, which runs after the page's
   * own script changed the DOM and before the browser paints: a card that
   * enters the page is reported in the same frame, with no timer. Only
   * what changed is read (the added subtrees and the cards they touch), so
   * a list of thousands costs no more per change than a short one. A card
   * element is reported once while it stays in the document and holds our
   * host; a fresh node for the same person is reported again (it needs its
   * badge back), and so is a card that lost our host to the page.
   */
  function watch(doc, onCards) {
    const known = new WeakMap(); // card element → the slug it showed
    const isOurs = (n) => n.nodeType === 1 && n.hasAttribute('data-tactful');
    // The card an element sits in, if we reported one around it.
    function cardAround(el) {
      for (let n = el; n && n.nodeType === 1; n = n.parentElement) if (known.has(n)) return n;
      return null;
    }
    function report(found) {
      const fresh = [];
      for (const c of found) {
        // Skip a card we reported that still shows the same person and
        // still holds our host; a recycled row (another person in the
        // same node) or a row whose children were redrawn comes again.
        if (known.get(c.card) === c.slug && c.card.querySelector('[data-tactful="card"]')) continue;
        known.set(c.card, c.slug);
        fresh.push(c);
      }
      if (fresh.length) onCards(fresh);
    }
    const scan = () => report(findCards(doc));
    const MAX_SCOPES = 200; // past this many changed places, read the whole list once
    const mo = new doc.defaultView.MutationObserver((records) => {
      const scopes = new Set();
      for (const r of records) {
        const target = r.target.nodeType === 1 ? r.target : r.target.parentElement;
        if (!target) continue;
        if (r.type === 'attributes') {
          scopes.add(cardAround(target) || target);
          continue;
        }
        let pageChange = false;
        for (const n of r.addedNodes) {
          if (isOurs(n)) continue;
          pageChange = true;
          if (n.nodeType === 1) scopes.add(n);
        }
        // Our own hosts coming are not page changes; anything going may
        // be the page taking our host away, so its card is read again.
        if (r.removedNodes.length) pageChange = true;
        if (pageChange) {
          const card = cardAround(target);
          if (card) scopes.add(card);
        }
      }
      if (scopes.size === 0) return;
      if (scopes.size > MAX_SCOPES) scan();
      else report(findCards(doc, [...scopes]));
    });
    mo.observe(doc.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['href'] });
    scan();
    return {
      stop() {
        mo.disconnect();
      },
      rescan: scan,
    };
  }

  tactful.reader = { findCards, readCard, pageLocale, watch, cardFor, segments, showsConnectionsList, mainRegion };
  if (typeof module === 'object' && module.exports) module.exports = tactful.reader;
})(globalThis);
