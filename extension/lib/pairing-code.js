// Where the pairing code lives: the extension origin's IndexedDB, which only
// the extension's own pages and its background can open. chrome.storage.local
// is shared with the content scripts, which run on LinkedIn's page; a content
// script's indexedDB is the page's own (https://www.linkedin.com), so it
// cannot reach this database (SECURITY.md, "The pairing code").
//
// Versions before 0.2 kept the code in storage.local under "pairingCode":
// migrate() moves it here and deletes it there, once, at startup.
(function (root) {
  'use strict';

  const DB_NAME = 'tactful-secrets';
  const STORE = 'secrets';
  const KEY = 'pairingCode';
  const LEGACY_KEY = 'pairingCode';

  // promised turns an IDBRequest into a promise.
  function promised(req) {
    return new Promise((resolve, reject) => {
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error || new Error('IndexedDB request failed'));
    });
  }

  /**
   * createPairingCodeStore returns {get, set, migrate} over deps.indexedDB
   * (the extension origin's) and deps.local (chrome.storage.local, for the
   * migration only).
   */
  function createPairingCodeStore(deps) {
    const idb = deps.indexedDB;
    const local = deps.local;
    let dbPromise = null;
    let migrated = null;

    function db() {
      if (!idb) return Promise.reject(new Error('This browser gives the extension no IndexedDB.'));
      if (!dbPromise) {
        const req = idb.open(DB_NAME, 1);
        req.onupgradeneeded = () => req.result.createObjectStore(STORE);
        dbPromise = promised(req);
        dbPromise.catch(() => {
          dbPromise = null; // try again next time
        });
      }
      return dbPromise;
    }

    async function read() {
      const d = await db();
      const v = await promised(d.transaction(STORE, 'readonly').objectStore(STORE).get(KEY));
      return typeof v === 'string' ? v : '';
    }

    async function write(code) {
      const d = await db();
      const tx = d.transaction(STORE, 'readwrite');
      const done = new Promise((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error || new Error('IndexedDB write failed'));
        tx.onabort = () => reject(tx.error || new Error('IndexedDB write aborted'));
      });
      tx.objectStore(STORE).put(String(code), KEY);
      await done;
    }

    /**
     * migrate moves a code left in storage.local into IndexedDB (unless one
     * is there already) and removes it from storage.local. Only after the
     * write succeeded is the old copy removed: a failed migration leaves the
     * user paired and tries again at the next start.
     */
    function migrate() {
      if (!migrated) {
        migrated = (async () => {
          const got = (await local.get([LEGACY_KEY])) || {};
          if (!(LEGACY_KEY in got)) return;
          const legacy = typeof got[LEGACY_KEY] === 'string' ? got[LEGACY_KEY] : '';
          if (legacy && !(await read())) await write(legacy);
          await local.remove(LEGACY_KEY);
        })();
        migrated.catch(() => {
          migrated = null;
        });
      }
      return migrated;
    }

    return {
      /** get resolves to the stored code, '' when there is none. */
      async get() {
        try {
          await migrate();
        } catch {
          // The move failed (it is retried next time): use the old copy
          // meanwhile rather than look unpaired.
          const got = (await local.get([LEGACY_KEY])) || {};
          if (typeof got[LEGACY_KEY] === 'string' && got[LEGACY_KEY]) return got[LEGACY_KEY];
        }
        return read();
      },
      /** set stores code, replacing the one before. */
      async set(code) {
        await migrate().catch(() => {});
        await write(code);
      },
      migrate,
    };
  }

  const api = { createPairingCodeStore, DB_NAME };
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.tactful = Object.assign(root.tactful || {}, { pairingCode: api });
})(globalThis);
