// The five steps of deciding about one person, as short prompts: why
// (reason tags and a line), assessment (a line), message or silence (with
// the reminder's kind drafts), timing (the cool-down and recent-connection
// rules: "wait until DATE"), and the decision (keep, unfollow, remove now,
// remove on a date, revisit on a date). collect() turns the answers into a
// review_save request; the daemon checks it and says what is wrong.

import { el, formatDay } from '../popup/format.js';
import { decisionLabels } from './person.js';
import '../lib/protocol.js';

const { protocol } = globalThis.tactful;

// The decisions in the order of their number keys (protocol.Decisions).
export const decisions = [...protocol.decisions];
export const dated = new Set(['remove_on', 'revisit']);
export const maxLine = protocol.limits.maxReviewLineChars;
export const maxDraft = protocol.limits.maxDraftChars;

/** addDays returns the day n days after day (both YYYY-MM-DD). */
export function addDays(day, n) {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** localDay is date's calendar day where the person is, YYYY-MM-DD. */
export function localDay(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/**
 * defaultDay is the date a dated decision starts with: the day the timing
 * rules allow (wait_until) when that is later, else a month from today.
 */
export function defaultDay(today, advice = {}) {
  const month = addDays(today, 30);
  return advice.wait_until && advice.wait_until > today ? advice.wait_until : month;
}

// copyButton copies text to the clipboard and says so.
function copyButton(doc, text, label = 'Copy') {
  const button = el(doc, 'button', { type: 'button', class: 'small', 'data-role': 'copy' }, label);
  button.addEventListener('click', async () => {
    try {
      await doc.defaultView.navigator.clipboard.writeText(text);
      button.textContent = 'Copied';
    } catch {
      button.textContent = 'Copy failed: select the text instead';
    }
    doc.defaultView.setTimeout(() => (button.textContent = label), 2000);
  });
  return button;
}

function step(doc, id, title, prompt) {
  const set = el(doc, 'fieldset', { class: 'step', 'data-step': id, 'aria-describedby': `step-${id}-prompt` });
  set.append(el(doc, 'legend', {}, title), el(doc, 'p', { class: 'hint', id: `step-${id}-prompt` }, prompt));
  return set;
}

function textLine(doc, id, label, value, max) {
  const wrap = el(doc, 'div', { class: 'field' });
  const input = el(doc, 'input', { id, name: id, type: 'text', maxlength: max, autocomplete: 'off', 'data-role': id });
  input.value = value ?? '';
  wrap.append(el(doc, 'label', { for: id }, label), input);
  return { wrap, input };
}

/**
 * renderSteps draws the steps for reply (a contact reply with advice) and
 * returns {form, collect, choose, decision, focusFirst}.
 * @param {Document} doc
 * @param {object} reply
 * @param {object} opts
 * @param {string[]} opts.vocabulary the reason tags to offer
 * @param {string} opts.today YYYY-MM-DD by the page's clock
 */
export function renderSteps(doc, reply, { vocabulary = protocol.defaultTags, today }) {
  const c = reply?.contact ?? {};
  const advice = reply?.advice ?? {};
  const review = c.review ?? {};
  const who = c.name || c.slug || 'this person';
  const first = String(c.name || '').split(/\s+/)[0] || who;
  const form = el(doc, 'form', { class: 'steps', 'data-role': 'steps', 'aria-label': `Your decision about ${who}`, novalidate: true });

  // 1. Why.
  const why = step(doc, 'why', 'Why', `Why are you looking at ${first}? Pick the reasons that fit, in a line if you like.`);
  const tagBox = el(doc, 'div', { class: 'tag-choices', role: 'group', 'aria-label': 'Reason tags' });
  const tags = [...new Set([...(vocabulary ?? []), ...(c.tags ?? [])])];
  const own = new Set(c.tags ?? []);
  tags.forEach((t, i) => {
    const id = `why-tag-${i}`;
    const box = el(doc, 'input', { type: 'checkbox', id, value: t, 'data-role': 'why-tag' });
    box.checked = own.has(t);
    const label = el(doc, 'label', { class: 'check', for: id });
    label.append(box, ` ${t}`);
    tagBox.append(label);
  });
  const whyLine = textLine(doc, 'why-line', 'In a line', review.why, maxLine);
  why.append(tagBox, whyLine.wrap);

  // 2. Assessment.
  const assess = step(doc, 'assessment', 'Assessment', `What do you know of ${first} today: their activity, what you share, how you met?`);
  const assessLine = textLine(doc, 'assessment-line', 'Your assessment', review.assessment, maxLine);
  assess.append(assessLine.wrap);

  // 3. Message or silence (for someone already removed: the way back).
  const removed = c.status === 'removed';
  const message = step(doc, 'message', removed ? 'The way back' : 'Message or silence',
    removed ? `You removed ${first}. If you want them back, a short and kind note helps; then send a new invitation on LinkedIn. Or decide 5 to revisit on a date.`
      : 'Most removals go unnoticed; saying nothing is fine. If you write, be honest, kind, personal and short.');
  const choices = el(doc, 'div', { class: 'radios', role: 'radiogroup', 'aria-label': 'Message or silence' });
  const messageRadios = [['silent', 'Stay silent'], ['write', 'Write to them'], ['', 'Not decided']].map(([value, label], i) => {
    const id = `message-${i}`;
    const radio = el(doc, 'input', { type: 'radio', name: 'message', id, value, 'data-role': 'message-choice' });
    radio.checked = (review.message ?? '') === value;
    const l = el(doc, 'label', { class: 'check', for: id });
    l.append(radio, ` ${label}`);
    choices.append(l);
    return radio;
  });
  const draftWrap = el(doc, 'div', { class: 'field' });
  const draft = el(doc, 'textarea', { id: 'draft', name: 'draft', rows: '3', maxlength: maxDraft, 'data-role': 'draft' });
  draft.value = review.draft ?? '';
  draftWrap.append(el(doc, 'label', { for: 'draft' }, 'What you mean to write (tactful never sends it)'), draft);
  const draftList = el(doc, 'ul', { class: 'drafts', 'data-role': removed ? 'reconnect-drafts' : 'drafts' });
  for (const text of (removed ? advice.reconnect_drafts : advice.drafts) ?? []) {
    const li = el(doc, 'li', { class: 'draft' });
    const use = el(doc, 'button', { type: 'button', class: 'small', 'data-role': 'use-draft' }, 'Use this');
    use.addEventListener('click', () => {
      draft.value = String(text);
      messageRadios[1].checked = true;
      draft.focus();
    });
    li.append(el(doc, 'p', {}, String(text)), use, ' ', copyButton(doc, String(text)));
    draftList.append(li);
  }
  message.append(choices);
  if (draftList.children.length) message.append(draftList);
  message.append(draftWrap);

  // 4. Timing.
  const timing = step(doc, 'timing', 'Timing', 'After a disagreement let things cool down; do not remove someone you have just met.');
  const points = el(doc, 'ul', { class: 'timing', 'data-role': 'timing' });
  for (const p of advice.timing ?? []) {
    const li = el(doc, 'li', { 'data-kind': /^[a-z_]{1,20}$/.test(String(p?.kind)) ? p.kind : 'other' });
    li.append(el(doc, 'strong', {}, String(p?.title ?? '')), ' ', String(p?.detail ?? ''));
    points.append(li);
  }
  if (advice.wait_until) {
    timing.append(el(doc, 'p', { class: 'wait', 'data-role': 'wait-until' }, `Wait until ${formatDay(advice.wait_until)}.`));
  } else if (!points.children.length) {
    timing.append(el(doc, 'p', { 'data-role': 'wait-until-none' }, 'Nothing in the timing rules says to wait.'));
  }
  if (points.children.length) timing.append(points);

  // 5. Decision.
  const decide = step(doc, 'decision', 'Decision', `Keys 1–5 choose. ${advice.wait_until ? `A date from ${formatDay(advice.wait_until)} respects the timing.` : ''}`.trim());
  const radios = el(doc, 'div', { class: 'radios decisions', role: 'radiogroup', 'aria-label': 'Decision' });
  const decisionRadios = decisions.map((d, i) => {
    const id = `decision-${d}`;
    const radio = el(doc, 'input', { type: 'radio', name: 'decision', id, value: d, 'data-role': 'decision-choice' });
    radio.checked = review.decision === d;
    const l = el(doc, 'label', { class: 'check decision', for: id });
    l.append(radio, ' ', el(doc, 'kbd', {}, String(i + 1)), ` ${decisionLabels[d]}`);
    radios.append(l);
    return radio;
  });
  const onWrap = el(doc, 'div', { class: 'field on-field', 'data-role': 'on-field' });
  const on = el(doc, 'input', { id: 'decision-on', name: 'on', type: 'date', min: today, 'data-role': 'decision-on' });
  on.value = review.on && review.on >= today ? review.on : defaultDay(today, advice);
  onWrap.append(el(doc, 'label', { for: 'decision-on' }, 'On'), on);
  const removeHint = el(doc, 'p', { class: 'hint', 'data-role': 'remove-now-hint' },
    `Saving opens ${who}'s profile in a new tab; LinkedIn's own “Remove connection” does the rest. tactful never clicks it.`);
  decide.append(radios, onWrap, removeHint);

  function sync() {
    const d = decision();
    onWrap.hidden = !dated.has(d);
    on.disabled = !dated.has(d);
    removeHint.hidden = d !== 'remove_now';
  }
  for (const r of decisionRadios) r.addEventListener('change', sync);
  sync();

  form.append(why, assess, message, timing, decide);

  function decision() {
    return decisionRadios.find((r) => r.checked)?.value ?? '';
  }

  return {
    form,
    decision,
    /** choose picks decision number n (1–5) as its key does. */
    choose(n) {
      const radio = decisionRadios[n - 1];
      if (!radio) return;
      radio.checked = true;
      sync();
    },
    /** collect is the review_save request, or {error} when no decision is chosen. */
    collect() {
      const d = decision();
      if (!d) return { error: 'Choose a decision first: keys 1 to 5, or the Decision choices.' };
      const req = {
        type: 'review_save',
        slug: c.slug,
        tags: [...tagBox.querySelectorAll('input:checked')].map((b) => b.value),
        why: whyLine.input.value.replace(/\s+/g, ' ').trim(),
        assessment: assessLine.input.value.replace(/\s+/g, ' ').trim(),
        message: messageRadios.find((r) => r.checked)?.value ?? '',
        draft: draft.value.trim(),
        decision: d,
      };
      if (dated.has(d)) req.on = on.value;
      return req;
    },
    focusFirst() {
      (decisionRadios.find((r) => r.checked) ?? tagBox.querySelector('input'))?.focus();
    },
  };
}
