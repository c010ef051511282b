// Patterns before acting: when planned removals cluster (one company, one
// week, one reason tag) the daemon says so (removal_plan_get), and offers a
// spread-out schedule that gives each person a date. The person sees the
// proposal first; only "Apply this plan" stores it (removal_plan_apply).

import { el, errorText, formatDay, plural } from '../popup/format.js';

/**
 * createPlan draws the warning into root. request sends a protocol
 * request; onApplied runs after a plan was stored.
 */
export function createPlan(root, { request, onApplied }) {
  const doc = root.ownerDocument;
  const body = el(doc, 'div', { 'data-role': 'plan' });
  const message = el(doc, 'p', { role: 'status', class: 'hint', 'data-role': 'plan-message' });
  root.append(body, message);
  let plan = null;
  let generation = 0;

  function draw(reply, { showSchedule = false } = {}) {
    plan = reply;
    const clusters = Array.isArray(reply?.clusters) ? reply.clusters : [];
    const parts = [];
    if (!clusters.length) {
      const planned = Number(reply?.planned) || 0;
      parts.push(el(doc, 'p', { class: 'hint', 'data-role': 'plan-none' }, planned
        ? `${plural(planned, 'planned removal')}, spread out enough: no company, week or reason stands out.`
        : 'No removals planned.'));
      body.replaceChildren(...parts);
      root.dataset.clusters = '0';
      return;
    }
    root.dataset.clusters = String(clusters.length);
    const warn = el(doc, 'div', { class: 'warning-box', role: 'alert', 'data-role': 'cluster-warning' });
    warn.append(el(doc, 'p', { class: 'warning-title' }, 'Your planned removals cluster'));
    const list = el(doc, 'ul', { 'data-role': 'clusters' });
    for (const cl of clusters) {
      list.append(el(doc, 'li', { 'data-kind': /^[a-z]{1,20}$/.test(String(cl?.kind)) ? cl.kind : 'other', 'data-role': 'cluster' }, String(cl?.sentence ?? '')));
    }
    warn.append(list);
    const spread = el(doc, 'button', { type: 'button', 'data-role': 'spread' }, 'Spread them out');
    spread.addEventListener('click', () => {
      draw(plan, { showSchedule: true });
      body.querySelector('[data-role="schedule"]')?.focus();
    });
    warn.append(spread);
    parts.push(warn);

    const schedule = Array.isArray(reply?.schedule) ? reply.schedule : [];
    if (showSchedule) {
      const box = el(doc, 'div', { class: 'schedule', 'data-role': 'schedule', tabindex: '-1', 'aria-label': 'Proposed dates' });
      if (!schedule.length) {
        box.append(el(doc, 'p', { class: 'hint' }, 'tactful has no other dates to propose.'));
      } else {
        box.append(el(doc, 'p', {}, 'A calmer plan: at most a few removals a week, colleagues weeks apart. Nothing is removed; each person gets a date and a reminder when it comes.'));
        const table = el(doc, 'table', { 'data-role': 'schedule-table' });
        const head = el(doc, 'tr');
        head.append(el(doc, 'th', { scope: 'col' }, 'Person'), el(doc, 'th', { scope: 'col' }, 'Remove on'));
        table.append(el(doc, 'thead'), el(doc, 'tbody'));
        table.tHead.append(head);
        for (const s of schedule) {
          const tr = el(doc, 'tr', { 'data-slug': String(s?.slug ?? '') });
          tr.append(el(doc, 'td', {}, String(s?.name || s?.slug || '')), el(doc, 'td', {}, formatDay(s?.on)));
          table.tBodies[0].append(tr);
        }
        const apply = el(doc, 'button', { type: 'button', 'data-role': 'apply-plan' }, 'Apply this plan');
        apply.addEventListener('click', () => applyPlan(schedule, apply));
        const cancel = el(doc, 'button', { type: 'button', class: 'secondary', 'data-role': 'cancel-plan' }, 'Not now');
        cancel.addEventListener('click', () => draw(plan));
        const buttons = el(doc, 'div', { class: 'buttons' });
        buttons.append(apply, cancel);
        box.append(table, buttons);
      }
      parts.push(box);
    }
    body.replaceChildren(...parts);
  }

  async function applyPlan(schedule, button) {
    button.disabled = true;
    message.textContent = 'Saving the plan…';
    const reply = await request({ type: 'removal_plan_apply', schedule: schedule.map((s) => ({ slug: s.slug, on: s.on })) });
    button.disabled = false;
    if (reply?.type !== 'removal_plan') {
      message.dataset.outcome = 'error';
      message.textContent = errorText(reply);
      return;
    }
    message.dataset.outcome = 'success';
    message.textContent = `Planned: ${plural(schedule.length, 'date')} saved. Each shows in history and as a “Revisit” badge when it comes.`;
    draw(reply);
    onApplied?.();
  }

  return {
    async refresh() {
      const mine = ++generation;
      const reply = await request({ type: 'removal_plan_get' });
      if (mine !== generation) return;
      if (reply?.type !== 'removal_plan') {
        body.replaceChildren(el(doc, 'p', { class: 'hint', 'data-role': 'plan-error' }, errorText(reply)));
        return;
      }
      // A schedule open on screen stays open while the person reads it.
      draw(reply, { showSchedule: Boolean(body.querySelector('[data-role="schedule"]')) });
    },
    get plan() { return plan; },
  };
}
