// Wires the page features together: the reader finds cards, each gets its
// badge host at once (drawn complete when the page already holds the
// person's annotation), the people the daemon has not annotated yet go to it
// in one request per frame (contacts_seen, at most protocol.limits.maxBatch
// at a time), and the annotations, pushes and delivered notes that come back
// redraw their cards.
// The page report (page-report.js) counts what was found and drawn.
(function (root) {
  'use strict';

  const tactful = root.tactful;
  if (!tactful || tactful.started) return;
  tactful.started = true;
  const doc = root.document;
  const { reader, badges, daemon } = tactful;
  const report = tactful.pageReport || null;
  const MAX_BATCH = tactful.protocol.limits.maxBatch;

  const seen = new Map(); // slug → the SeenContact last read from the page
  const unsent = new Set(); // slugs the daemon has not annotated yet
  const asking = new Set(); // slugs in a contacts_seen not answered yet
  let connected = false;
  // Set when a request failed (offline, unpaired): nothing more is sent
  // until the background says the daemon is connected again.
  let held = false;

  // send asks the daemon about every unsent person, at most MAX_BATCH a request.
  // It does not wait for the requests still out: a row that scrolls in
  // while one is on its way goes at once, and the background script and
  // the daemon pipeline them.
  function send() {
    const slugs = [...unsent].filter((s) => !asking.has(s));
    for (let i = 0; i < slugs.length; i += MAX_BATCH) ask(slugs.slice(i, i + MAX_BATCH));
  }

  async function ask(batch) {
    for (const s of batch) {
      unsent.delete(s);
      asking.add(s);
    }
    const contacts = batch.map((s) => seen.get(s)).filter(Boolean);
    let reply = null;
    try {
      reply = await daemon.request({ type: 'contacts_seen', locale: reader.pageLocale(doc), contacts });
    } finally {
      for (const s of batch) asking.delete(s);
    }
    if (!reply || reply.type !== 'annotations') {
      // Offline or unpaired: they go when the connection comes back.
      held = true;
      for (const s of batch) if (!badges.annotation(s)) unsent.add(s);
      return;
    }
    for (const a of reply.annotations || []) badges.setAnnotation(a);
  }

  // One request per frame: the first people found in a frame go at once
  // (a scroll brings its rows in one observer callback, so they share it),
  // and whoever the same frame finds after that goes with the next frame.
  // A hidden tab gets no animation frames, so a short timer stands in.
  let sentThisFrame = false;
  function sendSoon() {
    if (sentThisFrame || held) return;
    sentThisFrame = true;
    root.queueMicrotask(send);
    let done = false;
    const next = () => {
      if (done) return;
      done = true;
      sentThisFrame = false;
      if (unsent.size) sendSoon();
    };
    if (typeof root.requestAnimationFrame === 'function' && doc.visibilityState !== 'hidden') root.requestAnimationFrame(next);
    else root.setTimeout(next, 50);
  }

  // LinkedIn is a single-page app: the user may leave the Connections page
  // without a reload, and this script stays. It only draws where LinkedIn
  // shows the list of connections: at its addresses, or wherever the page
  // shows that list (LinkedIn moves pages, and rolls changes out to some
  // members first).
  const CONNECTIONS_PATH = /^\/mynetwork\/(invite-connect\/)?connections(\/|$)/;
  const onConnectionsPage = () => CONNECTIONS_PATH.test(root.location.pathname) || reader.showsConnectionsList(doc);

  function onCards(found) {
    // The watcher stops within a second of leaving; until then, nothing.
    if (!onConnectionsPage()) return;
    // Read every card first, then draw: drawing between reads would make
    // the browser recompute styles once per card.
    const read = found.map(({ card, slug }) => ({ card, slug, info: reader.readCard(card, slug) }));
    for (const { card, slug, info } of read) badges.attach(card, slug, info);
    for (const { slug, info } of read) {
      if (!info) continue;
      const before = seen.get(slug);
      if (!before || before.name !== info.name || before.headline !== info.headline || before.connected_text !== info.connected_text || !badges.annotation(slug)) {
        seen.set(slug, info);
        unsent.add(slug);
      }
    }
    if (report) report.cardsRead(read);
    if (unsent.size) sendSoon();
  }

  daemon.onMessage((m) => {
    if (!m || typeof m !== 'object') return;
    if (m.kind === 'push' && m.message && m.message.type === 'contact_changed') {
      badges.setAnnotation(m.message.annotation);
    } else if (m.kind === 'delivered') {
      badges.setPending(tactful.slug.slugOrNull(m.slug) || m.slug, m.note_id, false);
      if (m.annotation) badges.setAnnotation(m.annotation);
    } else if (m.kind === 'dropped') {
      badges.setPending(tactful.slug.slugOrNull(m.slug) || m.slug, m.note_id, false);
    } else if (m.kind === 'state' && m.state) {
      const was = connected;
      connected = Boolean(m.state.connected);
      if (connected && !was) {
        // Back online: whoever is still without badges goes now.
        held = false;
        for (const s of seen.keys()) if (!badges.annotation(s) && !asking.has(s)) unsent.add(s);
        send();
      }
    }
  });

  // The manifest injects this script on every LinkedIn page, because LinkedIn
  // is a single-page app: a user who clicks through to My Network >
  // Connections never loads that URL, so a narrower match would never run.
  // Everything stays idle, with no Port (so no socket to the daemon) and no
  // observer, until the page is the Connections page, and stops again when
  // the user navigates away.
  let watcher = null;
  let reminder = null;
  function follow() {
    const here = onConnectionsPage();
    if (report) report.setLive(here);
    if (here && !watcher) {
      daemon.start();
      watcher = reader.watch(doc, onCards);
      if (tactful.reminder) reminder = tactful.reminder.start(doc);
    } else if (!here && watcher) {
      watcher.stop();
      watcher = null;
      if (reminder && reminder.stop) reminder.stop();
      reminder = null;
      daemon.stop();
    }
  }
  follow();
  // history.pushState fires no event a content script can see; a cheap
  // check of the path once a second catches it, and popstate the back button.
  root.addEventListener('popstate', follow);
  root.setInterval(follow, 1000);
})(globalThis);
