// Notes written while the daemon is away wait here, in chrome.storage.local,
// until it answers. Each note gets its client id (protocol Note.ID) once, when
// it is queued, so however often delivery is retried (the daemon restarts,
// the service worker is stopped mid-send) the daemon files it once: note_add
// is idempotent on note_id. An entry leaves the queue only after the daemon
// acknowledged every step it carries (the note, then its tags, then the
// fallout mark), and each acknowledged step is written down so it is not
// repeated.
//
// The queue knows nothing about sockets: deliver() takes a send function,
// which is how test/pending-notes.test.js drives it with a fake storage area.
(function (root) {
  'use strict';

  // The protocol's constants (lib/protocol.js, generated from Go): required
  // under node, imported here by a service worker, listed before this file
  // in the manifest for Firefox's event page.
  /* global importScripts */
  if (typeof module !== 'object' && !(root.tactful && root.tactful.protocol) && typeof importScripts === 'function') importScripts('lib/protocol.js');
  const protocol = typeof module === 'object' && module.exports ? require('./protocol.js') : root.tactful.protocol;
  const MAX_NOTE_CHARS = protocol.limits.maxNoteChars;
  const MAX_TAGS = protocol.limits.maxTags;

  // Error codes that mean "try again later" rather than "this request is
  // wrong": delivery stops and resumes on the next connection.
  const TRANSIENT = new Set(['offline', 'unpaired', 'timeout', 'unauthorized', 'rate_limited', 'storage_failed', 'internal', 'extension']);

  function randomID() {
    const c = globalThis.crypto;
    if (c && typeof c.randomUUID === 'function') return 'n-' + c.randomUUID();
    return 'n-' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 12);
  }

  /**
   * validateNote checks a note before it is queued, so that a well-behaved
   * extension never meets the daemon's validation errors. Returns an error
   * reply or null.
   */
  function validateNote({ slug, text, tags }) {
    if (typeof slug !== 'string' || slug === '') return { type: 'error', code: 'missing_field', message: 'Field slug is missing.' };
    const t = typeof text === 'string' ? text.trim() : '';
    if (t === '') return { type: 'error', code: 'missing_field', message: 'A note needs some text.' };
    const n = [...t].length;
    if (n > MAX_NOTE_CHARS) return { type: 'error', code: 'note_too_large', message: `A note has at most ${MAX_NOTE_CHARS} characters; this one has ${n}.` };
    if (tags != null && (!Array.isArray(tags) || tags.length > MAX_TAGS || tags.some((x) => typeof x !== 'string'))) {
      return { type: 'error', code: 'invalid_field', message: `Tags are a list of at most ${MAX_TAGS} words.` };
    }
    return null;
  }

  /**
   * createPendingNotes returns the queue kept under key in area (a
   * chrome.storage.StorageArea or anything with promise get/set).
   */
  function createPendingNotes({ area, key = 'pendingNotes', newID = randomID, now = () => Date.now() }) {
    let chain = Promise.resolve();
    // serial runs fn after every earlier mutation, so two writers never lose
    // each other's changes to the stored list.
    function serial(fn) {
      const run = chain.then(fn, fn);
      chain = run.catch(() => {});
      return run;
    }
    async function load() {
      const got = await area.get(key);
      const list = got && got[key];
      return Array.isArray(list) ? list : [];
    }
    async function save(list) {
      await area.set({ [key]: list });
    }

    /** add queues a note and resolves to its stored entry. */
    function add({ slug, text, tags, fallout }) {
      return serial(async () => {
        const entry = { note_id: newID(), slug, text: String(text).trim(), queued_at: now(), done: {} };
        if (Array.isArray(tags)) entry.tags = tags.slice();
        if (fallout) entry.fallout = typeof fallout === 'object' ? { days: fallout.days || 0, text: fallout.text || '' } : { days: 0, text: '' };
        const list = await load();
        list.push(entry);
        await save(list);
        return entry;
      });
    }

    const all = () => serial(load);
    const count = () => serial(async () => (await load()).length);

    function markDone(noteID, step) {
      return serial(async () => {
        const list = await load();
        const e = list.find((x) => x.note_id === noteID);
        if (e) {
          e.done = Object.assign({}, e.done, { [step]: true });
          await save(list);
        }
      });
    }
    function remove(noteID) {
      return serial(async () => {
        const list = await load();
        const rest = list.filter((x) => x.note_id !== noteID);
        if (rest.length !== list.length) await save(rest);
      });
    }

    // The requests one entry still owes the daemon, in order.
    function steps(e) {
      const out = [];
      if (!e.done?.note) out.push(['note', { type: 'note_add', slug: e.slug, note_id: e.note_id, text: e.text }]);
      if (e.tags && !e.done?.tags) out.push(['tags', { type: 'tags_set', slug: e.slug, tags: e.tags }]);
      if (e.fallout && !e.done?.fallout) {
        const req = { type: 'fallout_mark', slug: e.slug };
        if (e.fallout.days) req.days = e.fallout.days;
        if (e.fallout.text) req.text = e.fallout.text;
        out.push(['fallout', req]);
      }
      return out;
    }

    let running = null;
    let again = false;

    /**
     * deliver sends every queued entry through send(request) → reply. It
     * runs once at a time: a call while it runs makes it look at the queue
     * again when done. Resolves to {delivered, dropped, stopped}.
     * onDelivered(entry, {note_saved, annotation}) and onDropped(entry,
     * errorReply) report each entry as it leaves the queue.
     */
    function deliver(send, { onDelivered = () => {}, onDropped = () => {} } = {}) {
      if (running) {
        again = true;
        return running;
      }
      running = (async () => {
        const result = { delivered: 0, dropped: 0, stopped: false };
        try {
          do {
            again = false;
            const list = await all();
            for (const entry of list) {
              let saved = null;
              let annotation = null;
              let dropped = null;
              for (const [step, request] of steps(entry)) {
                let reply;
                try {
                  reply = await send(request);
                } catch (err) {
                  reply = { type: 'error', code: 'offline', message: String(err?.message || err) };
                }
                if (!reply || reply.type === 'error') {
                  const code = reply?.code || 'offline';
                  if (TRANSIENT.has(code)) {
                    result.stopped = true;
                    return result;
                  }
                  if (step === 'note') {
                    dropped = reply;
                    break;
                  }
                  // A tag list or fallout the daemon refuses will never be
                  // accepted; the note itself is safe, so carry on.
                } else {
                  if (step === 'note') saved = reply;
                  if (reply.annotation) annotation = reply.annotation;
                }
                await markDone(entry.note_id, step);
              }
              await remove(entry.note_id);
              if (dropped) {
                result.dropped++;
                onDropped(entry, dropped);
              } else {
                result.delivered++;
                const noteSaved = saved ? Object.assign({}, saved, annotation ? { annotation } : {}) : null;
                onDelivered(entry, { note_saved: noteSaved, annotation });
              }
            }
          } while (again);
          return result;
        } finally {
          running = null;
        }
      })();
      return running;
    }

    return { add, all, count, remove, markDone, deliver };
  }

  const api = { createPendingNotes, validateNote, TRANSIENT, MAX_NOTE_CHARS };
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.tactful = Object.assign(root.tactful || {}, { pendingNotes: api });
})(globalThis);
