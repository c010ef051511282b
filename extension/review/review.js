// The review page: filters → a queue of people (review_queue) → one person
// at a time (contact_get: everything known, plus the daemon's advice) with
// the five steps (steps.js) → review_save, then the next person. Driven by
// the keyboard, resumable (queue.js), with the network picture
// (picture.js) and the cluster warning (plan.js) above. It talks to the
// daemon only through the background script, like the popup, and never
// touches LinkedIn: "Remove now" opens the person's profile in a new tab.

import { createClient } from '../popup/runtime.js';
import { renderConnectionStatus } from '../popup/connection-status.js';
import { el, errorText, plural } from '../popup/format.js';
import { createFilterForm, createResume, describeFilter, queueRequest, resumeIndex } from './queue.js';
import { decisionText, profileURL, renderPerson } from './person.js';
import { localDay, renderSteps } from './steps.js';
import { createPlan } from './plan.js';
import { loadPicture } from './picture.js';
import '../lib/protocol.js';

const { protocol } = globalThis.tactful;

// Controls where keys are the person's own typing.
const TYPING = new Set(['text', 'search', 'number', 'date', 'email', 'url', 'tel', 'password', 'month', 'week', 'time', 'datetime-local']);

/** isTyping says whether target is a field that takes the keys typed in it. */
export function isTyping(target) {
  if (!target || target.nodeType !== 1) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  return tag === 'INPUT' && TYPING.has(String(target.type).toLowerCase());
}

/**
 * startReview runs the page in doc. Tests pass a fake runtime, tabs,
 * storage and clock.
 */
