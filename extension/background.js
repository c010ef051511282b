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
  importScripts('lib/slug.js', 'lib/protocol.js', 'lib/pending-notes.js', 'lib/pairing-code.js', 'lib/connection.js');
}

const { createConnection } = globalThis.tactful.connection;
const { createPendingNotes, validateNote } = globalThis.tactful.pendingNotes;
const { slugOrNull } = globalThis.tactful.slug;
const { createPairingCodeStore } = globalThis.tactful.pairingCode;

const ports = new Set();
let pendingCount = 0;

const notes = createPendingNotes({ area: chrome.storage.local });
const pairingCodes = createPairingCodeStore({ indexedDB: globalThis.indexedDB, local: chrome.storage.local });
// A code left in storage.local by an older version leaves it at once.
pairingCodes.migrate().catch(() => {});

const connection = createConnection({
  WebSocket: globalThis.WebSocket,
  setTimeout: (f, ms) => setTimeout(f, ms),
  clearTimeout: (t) => clearTimeout(t),
  setInterval: (f, ms) => setInterval(f, ms),
  clearInterval: (t) => clearInterval(t),
  local: chrome.storage.local,
  session: chrome.storage.session || { set: async () => {} },
  pairingCode: pairingCodes,
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

// The content-script ports of each tab: where a composer frame's events go.
function toTab(tabId, message) {
  for (const port of ports) {
    const tab = port.sender && port.sender.tab;
    if (!tab || tab.id !== tabId || isExtensionPage(port.sender)) continue;
    try {
      port.postMessage(message);
    } catch {
      ports.delete(port);
    }
  }
}

// deliverNow sends the queue, entry already in it, and waits a little for
// the daemon's answer about entry; past that the note stays queued and
// pages hear {kind:"delivered"} later.
async function deliverNow(entry) {
  if (!connection.connected) {
    connection.connect().catch(() => {});
    broadcast({ kind: 'state', state: await connection.state() });
    return { pending: true, note_id: entry.note_id };
  }
  const answer = new Promise((resolve) => waiting.set(entry.note_id, resolve));
  const timeout = new Promise((resolve) => setTimeout(() => resolve(null), 5000));
  deliverPending();
  const reply = await Promise.race([answer, timeout]);
  waiting.delete(entry.note_id);
  return reply || { pending: true, note_id: entry.note_id };
}

/**
 * noteAdd queues a note. From the composer frame on a LinkedIn tab it
 * answers {queued:true, note_id} as soon as the note is safe in the queue,
 * and tells the tab's content script what to draw (note_queued, then
 * note_answer): never the note's text, which stays between the composer and
 * this worker. From another extension page it answers like the daemon.
 */
async function noteAdd(msg, sender) {
  const slug = slugOrNull(msg.slug);
  const tags = Array.isArray(msg.tags) ? msg.tags : undefined;
  const invalid = validateNote({ slug: slug || '', text: msg.text, tags });
  if (invalid) return invalid;
  const fallout = msg.fallout === true;
  const entry = await notes.add({ slug, text: msg.text, tags, fallout });
  pendingCount = await notes.count();
  const tabId = sender && sender.tab ? sender.tab.id : undefined;
  const outcome = deliverNow(entry);
  if (tabId === undefined) return outcome;
  const frame = String(msg.frame || '').slice(0, 64);
  toTab(tabId, { kind: 'note_queued', slug, frame, note_id: entry.note_id, tags: tags || null, fallout });
  outcome.then((reply) => {
    const answer = reply && reply.pending ? { pending: true } : reply && reply.type === 'note_saved' ? { annotation: reply.annotation || null } : { error: reply || { type: 'error', code: 'extension', message: 'The note could not be saved.' } };
    toTab(tabId, Object.assign({ kind: 'note_answer', slug, note_id: entry.note_id }, answer));
  });
  return { queued: true, note_id: entry.note_id };
}

// What the page's content scripts may ask the daemon: what the badges, the
// reminder and the card need, and nothing that reads or writes the whole
// network (export, import, history, notes of everyone) or pairs. The note
// composer and the popup are extension pages and are not limited.
const PAGE_REQUESTS = new Set(['contacts_seen', 'contact_get', 'removal_intent', 'removal_outcome']);
const PAGE_KINDS = new Set(['request', 'state']);

/**
 * isExtensionPage says whether a message comes from one of our own pages
 * (popup, options, the composer frame: their URL is on the extension's
 * origin) rather than a content script, whose URL is the page's. A composer
 * frame inside a LinkedIn tab has sender.tab too, so the tab alone says
 * nothing. With use_dynamic_url the frame's host may be the per-session
 * dynamic id, not runtime.id: sender.id already proves the extension, so
 * the scheme is what tells a page of ours from a web page.
 */
function isExtensionPage(sender) {
  if (!sender || sender.id !== chrome.runtime.id || typeof sender.url !== 'string') return false;
  try {
    return /^(chrome|moz|safari-web)-extension:$/.test(new URL(sender.url).protocol);
  } catch {
    return false;
  }
}

function refused(what) {
  return { type: 'error', code: 'forbidden', message: `The page's script may not ask for ${what}; use the tactful popup.` };
}

async function handle(msg, sender) {
  const trusted = isExtensionPage(sender);
  const kind = msg && msg.kind;
  if (!trusted) {
    if (!PAGE_KINDS.has(kind)) return refused(typeof kind === 'string' ? `"${kind.slice(0, 40)}"` : 'that');
    if (kind === 'request') {
      const type = msg.request && msg.request.type;
      if (!PAGE_REQUESTS.has(type)) return refused(typeof type === 'string' ? `"${type.slice(0, 40)}"` : 'that');
    }
  }
  switch (kind) {
    case 'request':
      return connection.request(msg.request);
    case 'note_add':
      return noteAdd(msg, sender);
    case 'state':
      return connection.state();
    case 'pair': {
      const result = await connection.pair(msg.address, msg.code);
      if (result.ok) deliverPending();
      return result;
    }
    case 'composer': {
      // The composer frame in a tab asks its card to close it or fit it.
      const tabId = sender.tab ? sender.tab.id : undefined;
      if (tabId === undefined) return { ok: false };
      const slug = slugOrNull(msg.slug);
      if (!slug) return { type: 'error', code: 'invalid_slug', message: 'The composer names no contact.' };
      const event = msg.event === 'size' ? { event: 'size', height: Math.max(0, Math.min(2000, Number(msg.height) || 0)) } : { event: 'close' };
      toTab(tabId, Object.assign({ kind: 'composer', slug, frame: String(msg.frame || '').slice(0, 64) }, event));
      return { ok: true };
    }
    default:
      return { type: 'error', code: 'invalid_field', message: 'Unknown message kind.' };
  }
}

chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  if (sender.id !== chrome.runtime.id) return false;
  handle(msg, sender).then(sendResponse, (err) => sendResponse({ type: 'error', code: 'extension', message: String(err?.message || err) }));
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
