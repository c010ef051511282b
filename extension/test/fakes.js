'use strict';
// Fakes for chrome.storage areas and WebSocket, for the background's logic.

/** FakeArea behaves like a chrome.storage.StorageArea (promise API). */
class FakeArea {
  constructor(initial = {}) {
    this.data = JSON.parse(JSON.stringify(initial));
    this.writes = 0;
  }
  async get(keys) {
    const list = keys == null ? Object.keys(this.data) : Array.isArray(keys) ? keys : [keys];
    const out = {};
    for (const k of list) if (k in this.data) out[k] = JSON.parse(JSON.stringify(this.data[k]));
    return out;
  }
  async set(obj) {
    this.writes++;
    for (const [k, v] of Object.entries(obj)) this.data[k] = JSON.parse(JSON.stringify(v));
  }
  async remove(keys) {
    this.writes++;
    for (const k of Array.isArray(keys) ? keys : [keys]) delete this.data[k];
  }
}

/**
 * fakeIndexedDB is the little of IndexedDB that lib/pairing-code.js uses:
 * open with an upgrade, one transaction per get or put, oncomplete. Its
 * databases are in .dbs (name → Map per object store), so a test can look.
 */
function fakeIndexedDB() {
  const dbs = new Map();
  const later = (f) => queueMicrotask(f);
  function request(run) {
    const req = {};
    later(() => {
      try {
        req.result = run();
        req.onsuccess && req.onsuccess();
      } catch (err) {
        req.error = err;
        req.onerror && req.onerror();
      }
    });
    return req;
  }
  function database(stores) {
    return {
      createObjectStore: (name) => stores.set(name, new Map()),
      transaction(name, mode) {
        const tx = {};
        let pending = 0;
        const store = stores.get(name);
        if (!store) throw new Error('NotFoundError: no object store ' + name);
        const settle = () => {
          if (--pending === 0) later(() => tx.oncomplete && tx.oncomplete());
        };
        tx.objectStore = () => ({
          get: (key) => request(() => store.get(key)),
          put(value, key) {
            if (mode !== 'readwrite') throw new Error('ReadOnlyError');
            pending++;
            later(() => {
              store.set(key, JSON.parse(JSON.stringify(value)));
              settle();
            });
            return {};
          },
        });
        return tx;
      },
    };
  }
  return {
    dbs,
    open(name) {
      const req = {};
      later(() => {
        let stores = dbs.get(name);
        const fresh = !stores;
        if (fresh) dbs.set(name, (stores = new Map()));
        req.result = database(stores);
        if (fresh && req.onupgradeneeded) req.onupgradeneeded();
        req.onsuccess && req.onsuccess();
      });
      return req;
    },
  };
}

/** memoryCodes is a pairing-code store in memory (lib/pairing-code.js's interface). */
function memoryCodes(code = '') {
  return {
    code,
    async get() {
      return this.code;
    },
    async set(c) {
      this.code = String(c);
    },
  };
}

/**
 * fakeSockets returns a WebSocket constructor whose instances are recorded
 * in .sockets; a test plays the daemon with open(), reply(), push(), close().
 */
function fakeSockets() {
  const sockets = [];
  class FakeWebSocket {
    constructor(url) {
      this.url = url;
      this.sent = [];
      this.closed = null;
      sockets.push(this);
    }
    send(data) {
      if (this.closed) throw new Error('closed');
      this.sent.push(JSON.parse(data));
    }
    close(code = 1000, reason = '') {
      if (this.closed) return;
      this.closed = { code, reason };
      queueMicrotask(() => this.onclose && this.onclose({ code, reason, wasClean: true }));
    }
    // daemon side
    open() {
      this.onopen && this.onopen();
    }
    message(msg) {
      this.onmessage && this.onmessage({ data: JSON.stringify(msg) });
    }
    reply(req, fields) {
      this.message(Object.assign({}, fields, { id: req.id }));
    }
    drop(code, reason = '') {
      this.closed = { code, reason };
      this.onclose && this.onclose({ code, reason, wasClean: code !== 1006 });
    }
    last(type) {
      return [...this.sent].reverse().find((m) => m.type === type);
    }
  }
  return { FakeWebSocket, sockets };
}

/** fakeTimers records timers so a test can run them by hand. */
function fakeTimers() {
  let seq = 0;
  const timers = new Map();
  return {
    timers,
    setTimeout: (fn, ms) => (timers.set(++seq, { fn, ms, repeat: false }), seq),
    clearTimeout: (id) => timers.delete(id),
    setInterval: (fn, ms) => (timers.set(++seq, { fn, ms, repeat: true }), seq),
    clearInterval: (id) => timers.delete(id),
    /** fire runs every timer with delay ms (or all when ms is undefined). */
    fire(ms) {
      for (const [id, t] of [...timers]) {
        if (ms !== undefined && t.ms !== ms) continue;
        if (!t.repeat) timers.delete(id);
        t.fn();
      }
    },
    delays: () => [...timers.values()].map((t) => t.ms),
  };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

module.exports = { FakeArea, fakeIndexedDB, memoryCodes, fakeSockets, fakeTimers, flush };
