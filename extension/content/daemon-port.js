// The page's line to the background script, which holds the only socket to
// the daemon. Requests go by chrome.runtime.sendMessage (docs/architecture.md,
// "Contracts inside the extension"); pushes come back over a Port that this
// page keeps open while it lives, so the background knows whom to tell about
// contact_changed, delivered notes and connection changes. When the
// background's service worker is stopped the Port disconnects: we open it
// again, which starts the worker, which reconnects to the daemon.
(function (root) {
  'use strict';

  const tactful = (root.tactful = root.tactful || {});
  const listeners = new Set();
  let port = null;
  let retry = 0;
  let retryTimer = null;
  let stopped = false;

  function runtime() {
    const c = root.chrome || root.browser;
    return c && c.runtime && c.runtime.id ? c.runtime : null;
  }

  async function send(message) {
    const rt = runtime();
    if (!rt) return { type: 'error', code: 'extension', message: 'tactful was updated or removed; reload the page.' };
    try {
      const reply = await rt.sendMessage(message);
      return reply == null ? { type: 'error', code: 'extension', message: 'The extension did not answer.' } : reply;
    } catch (err) {
      return { type: 'error', code: 'extension', message: String((err && err.message) || err) };
    }
  }

  function dispatch(message) {
    for (const fn of listeners) {
      try {
        fn(message);
      } catch (err) {
        console.error('tactful:', err);
      }
    }
  }

  function open() {
    retryTimer = null;
    if (stopped || port) return;
    const rt = runtime();
    if (!rt) return; // the extension went away; nothing to reconnect to
    try {
      port = rt.connect({ name: 'page' });
    } catch {
      port = null;
      return;
    }
    port.onMessage.addListener((m) => {
      retry = 0;
      dispatch(m);
    });
    port.onDisconnect.addListener(() => {
      port = null;
      dispatch({ kind: 'state', state: { connected: false } });
      if (stopped) return;
      const delay = Math.min(30000, 500 * 2 ** retry++) * (0.5 + Math.random() / 2);
      retryTimer = setTimeout(open, delay);
    });
  }

  tactful.daemon = {
    /** start opens the Port; calling it again does nothing. */
    start() {
      stopped = false;
      open();
    },
    stop() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      if (port) port.disconnect();
      port = null;
    },
    /** request resolves to the daemon's reply; failures are {type:"error"}. */
    request: (request) => send({ kind: 'request', request }),
    /** addNote queues a note: resolves to {pending:true, note_id} or note_saved. */
    addNote: ({ slug, text, tags, fallout }) => send({ kind: 'note_add', slug, text, tags, fallout }),
    state: () => send({ kind: 'state' }),
    /** onMessage(fn) hears every {kind:"push"|"state"|"delivered"|"dropped"}. */
    onMessage(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
})(globalThis);
