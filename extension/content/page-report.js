// The page report: what tactful found on this LinkedIn tab, for the popup
// to show ("12 cards recognised, 12 badged, 11 dates understood") and to
// copy into a bug report when LinkedIn's page changed under it.
//
// The report is structure only: counts, tag names, attribute names,
// LinkedIn's data-view-name hooks and ARIA roles. It never holds a name, a
// slug, a headline, a URL or any other text of the page, so a person can
// paste it anywhere. Values that could be personal are dropped: a
// data-view-name or role that is not a plain identifier, or that contains
// the slug of a profile on the page.
//
// Other page features report what they saw through bump(name) (the removal
// reminder: "removal_menu_item", "removal_confirmation", "reminder_shown").
(function (root) {
  'use strict';

  const tactful = (root.tactful = root.tactful || {});
  const VERSION = 1;
  const MAX_ELEMENTS = 20000; // the structure of a huge page is summed over this many
  const IDENT = /^[a-z][a-z0-9_.:-]{0,63}$/i;
  const CARD_MENU = /more actions|more options|plus d.actions|autres actions|weitere aktionen|mehr optionen|más acciones|mais ações|altre azioni|meer acties|meer opties/i;

  let live = false;
  const recognised = new Set(); // slugs of the cards the reader found
  const datesRead = new Set(); // slugs whose card showed a "Connected ..." text
  const counters = Object.create(null);

  /** cardsRead takes main.js's [{card, slug, info}] as it draws them. */
  function cardsRead(read) {
    for (const { slug, info } of read) {
      recognised.add(slug);
      if (info && info.connected_text) datesRead.add(slug);
    }
  }

  function setLive(on) {
    live = Boolean(on);
  }

  /** bump counts one sighting of name (a short identifier). */
  function bump(name) {
    if (typeof name !== 'string' || !IDENT.test(name)) return;
    counters[name] = (counters[name] || 0) + 1;
  }

  function add(map, key) {
    map[key] = (map[key] || 0) + 1;
  }

  // Every slug a profile link on the page points to, lower-cased: a value
  // holding one of them is personal.
  function pageSlugs(doc) {
    const out = new Set();
    for (const a of doc.querySelectorAll('a[href*="/in/"]')) {
      const s = tactful.slug.slugFromHref(a.getAttribute('href'), doc.location && doc.location.href);
      if (s) out.add(s.toLowerCase());
      const raw = /\/in\/([^/?#]+)/.exec(a.getAttribute('href') || '');
      if (raw) out.add(raw[1].toLowerCase());
    }
    return out;
  }

  function safeValue(v, slugs) {
    if (typeof v !== 'string' || !IDENT.test(v)) return null;
    const low = v.toLowerCase();
    for (const s of slugs) if (s.length >= 3 && low.includes(s)) return null;
    return v;
  }

  // One element as structure: its tag, role, data-view-name and the names
  // of its other attributes.
  function describe(el, slugs) {
    const d = { tag: safeValue(el.tagName.toLowerCase(), slugs) || 'element' };
    const role = safeValue(el.getAttribute('role'), slugs);
    if (role) d.role = role;
    const view = safeValue(el.getAttribute('data-view-name'), slugs);
    if (view) d.view = view;
    const names = [...el.attributes].map((a) => safeValue(a.name, slugs)).filter((n) => n && n !== 'role' && n !== 'data-view-name');
    if (names.length) d.attributes = names.sort();
    return d;
  }

  // The shape of one card: a tree of described elements, three children
  // deep at most per level and six levels down, our own hosts left out.
  function shape(el, slugs, depth = 0) {
    const d = describe(el, slugs);
    if (depth >= 6) return d;
    const kids = [...el.children].filter((c) => !c.hasAttribute('data-tactful'));
    if (kids.length) {
      d.children = kids.slice(0, 3).map((c) => shape(c, slugs, depth + 1));
      if (kids.length > 3) d.more_children = kids.length - 3;
    }
    return d;
  }

  // The signs of LinkedIn's removal flow that can be seen without opening
  // it: a menu button on the cards, the removal hooks LinkedIn names.
  function removalHooks(doc, cards) {
    let menus = 0;
    for (const { card } of cards) {
      const buttons = card.querySelectorAll('button, [role="button"]');
      for (const b of buttons) {
        if (b.hasAttribute('aria-haspopup') || b.hasAttribute('aria-expanded') || CARD_MENU.test(b.getAttribute('aria-label') || '') || /menu|overflow|dropdown/i.test(b.getAttribute('data-view-name') || '')) {
          menus++;
          break;
        }
      }
    }
    return {
      cards_with_menu: menus,
      remove_hooks: doc.querySelectorAll('[data-view-name*="remove"]').length,
      seen: { ...counters },
    };
  }

  /**
   * build returns the report of doc as a plain object, for the popup.
   */
  function build(doc) {
    const reader = tactful.reader;
    const main = reader.mainRegion(doc);
    const slugs = pageSlugs(doc);
    const cards = live ? reader.findCards(doc) : [];
    const links = main ? main.querySelectorAll('a[href*="/in/"]').length : 0;
    const hosts = [...doc.querySelectorAll('[data-tactful="card"]')];
    let understood = 0;
    for (const s of datesRead) {
      const a = tactful.badges && tactful.badges.annotation(s);
      if (a && a.connected_on) understood++;
    }
    const structure = { tags: {}, attributes: {}, data_view_names: {}, roles: {}, elements: 0, truncated: false };
    if (main) {
      const walker = doc.createTreeWalker(main, 1 /* NodeFilter.SHOW_ELEMENT */);
      for (let n = walker.currentNode; n; n = walker.nextNode()) {
        if (n.hasAttribute('data-tactful')) continue;
        if (++structure.elements > MAX_ELEMENTS) {
          structure.truncated = true;
          break;
        }
        const d = describe(n, slugs);
        add(structure.tags, d.tag);
        if (d.role) add(structure.roles, d.role);
        if (d.view) add(structure.data_view_names, d.view);
        for (const a of d.attributes || []) add(structure.attributes, a);
        if (d.view) add(structure.attributes, 'data-view-name');
        if (d.role) add(structure.attributes, 'role');
      }
    }
    // A card as the reader sees it; when it recognised none, the block
    // around the first profile link, which is what a fix has to read.
    let sample = null;
    if (cards.length) sample = shape(cards[0].card, slugs);
    else if (main) {
      const a = main.querySelector('a[href*="/in/"]');
      let n = a;
      for (let i = 0; n && i < 4 && n.parentElement && n.parentElement !== main; i++) n = n.parentElement;
      if (n) sample = shape(n, slugs);
    }
    const counts = {
      profile_links_in_main: links,
      cards_on_page: cards.length,
      cards_recognised: recognised.size,
      cards_badged: hosts.length,
      cards_annotated: hosts.filter((h) => !h.hasAttribute('aria-busy')).length,
      dates_read: datesRead.size,
      dates_understood: understood,
    };
    let verdict = 'ok';
    if (!live) verdict = 'idle';
    else if (links > 0 && counts.cards_on_page === 0 && counts.cards_recognised === 0) verdict = 'no_cards';
    else if (counts.cards_recognised > 0 && counts.dates_read === 0) verdict = 'no_dates';
    else if (counts.dates_read > 0 && counts.cards_annotated > 0 && understood === 0) verdict = 'dates_not_understood';
    else if (links === 0) verdict = 'empty';
    return {
      tactful_page_report: VERSION,
      extension_version: (root.chrome && root.chrome.runtime && root.chrome.runtime.getManifest && root.chrome.runtime.getManifest().version) || '',
      page: {
        live,
        connections_path: /^\/mynetwork\/(invite-connect\/)?connections(\/|$)/.test((doc.location && doc.location.pathname) || ''),
        lang: safeValue((doc.documentElement.getAttribute('lang') || '').slice(0, 20), slugs) || '',
      },
      verdict,
      counts,
      removal: removalHooks(doc, cards),
      structure,
      card_sample: sample,
    };
  }

  tactful.pageReport = { build, bump, cardsRead, setLive };

  // The popup asks the tab for its report (tabs.sendMessage; no "tabs"
  // permission needed): only the top frame answers.
  const rt = root.chrome && root.chrome.runtime;
  if (rt && rt.onMessage && root.top === root) {
    rt.onMessage.addListener((msg, sender, sendResponse) => {
      if (!msg || msg.kind !== 'page_report' || (sender && sender.id !== rt.id)) return false;
      try {
        sendResponse(build(root.document));
      } catch (err) {
        sendResponse({ tactful_page_report: VERSION, verdict: 'error', error: String((err && err.message) || err).slice(0, 200) });
      }
      return false;
    });
  }
})(globalThis);
