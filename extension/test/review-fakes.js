// A fake daemon for the review page's tests: five people, review_queue,
// contact_get with advice, review_save, removal_plan_get/apply and
// network_summary, shaped as docs/protocol.md and protocol/testdata say.
// It holds no test: run on its own, it does nothing.

import { fakeRuntime, page } from './popup-harness.test.js';

export const today = '2026-12-01';
export const now = () => new Date(2026, 11, 1, 12);

export function people() {
  return [
    { slug: 'ada-lovelace-1815', name: 'Ada Lovelace', headline: 'Programmer at Babbage & Co', company: 'Babbage & Co', position: 'Programmer', connected_on: '2019-03-02', connected_source: 'import', first_seen: '2026-11-29T10:00:00Z', last_seen: '2026-11-30T10:14:00Z', tags: ['inactive'], status: 'reviewing', notes: [{ id: 'n-1', text: 'Met at the Analytical Engine meetup. Posts rarely now.', created: '2026-11-29T10:15:00Z', updated: '2026-11-29T10:15:00Z' }] },
    { slug: 'grace-hopper-1906', name: 'Grace Hopper', headline: 'Rear Admiral', company: 'Acme', connected_on: '2020-05-01', connected_source: 'import', tags: [], notes: [] },
    { slug: 'alan-turing', name: 'Alan Turing', headline: 'Mathematician at Acme', company: 'Acme', connected_on: '2026-11-20', connected_source: 'page_relative', first_seen: '2026-11-20T09:00:00Z', tags: [], notes: [] },
    { slug: 'katherine-johnson', name: 'Katherine Johnson', headline: 'NASA', connected_on: '2018-01-01', tags: ['keep'], status: 'removed', notes: [], review: { decision: 'remove_now', at: '2026-10-01T10:00:00Z' } },
    { slug: 'linus-t', name: '<img src=x onerror=alert(1)>', headline: '<b>bold</b>', connected_on: '2017-07-07', tags: [], notes: [] },
  ];
}

/**
 * fakeDaemon answers the page's requests from a small store; answers
 * overrides any reply by request type (a function of the request or a
 * fixed reply).
 */
export function fakeDaemon(answers = {}) {
  const contacts = new Map(people().map((c) => [c.slug, c]));
  const events = new Map([...contacts.keys()].map((s) => [s, [{ id: `e-${s}`, at: '2026-11-29T10:00:00Z', slug: s, name: contacts.get(s).name, kind: 'first_seen', summary: 'First seen on the connections page' }]]));
  const saved = [];
  const state = { connected: true, paired: true, address: '127.0.0.1:47291', pending: 0, lastError: '', tags: ['inactive', 'interests-drifted', 'reputation', 'unprofessional', 're-evaluating', 'keep'] };
  const advice = (c) => {
    const a = { timing: [], drafts: [`Hi ${c.name.split(' ')[0]}, I'm narrowing my network. All the best.`], clusters: [] };
    if (c.slug === 'alan-turing') {
      a.wait_until = '2026-12-21';
      a.timing = [{ kind: 'recent', title: 'Recently connected', detail: 'You connected about 11 days ago.' }];
    }
    if (c.status === 'removed') a.reconnect_drafts = ['Hi Katherine, I have missed your updates. Shall we reconnect?', 'Hi Katherine, it would be good to be in touch again.'];
    return a;
  };
  const contactReply = (c) => ({ type: 'contact', contact: c, annotation: { slug: c.slug, name: c.name, tags: c.tags, note_count: c.notes.length, badges: [] }, events: [...events.get(c.slug)].reverse(), advice: advice(c) });

  function handle(req) {
    if (answers[req.type]) return typeof answers[req.type] === 'function' ? answers[req.type](req) : answers[req.type];
    switch (req.type) {
      case 'review_queue': {
        let list = [...contacts.values()];
        if (req.filter?.company) list = list.filter((c) => `${c.company ?? ''} ${c.headline ?? ''}`.toLowerCase().includes(req.filter.company.toLowerCase()));
        if (req.filter?.due) list = [];
        return { type: 'review_queue', items: list.map((c) => ({ slug: c.slug, name: c.name, headline: c.headline, company: c.company, status: c.status ?? '', connected_on: c.connected_on, note_count: c.notes.length, tags: c.tags, review: c.review })), total: list.length };
      }
      case 'contact_get': {
        const c = contacts.get(req.slug);
        return c ? contactReply(c) : { type: 'error', code: 'not_found', message: 'tactful knows nobody by that name.' };
      }
      case 'review_save': {
        const c = contacts.get(req.slug);
        if (!c) return { type: 'error', code: 'not_found', message: 'tactful knows nobody by that name.' };
        saved.push(req);
        c.review = { decision: req.decision, on: req.on, why: req.why, assessment: req.assessment, message: req.message, draft: req.draft, at: '2026-12-01T12:00:00Z' };
        if (req.tags) c.tags = req.tags;
        events.get(c.slug).push({ id: `r-${saved.length}`, at: '2026-12-01T12:00:00Z', slug: c.slug, name: c.name, kind: 'reviewed', decision: req.decision, on: req.on, text: req.why, summary: `Reviewed: ${req.decision.replace('_', ' ')}${req.on ? ` on ${req.on}` : ''}` });
        return contactReply(c);
      }
      case 'removal_plan_get':
        return { type: 'removal_plan', planned: 0, clusters: [], schedule: [] };
      case 'network_summary':
        return { type: 'network_summary', total: contacts.size, by_status: { none: 2, reviewing: 1, removed: 1, keep: 1 }, by_tag: [{ tag: 'inactive', count: 1 }, { tag: 'keep', count: 1 }], decisions_by_month: [{ month: '2026-11', keep: 1, unfollow: 0, remove: 2, revisit: 0, removed: 1, reconnected: 0 }, { month: '2026-12', keep: 0, unfollow: 1, remove: 0, revisit: 1, removed: 0, reconnected: 1 }], due: 0 };
      default:
        return { type: 'error', code: 'unknown_type', message: `unexpected ${req.type}` };
    }
  }

  const runtime = fakeRuntime((m) => {
    if (m.kind === 'state') return state;
    if (m.kind === 'request') return structuredClone(handle(m.request));
    return { type: 'error', code: 'invalid_field', message: 'Unknown message kind.' };
  });
  return { runtime, contacts, saved, state };
}

/** memoryStorage is a localStorage in memory. */
export function memoryStorage(initial = {}) {
  const data = new Map(Object.entries(initial));
  return {
    data,
    getItem: (k) => (data.has(k) ? data.get(k) : null),
    setItem: (k, v) => data.set(k, String(v)),
    removeItem: (k) => data.delete(k),
  };
}

/** reviewPage loads review/review.html (its scripts not run) for startReview. */
export function reviewPage() {
  return page('review/review.html');
}
