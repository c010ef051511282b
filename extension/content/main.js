// Wires the page features together: the reader finds cards, each gets its
// badge host at once, the people newly in view go to the daemon in batches
// (contacts_seen, at most 500 at a time), and the annotations, pushes and
// delivered notes that come back redraw their cards.
(function (root) {
  'use strict';

  const tactful = root.tactful;
  if (!tactful || tactful.started) return;
  tactful.started = true;
  const doc = root.document;
  const { reader, badges, daemon } = tactful;
  const MAX_BATCH = 500; // protocol.MaxBatch

  const seen = new Map(); // slug → the SeenContact last read from the page
  const unsent = new Set(); // slugs the daemon has not annotated yet
  let sending = false;
  let connected = false;

  async function flush() {
    if (sending || unsent.size === 0) return;
    sending = true;
    try {
      while (unsent.size > 0) {
        const batch = [...unsent].slice(0, MAX_BATCH);
        const contacts = batch.map((s) => seen.get(s)).filter(Boolean);
        const reply = await daemon.request({ type: 'contacts_seen', locale: reader.pageLocale(doc), contacts });
        if (!reply || reply.type !== 'annotations') {
          // Offline or unpaired: they go when the connection comes back.
          break;
        }
        for (const s of batch) unsent.delete(s);
        for (const a of reply.annotations || []) badges.setAnnotation(a);
      }
    } finally {
      sending = false;
    }
  }

  // LinkedIn is a single-page app: the user may leave the Connections page
  // without a reload, and this script stays. It only draws there.
  const onConnectionsPage = () => /^\/mynetwork\/invite-connect\/connections(\/|$)/.test(root.location.pathname);

  function onCards(found) {
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
    flush();
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
        for (const s of seen.keys()) if (!badges.annotation(s)) unsent.add(s);
        flush();
      }
    }
  });

  // The manifest injects this script on every LinkedIn page, because LinkedIn
  // is a single-page app: a user who clicks through to My Network >
  // Connections never loads that URL, so a narrower match would never run.
  // Everything stays idle, with no Port (so no socket to the daemon) and no
  // observer, until the path is the Connections page, and stops again when
  // the user navigates away.
  let watcher = null;
  let reminder = null;
  function follow() {
    const here = onConnectionsPage();
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