export function startReview(doc = document, {
  runtime = globalThis.chrome?.runtime,
  tabs = globalThis.chrome?.tabs,
  storage = globalThis.localStorage,
  now = () => new Date(),
} = {}) {
  const win = doc.defaultView ?? globalThis;
  const client = createClient(runtime);
  const request = client.request;
  const $ = (id) => doc.getElementById(id);
  const q = (role) => doc.querySelector(`[data-role="${role}"]`);

  const reviewSection = $('review-section');
  const queueMessage = $('queue-message');
  const reviewMessage = $('review-message');
  const progress = $('progress');
  const progressLabel = $('progress-label');
  const personRoot = $('person');
  const stepsRoot = $('steps');
  const help = $('help');
  const resume = createResume(storage);

  let state = null;
  let filter = {};
  let items = [];
  let total = 0;
  let index = -1;
  let decided = new Set();
  let steps = null; // the steps drawn for items[index]
  let shown = null; // the contact reply drawn
  let generation = 0;
  let busy = false;

  const vocabulary = () => (Array.isArray(state?.tags) && state.tags.length ? state.tags : protocol.defaultTags);
  const filters = createFilterForm($('filters'), { onSubmit: (f) => startQueue(f, { fresh: true }), tags: vocabulary });
  const plan = createPlan($('plan'), { request, onApplied: () => refreshOverview() });

  function say(node, text, outcome) {
    node.textContent = text;
    if (outcome) node.dataset.outcome = outcome;
    else delete node.dataset.outcome;
  }

  async function refreshOverview() {
    await Promise.all([loadPicture($('picture'), request), plan.refresh()]);
  }

  function remember() {
    resume.save({ filter, slug: items[index]?.slug ?? '', decided: [...decided] });
  }

  function drawProgress() {
    const inQueue = items.filter((i) => decided.has(i.slug)).length;
    progress.setAttribute('aria-valuemax', String(items.length));
    progress.setAttribute('aria-valuenow', String(inQueue));
    progress.setAttribute('aria-valuetext', `${inQueue} of ${items.length} decided`);
    progress.firstElementChild.style.width = items.length ? `${Math.round((inQueue / items.length) * 100)}%` : '0';
    progressLabel.textContent = items.length
      ? `Person ${index + 1} of ${items.length}${total > items.length ? ` (first ${items.length} of ${total})` : ''} · ${inQueue} decided`
      : '';
    q('previous').disabled = index <= 0;
    q('next').disabled = index >= items.length - 1;
  }

  /**
   * startQueue asks for the queue of filter and shows its first person (or,
   * resuming, the one the person was at).
   */
  async function startQueue(nextFilter, { fresh = false, slug = '', resumed = null } = {}) {
    const mine = ++generation;
    filter = nextFilter ?? {};
    say(queueMessage, 'Finding people…');
    const reply = await request(queueRequest(filter));
    if (mine !== generation) return;
    if (reply?.type !== 'review_queue') {
      say(queueMessage, errorText(reply), 'error');
      return;
    }
    items = Array.isArray(reply.items) ? reply.items.filter((i) => i && typeof i.slug === 'string') : [];
    total = Number(reply.total) || items.length;
    if (fresh) decided = new Set();
    else decided = new Set(resumed?.decided ?? []);
    q('queue-title').textContent = describeFilter(filter);
    if (!items.length) {
      reviewSection.hidden = true;
      index = -1;
      resume.save({ filter, slug: '', decided: [] });
      say(queueMessage, filter.due ? 'Nothing is due.' : 'Nobody matches these filters.');
      return;
    }
    say(queueMessage, `${plural(total, 'person', 'people')} to review.`);
    reviewSection.hidden = false;
    const at = resumeIndex(items, slug, [...decided]);
    if (resumed && items[at]) say(reviewMessage, `Resumed where you left off: ${items[at].name || items[at].slug}.`);
    else say(reviewMessage, '');
    await show(at, { focus: true });
  }

  /** show draws person i of the queue (contact_get) with the steps. */
  async function show(i, { focus = false } = {}) {
    if (!items.length) return;
    index = Math.max(0, Math.min(items.length - 1, i));
    const mine = ++generation;
    const item = items[index];
    remember();
    drawProgress();
    reviewSection.setAttribute('aria-busy', 'true');
    const reply = await request({ type: 'contact_get', slug: item.slug });
    if (mine !== generation) return;
    reviewSection.removeAttribute('aria-busy');
    if (reply?.type !== 'contact') {
      steps = null;
      shown = null;
      personRoot.replaceChildren(el(doc, 'h2', { id: 'person-name', tabindex: '-1', 'data-role': 'person-name' }, item.name || item.slug),
        el(doc, 'p', { class: 'warning', 'data-role': 'person-error' }, errorText(reply)));
      stepsRoot.replaceChildren();
      if (focus) personRoot.querySelector('h2').focus();
      return;
    }
    draw(reply);
    if (focus) personRoot.querySelector('[data-role="person-name"]')?.focus();
  }

  function draw(reply) {
    shown = reply;
    personRoot.replaceChildren(renderPerson(doc, reply));
    steps = renderSteps(doc, reply, { vocabulary: vocabulary(), today: localDay(now()) });
    steps.form.addEventListener('submit', (event) => event.preventDefault());
    stepsRoot.replaceChildren(steps.form);
  }

  function move(by) {
    if (busy || !items.length) return;
    const next = index + by;
    if (next < 0 || next >= items.length) {
      say(reviewMessage, by > 0 ? 'This is the last person in the queue.' : 'This is the first person in the queue.');
      return;
    }
    say(reviewMessage, '');
    show(next, { focus: true });
  }

  function openProfile(slug) {
    const url = profileURL(slug);
    // A background tab: the review goes on here; LinkedIn's own flow waits there.
    if (tabs?.create) return Promise.resolve(tabs.create({ url, active: false })).catch(() => win.open(url, '_blank', 'noopener'));
    win.open(url, '_blank', 'noopener');
    return Promise.resolve();
  }

  /** save sends the steps' answers (review_save) and moves to the next person. */
  async function save() {
    if (busy || !steps || !shown) return;
    const req = steps.collect();
    if (req.error) {
      say(reviewMessage, req.error, 'error');
      stepsRoot.querySelector('[data-role="decision-choice"]')?.focus();
      return;
    }
    busy = true;
    const slug = req.slug;
    const name = shown.contact?.name || slug;
    reviewSection.setAttribute('aria-busy', 'true');
    say(reviewMessage, 'Saving…');
    const reply = await request(req);
    busy = false;
    reviewSection.removeAttribute('aria-busy');
    if (reply?.type !== 'contact') {
      say(reviewMessage, errorText(reply), 'error');
      return;
    }
    decided.add(slug);
    const item = items.find((i) => i.slug === slug);
    if (item) item.review = reply.contact?.review ?? item.review;
    let done = `Saved for ${name}: ${decisionText(reply.contact?.review ?? req)}.`;
    if (req.decision === 'remove_now') {
      await openProfile(slug);
      done += ` ${name}'s profile is open in a new tab; remove them there with LinkedIn's own button.`;
    }
    refreshOverview();
    if (items[index]?.slug !== slug) return; // moved on meanwhile
    if (index < items.length - 1) {
      say(reviewMessage, done, 'success');
      await show(index + 1, { focus: true });
    } else {
      draw(reply);
      remember();
      drawProgress();
      say(reviewMessage, `${done} That was the last person in this queue.`, 'success');
      personRoot.querySelector('[data-role="person-name"]')?.focus();
    }
  }

  function toggleHelp(open = !help.open) {
    if (open && !help.open) {
      if (typeof help.showModal === 'function') help.showModal();
      else help.setAttribute('open', '');
      help.querySelector('[data-role="help-close"]')?.focus();
    } else if (!open && help.open) {
      if (typeof help.close === 'function') help.close();
      else help.removeAttribute('open');
    }
  }

  function onKey(event) {
    if (event.defaultPrevented || event.altKey || event.isComposing) return;
    const target = event.target;
    if (help.open) {
      if (event.key === '?' || event.key === 'Escape') {
        event.preventDefault();
        toggleHelp(false);
      }
      return;
    }
    const reviewing = !reviewSection.hidden && items.length > 0;
    // Keys count on the person shown (or with nothing focused), not in the filters.
    const inSteps = target === doc.body || target === doc.documentElement || reviewSection.contains(target);
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      if (reviewing && inSteps) {
        event.preventDefault();
        save();
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || isTyping(target)) return;
    if (event.key === '?') {
      event.preventDefault();
      toggleHelp(true);
      return;
    }
    if (!reviewing) return;
    const onRadio = target?.tagName === 'INPUT' && target.type === 'radio';
    switch (event.key) {
      case 'j':
      case 'ArrowRight':
        if (event.key === 'ArrowRight' && onRadio) return; // the radio group's own arrows
        event.preventDefault();
        move(1);
        break;
      case 'k':
      case 'ArrowLeft':
        if (event.key === 'ArrowLeft' && onRadio) return;
        event.preventDefault();
        move(-1);
        break;
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
        if (!steps) return;
        event.preventDefault();
        steps.choose(Number(event.key));
        break;
      case 'Enter':
        // Buttons and links keep their own Enter; the filters form submits itself.
        if (target?.closest?.('button, a, summary, [role="button"]') || !inSteps) return;
        event.preventDefault();
        save();
        break;
      default:
    }
  }
  doc.addEventListener('keydown', onKey);
  q('previous').addEventListener('click', () => move(-1));
  q('next').addEventListener('click', () => move(1));
  q('save').addEventListener('click', () => save());

  // Pushes come in bursts; redraw the overview once per burst. The person
  // shown is not redrawn under the person's hands.
  let refreshTimer = null;
  function onPortMessage(message) {
    if (message?.kind === 'push') {
      win.clearTimeout(refreshTimer);
      refreshTimer = win.setTimeout(refreshOverview, 400);
    } else if (message?.kind === 'state') {
      const next = 'connected' in message || 'paired' in message ? message : message.state;
      if (next) showState(next);
    }
  }

  function showState(next) {
    const was = state;
    state = next;
    renderConnectionStatus($('connection'), next, {});
    filters.refreshTags();
    if (next.connected && was && !was.connected) {
      refreshOverview();
      if (!items.length) begin();
    }
  }
  const port = client.connect(onPortMessage, 'review');

  function begin() {
    const saved = resume.load();
    if (saved) {
      filters.write(saved.filter);
      return startQueue(saved.filter, { slug: saved.slug, resumed: saved });
    }
    return undefined;
  }

  const ready = (async () => {
    showState(await client.state());
    await Promise.all([refreshOverview(), begin()]);
  })();

  return {
    ready, port, onPortMessage, save, move, show, startQueue, toggleHelp,
    get index() { return index; },
    get items() { return items; },
    get filter() { return filter; },
  };
}

if (globalThis.chrome?.runtime?.id && typeof document !== 'undefined') {
  startReview(document);
}
