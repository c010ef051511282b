// The one WebSocket to the tactful daemon, as a plain object with its
// dependencies passed in (the WebSocket constructor, storage areas, timers),
// so background.js wires it to chrome.* and test/connection.test.js to fakes.
//
// It connects lazily, says hello with the pairing code, pings every 20 s
// (protocol.KeepaliveInterval: Chromium suspends an idle service worker after
// 30 s, and WebSocket traffic counts as activity since Chrome 116), matches
// replies to requests by id, hands pushed events (no id) to onPush, and
// reconnects with exponential backoff and jitter while someone needs it. The
// close codes 4002 (wrong pairing code) and 4004 (code rotated) mean
// "unpaired": it stops retrying until the user pairs again; 4003 (protocol
// version) and 4006 (the daemon could not read our hello) stop it too, with
// the daemon's reason. The codes come from lib/protocol.js.
(function (root) {
  'use strict';

  // The protocol's constants (lib/protocol.js, generated from Go): loaded
  // before this file by the manifest and background.js, required by tests.
  const protocol = typeof module === 'object' && module.exports ? require('./protocol.js') : root.tactful.protocol;
  const PROTOCOL = protocol.version;
  const DEFAULT_ADDRESS = protocol.defaultAddress;
  const DEFAULT_PORT = String(protocol.defaultPort);
  const KEEPALIVE_MS = protocol.keepaliveIntervalMs;
  const REQUEST_TIMEOUT_MS = 15000;
  const SLOW_REQUEST_MS = 120000; // imports and exports of large networks
  const SLOW_TYPES = new Set(['import_connections', 'import_json', 'export']);
  const HELLO_TIMEOUT_MS = 8000; // for the welcome; not protocol.helloTimeoutMs, the daemon's wait for hello
  const BACKOFF_BASE_MS = 1000;
  const BACKOFF_MAX_MS = 15000; // loopback: a refused connect costs nothing
  const LINGER_MS = 30000;

  const CLOSE = protocol.closeCodes;

  /**
   * parseAddress accepts "127.0.0.1:47291", "localhost:47291", "[::1]:47291"
   * or a ws:// URL on one of those hosts, and returns {address, url}. Only
   * loopback is allowed: nothing leaves the machine.
   */
  function parseAddress(input) {
    let s = String(input ?? '').trim();
    if (s === '') s = DEFAULT_ADDRESS;
    if (!/^wss?:\/\//i.test(s)) s = 'ws://' + s;
    let u;
    try {
      u = new URL(s);
    } catch {
      throw new Error(`"${String(input).slice(0, 80)}" is not an address like ${DEFAULT_ADDRESS}.`);
    }
    const host = u.hostname.toLowerCase();
    if (!(host === '127.0.0.1' || host === 'localhost' || host === '[::1]' || host === '::1')) {
      throw new Error('tactful only talks to a daemon on this machine: use 127.0.0.1, localhost or [::1].');
    }
    const port = u.port || DEFAULT_PORT;
    const hostPart = host === '::1' ? '[::1]' : host;
    return { address: `${hostPart}:${port}`, url: `ws://${hostPart}:${port}${protocol.path}` };
  }

  /** backoffDelay is the wait before reconnect attempt n (0-based), with jitter. */
  function backoffDelay(attempt, random = Math.random) {
    const cap = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 16));
    return Math.round(cap / 2 + (random() * cap) / 2);
  }

  function errorReply(code, message, id) {
    const r = { type: 'error', code, message };
    if (id) r.id = id;
    return r;
  }

  /**
   * createConnection. deps: WebSocket, local and session (storage areas),
   * pairingCode ({get, set}: lib/pairing-code.js, never storage.local),
   * setTimeout/clearTimeout/setInterval/clearInterval, random, version,
   * onPush(message), onState(state), onWelcome(welcome).
   */
  function createConnection(deps) {
    const WS = deps.WebSocket;
    const local = deps.local;
    // The pairing code is kept apart from storage.local (lib/pairing-code.js).
    const codes = deps.pairingCode;
    if (!codes || typeof codes.get !== 'function' || typeof codes.set !== 'function') throw new Error('createConnection needs a pairingCode store');
    const session = deps.session;
    const T = {
      setTimeout: deps.setTimeout || ((f, ms) => setTimeout(f, ms)),
      clearTimeout: deps.clearTimeout || ((t) => clearTimeout(t)),
      setInterval: deps.setInterval || ((f, ms) => setInterval(f, ms)),
      clearInterval: deps.clearInterval || ((t) => clearInterval(t)),
    };
    const random = deps.random || Math.random;
    const onPush = deps.onPush || (() => {});
    const onState = deps.onState || (() => {});
    const onWelcome = deps.onWelcome || (() => {});
    const idPrefix = Math.floor(random() * 36 ** 4).toString(36) + '-';

    let ws = null;
    let ready = false;
    let connecting = null; // {promise, resolve, reject}
    let stopped = null; // {code, message} after 4002/4003/4004/4006, until pair()
    let attempt = 0;
    let lastAttempt = 0;
    let retryTimer = null;
    let keepaliveTimer = null;
    let lingerTimer = null;
    let holders = 0;
    let seq = 0;
    let welcome = null;
    let lastError = '';
    const inflight = new Map(); // id → {resolve, timer}
    let wantsRetry = () => holders > 0;

    const nextID = () => idPrefix + ++seq;

    async function settings() {
      const got = (await local.get(['address', 'paired'])) || {};
      let pairingCode = '';
      try {
        pairingCode = await codes.get();
      } catch (err) {
        lastError = `tactful cannot read its pairing code: ${err?.message || err}`;
      }
      return { address: got.address || DEFAULT_ADDRESS, pairingCode, paired: got.paired };
    }

    async function publish() {
      const s = await state();
      try {
        await session.set({ connection: { connected: s.connected, lastError: s.lastError, daemonVersion: s.daemonVersion || '' } });
      } catch {
        // storage.session may be unavailable (tests, old browsers): state is in memory too.
      }
      onState(s);
    }

    /** state is what the popup and the pages show: {connected, paired, address, pending, lastError}. */
    async function state() {
      const st = await settings();
      let pending = 0;
      if (deps.pendingCount) {
        try {
          pending = await deps.pendingCount();
        } catch {
          pending = 0;
        }
      }
      const paired = ready ? true : stopped?.code === 'unpaired' ? false : Boolean(st.pairingCode) && st.paired !== false;
      const s = { connected: ready, paired, address: st.address, pending, lastError: ready ? '' : lastError };
      if (welcome) {
        s.daemonVersion = welcome.daemon_version;
        s.tags = welcome.tags;
        s.statuses = welcome.statuses;
      }
      return s;
    }

    function failInflight(code, message) {
      for (const [id, p] of inflight) {
        T.clearTimeout(p.timer);
        p.resolve(errorReply(code, message, id));
      }
      inflight.clear();
    }

    function stopKeepalive() {
      if (keepaliveTimer) T.clearInterval(keepaliveTimer);
      keepaliveTimer = null;
    }

    function scheduleRetry() {
      if (retryTimer || stopped || !wantsRetry()) return;
      const delay = backoffDelay(attempt, random);
      attempt++;
      retryTimer = T.setTimeout(() => {
        retryTimer = null;
        if (!ready && !connecting && wantsRetry()) connect().catch(() => {});
      }, delay);
    }

    function closeReason(ev, refusal) {
      const code = ev?.code;
      const reason = (ev?.reason || '').trim();
      if (code === CLOSE.badPairingCode) return { stop: 'unpaired', message: reason || 'The daemon did not accept the pairing code. Run "tactful pair" and enter the code it shows.' };
      if (code === CLOSE.pairingRotated) return { stop: 'unpaired', message: reason || 'The pairing code was replaced. Run "tactful pair" and enter the new code.' };
      if (code === CLOSE.unsupportedVersion) return { stop: 'version', message: reason || 'The daemon speaks another protocol version. Update tactful.' };
      // Our hello is the same on every attempt: if the daemon could not read
      // it, trying again cannot help until one side is updated.
      if (code === CLOSE.helloExpected) return { stop: 'version', message: refusal || reason || 'The daemon could not read the extension\'s hello. Update tactful.' };
      if (code === CLOSE.helloTimeout) return { message: reason || 'The daemon closed the connection before hello.' };
      if (code === CLOSE.rateLimited) return { message: reason || 'The daemon closed the connection: too many messages.' };
      return { message: reason || 'The tactful daemon is not running or not reachable.' };
    }

    /** connect resolves once the daemon welcomed us, or rejects with {code, message}. */
    function connect() {
      if (ready) return Promise.resolve(welcome);
      if (connecting) return connecting.promise;
      if (stopped) return Promise.reject({ code: stopped.code === 'unpaired' ? 'unpaired' : 'offline', message: stopped.message });
      if (retryTimer) {
        T.clearTimeout(retryTimer);
        retryTimer = null;
      }
      let resolve, reject;
      const promise = new Promise((res, rej) => {
        resolve = res;
        reject = rej;
      });
      connecting = { promise, resolve, reject };
      promise.catch(() => {});
      lastAttempt = Date.now();
      open().catch((err) => {
        finishConnecting(false, { code: 'offline', message: String(err?.message || err) });
        scheduleRetry();
      });
      return promise;
    }

    function finishConnecting(ok, value) {
      const c = connecting;
      connecting = null;
      if (!c) return;
      if (ok) c.resolve(value);
      else c.reject(value);
    }

    async function open() {
      const st = await settings();
      const { url } = parseAddress(st.address);
      const sock = new WS(url);
      ws = sock;
      const helloID = nextID();
      let helloTimer = null;
      let refusal = ''; // the daemon's error for our hello, clearer than its close reason
      sock.onopen = () => {
        if (ws !== sock) return;
        const hello = { type: 'hello', id: helloID, protocol: PROTOCOL, client: 'tactful-extension', client_version: deps.version || '0.1.0', pairing_code: st.pairingCode };
        sock.send(JSON.stringify(hello));
        helloTimer = T.setTimeout(() => {
          if (ws === sock && !ready) sock.close(1000, 'no welcome');
        }, HELLO_TIMEOUT_MS);
      };
      sock.onmessage = (ev) => {
        if (ws !== sock) return;
        let msg;
        try {
          msg = JSON.parse(typeof ev.data === 'string' ? ev.data : '');
        } catch {
          return;
        }
        if (!msg || typeof msg !== 'object') return;
        if (msg.id === helloID) {
          if (helloTimer) T.clearTimeout(helloTimer);
          if (msg.type === 'welcome') {
            ready = true;
            welcome = msg;
            attempt = 0;
            lastError = '';
            stopped = null;
            local.set({ paired: true }).catch(() => {});
            keepaliveTimer = T.setInterval(() => {
              if (ready && ws === sock) request({ type: 'ping' }).catch(() => {});
            }, KEEPALIVE_MS);
            finishConnecting(true, msg);
            publish();
            onWelcome(msg);
          } else {
            refusal = typeof msg.message === 'string' ? msg.message.slice(0, 500) : '';
            lastError = refusal || 'The daemon refused hello.';
            finishConnecting(false, { code: msg.code === 'unauthorized' ? 'unpaired' : 'offline', message: lastError });
            sock.close(1000, 'hello refused');
          }
          return;
        }
        if (msg.id && inflight.has(msg.id)) {
          const p = inflight.get(msg.id);
          inflight.delete(msg.id);
          T.clearTimeout(p.timer);
          p.resolve(msg);
          return;
        }
        if (!msg.id) onPush(msg);
      };
      sock.onerror = () => {};
      sock.onclose = (ev) => {
        if (helloTimer) T.clearTimeout(helloTimer);
        if (ws !== sock) return;
        ws = null;
        const wasReady = ready;
        ready = false;
        stopKeepalive();
        const why = closeReason(ev, refusal);
        lastError = why.message;
        if (why.stop === 'unpaired') {
          stopped = { code: 'unpaired', message: why.message };
          local.set({ paired: false }).catch(() => {});
        } else if (why.stop) {
          stopped = { code: 'offline', message: why.message };
        }
        const code = why.stop === 'unpaired' ? 'unpaired' : 'offline';
        failInflight(code, why.message);
        finishConnecting(false, { code, message: why.message });
        if (ev?.code !== 1000 || !ev?.wasClean || wasReady) scheduleRetry();
        publish();
      };
    }

    /**
     * request sends one protocol request and resolves to the daemon's reply;
     * it never rejects: failures are {type:"error", code:"offline"|"unpaired"|"timeout"}.
     */
    async function request(req, { timeout } = {}) {
      if (!req || typeof req !== 'object' || typeof req.type !== 'string') return errorReply('invalid_field', 'A request needs a type.');
      if (req.type === 'hello') return errorReply('invalid_field', 'The background script says hello itself.');
      if (!ready) {
        // A request while waiting out a backoff answers at once instead of
        // hammering a daemon that is down; otherwise it connects now.
        if (retryTimer && Date.now() - lastAttempt < 3000) return errorReply('offline', lastError || 'The tactful daemon is not running.');
        try {
          await connect();
        } catch (err) {
          return errorReply(err?.code || 'offline', err?.message || 'The tactful daemon is not running.');
        }
      }
      const sock = ws;
      if (!ready || !sock) return errorReply('offline', lastError || 'The tactful daemon is not running.');
      const id = nextID();
      const msg = Object.assign({}, req, { id });
      const ms = timeout || (SLOW_TYPES.has(req.type) ? SLOW_REQUEST_MS : REQUEST_TIMEOUT_MS);
      return new Promise((resolve) => {
        const timer = T.setTimeout(() => {
          inflight.delete(id);
          resolve(errorReply('timeout', 'The daemon did not answer in time.', id));
          // A daemon that stops answering pings is gone: start over.
          if (req.type === 'ping' && ws === sock) sock.close(4000, 'no pong');
        }, ms);
        inflight.set(id, { resolve, timer });
        try {
          sock.send(JSON.stringify(msg));
        } catch (err) {
          inflight.delete(id);
          T.clearTimeout(timer);
          resolve(errorReply('offline', String(err?.message || err), id));
        }
      });
    }

    /** close ends the connection on purpose; no reconnect follows. */
    function close() {
      if (retryTimer) T.clearTimeout(retryTimer);
      retryTimer = null;
      const sock = ws;
      ws = null;
      const wasReady = ready;
      ready = false;
      stopKeepalive();
      failInflight('offline', 'The connection to the daemon was closed.');
      finishConnecting(false, { code: 'offline', message: 'The connection to the daemon was closed.' });
      if (sock) {
        try {
          sock.close(1000, 'bye');
        } catch {
          // already closed
        }
      }
      if (wasReady) publish();
    }

    /** hold says someone (a page, the popup) needs the connection; release undoes it. */
    function hold() {
      holders++;
      if (lingerTimer) T.clearTimeout(lingerTimer);
      lingerTimer = null;
      if (!ready && !connecting && !retryTimer) connect().catch(() => {});
    }
    function release() {
      holders = Math.max(0, holders - 1);
      if (holders === 0 && !lingerTimer) {
        lingerTimer = T.setTimeout(() => {
          lingerTimer = null;
          if (holders === 0 && inflight.size === 0) close();
        }, LINGER_MS);
      }
    }

    /** pair stores a new address and code and tries them: {ok, message}. */
    async function pair(address, code) {
      let parsed;
      try {
        parsed = parseAddress(address);
      } catch (err) {
        return { ok: false, message: err.message };
      }
      const pairingCode = String(code ?? '').trim();
      if (pairingCode === '') return { ok: false, message: 'Enter the pairing code that "tactful pair" shows.' };
      close();
      try {
        await codes.set(pairingCode);
      } catch (err) {
        return { ok: false, code: 'extension', message: `tactful could not store the pairing code: ${err?.message || err}` };
      }
      await local.set({ address: parsed.address, paired: null });
      stopped = null;
      attempt = 0;
      lastError = '';
      try {
        const w = await connect();
        return { ok: true, message: `Paired with the tactful daemon${w?.daemon_version ? ' ' + w.daemon_version : ''} on ${parsed.address}.`, address: parsed.address, daemonVersion: w?.daemon_version || '' };
      } catch (err) {
        return { ok: false, code: err?.code || 'offline', message: err?.message || 'The daemon did not answer.', address: parsed.address };
      } finally {
        publish();
      }
    }

    return {
      connect,
      request,
      close,
      hold,
      release,
      pair,
      state,
      get connected() {
        return ready;
      },
      get welcome() {
        return welcome;
      },
      setWantsRetry(fn) {
        wantsRetry = fn;
      },
    };
  }

  const api = { createConnection, parseAddress, backoffDelay, DEFAULT_ADDRESS, KEEPALIVE_MS, CLOSE };
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.tactful = Object.assign(root.tactful || {}, { connection: api });
})(globalThis);
