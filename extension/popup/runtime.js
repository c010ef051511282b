// The only way the popup and the options page reach the daemon: messages to
// the background script (docs/architecture.md, "Contracts inside the
// extension"). Nothing here opens a socket.

const noAnswer = 'The extension’s background script did not answer. Reload the extension and try again.';

/**
 * createClient wraps chrome.runtime so that every call resolves, never
 * rejects: a failed sendMessage becomes an error reply like the daemon's.
 * @param {typeof chrome.runtime} runtime
 */
export function createClient(runtime = globalThis.chrome?.runtime) {
  async function send(message) {
    try {
      const reply = await runtime.sendMessage(message);
      return reply ?? { type: 'error', code: 'extension', message: noAnswer };
    } catch (err) {
      return { type: 'error', code: 'extension', message: noAnswer, detail: String(err?.message ?? err) };
    }
  }

  return {
    /** request sends a protocol request; resolves to the daemon's reply. */
    request: (request) => send({ kind: 'request', request }),
    /** state resolves to {connected, paired, address, pending, lastError}. */
    state: async () => {
      const reply = await send({ kind: 'state' });
      return reply?.type === 'error' ? { connected: false, paired: false, lastError: reply.message } : reply;
    },
    /**
     * pair asks the background script to try a pairing code; resolves to
     * {ok, message, address, daemonVersion?, code?} (the background's
     * camelCase, docs/architecture.md). Only when the background could not
     * name the daemon's version does it ask the daemon.
     */
    pair: async (address, code) => {
      const reply = await send({ kind: 'pair', address, code });
      if (reply?.type === 'error') return { ok: false, code: reply.code, message: reply.message };
      if (reply?.ok && !reply.daemonVersion) {
        const status = await send({ kind: 'request', request: { type: 'status' } });
        if (status?.type === 'status_reply' && status.daemon_version) return { ...reply, daemonVersion: status.daemon_version };
      }
      return reply;
    },
    /**
     * connect opens the popup's Port; onMessage receives every {kind:"push"}
     * and {kind:"state"} the background script forwards.
     */
    connect(onMessage, name = 'popup') {
      try {
        const port = runtime.connect({ name });
        port.onMessage.addListener(onMessage);
        return port;
      } catch {
        return null;
      }
    },
  };
}
