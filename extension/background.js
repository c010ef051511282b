// The background script: the only WebSocket to the daemon, and the router
// between it and the pages and popup (docs/architecture.md, "Contracts inside
// the extension"). State lives in chrome.storage (local: address, pairing
// code, pending notes; session: connection status) because Chromium stops
// an idle service worker and starts it again with empty globals; every
// listener is registered at the top level for the same reason.
//
// Chromium runs this file as a service worker and loads lib/ with
// importScripts; Firefox runs it as an event page with lib/ listed before it
// in background.scripts.
/* global importScripts */
'use strict';

if (typeof importScripts === 'function' && !(globalThis.tactful && globalThis.tactful.connection)) {
  importScripts('lib/slug.js', 'lib/pending-notes.js', 'lib/connection.js');
}

const { createConnection } = globalThis.tactful.connection;
const { createPendingNotes, validateNote } = globalThis.tactful.pendingNotes;
const { slugOrNull } = globalThis.tactful.slug;

const ports = new Set();
let pendingCount = 0;

const notes = createPendingNotes({ area: chrome.storage.local });

const connection = createConnection({
  WebSocket: globalThis.WebSocket,
  setTimeout: (f, ms) => setTimeout(f, ms),
  clearTimeout: (t) => clearTimeout(t),
  setInterval: (f, ms) => setInterval(f, ms),
  clearInterval: (t) => clearInterval(t),
  local: chrome.storage.local,
  session: chrome.storage.session || { set: async () => {} },
  version: chrome.runtime.getManifest().version,
  pendingCount: async () => (pendingCount = await notes.count()),
  onPush: (message) => broadcast({ kind: 'push', message }),
  onState: (state) => broadcast({ kind: 'state', state }),
  onWelcome: (welcome) => {
    chrome.storage.local.set({ tags: Array.isArray(welcome.tags) ? welcome.tags : [] }).catch(() => {});
    deliverPending();
  },
});
// Keep retrying while a page or the popup is open, or notes wait.
connection.setWantsRetry(() => ports.size > 0 || pendingCount > 0);

function broadcast(message) {
  for (const port of ports) {
    try {
      port.postMessage(message);
    } catch {
      ports.delete(port);
    }
  }
}

// Waiters for notes queued by note_add: note_id → resolve.
const waiting = new Map();

function deliverPending() {
  return notes.deliver((request) => connection.request(request), {
    onDelivered(entry, result) {
      broadcast({ kind: 'delivered', note_id: entry.note_id, slug: entry.slug, annotation: result.annotation || null });
      const w = waiting.get(entry.note_id);
      if (w) w(result.note_saved || { type: 'note_saved', note: { id: entry.note_id, text: entry.text }, annotation: result.annotation });
    },
    onDropped(entry, error) {
      broadcast({ kind: 'dropped', note_id: entry.note_id, slug: entry.slug, error });
      const w = waiting.get(entry.note_id);
      if (w) w(error);
    },
  }).then(async (result) => {
    pendingCount = await notes.count();
    broadcast({ kind: 'state', state: await connection.state() });
    return result;
  });
}

async function noteAdd(msg) {
  const slug = slugOrNull(msg.slug);
  const tags = Array.isArray(msg.tags) ? msg.tags : undefined;
  const invalid = validateNote({ slug: slug || '', text: msg.text, tags });
  if (invalid) return invalid;
  const entry = await notes.add({ slug, text: msg.text, tags, fallout: msg.fallout });
  pendingCount = await notes.count();
  if (!connection.connected) {
    connection.connect().catch(() => {});
    broadcast({ kind: 'state', state: await connection.state() });
    return { pending: true, note_id: entry.note_id };
  }
  // Connected: wait a little for the daemon's answer; past that the note
  // stays queued and the page hears {kind:"delivered"} later.
  const answer = new Promise((resolve) => waiting.set(entry.note_id, resolve));
  const timeout = new Promise((resolve) => setTimeout(() => resolve(null), 5000));
  deliverPending();
  const reply = await Promise.race([answer, timeout]);
  waiting.delete(entry.note_id);
  return reply || { pending: true, note_id: entry.note_id };
}

async function handle(msg) {
  switch (msg && msg.kind) {
    case 'request':
      return connection.request(msg.request);
    case 'note_add':
      return noteAdd(msg);
    case 'state':
      return connection.state();
    case 'pair': {
      const result = await connection.pair(msg.address, msg.code);
      if (result.ok) deliverPending();
      return result;
    }
    default:
      return { type: 'error', code: 'invalid_field', message: 'Unknown message kind.' };
  }
}

chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  if (sender.id !== chrome.runtime.id) return false;
  handle(msg).then(sendResponse, (err) => sendResponse({ type: 'error', code: 'extension', message: String(err?.message || err) }));
  return true;
});

// Pages and the popup hold a Port while they are open: that is how we know
// whom to push to (no "tabs" permission needed) and when the connection is
// still wanted.
chrome.runtime.onConnect.addListener((port) => {
  if (port.sender && port.sender.id !== chrome.runtime.id) {
    port.disconnect();
    return;
  }
  ports.add(port);
  connection.hold();
  port.onDisconnect.addListener(() => {
    ports.delete(port);
    connection.release();
  });
  connection.state().then((state) => {
    try {
      port.postMessage({ kind: 'state', state });
    } catch {
      // the port closed meanwhile
    }
  });
});

// Notes queued before the browser closed go out when it starts again.
chrome.runtime.onStartup.addListener(async () => {
  pendingCount = await notes.count();
  if (pendingCount > 0) connection.connect().catch(() => {});
});
