// "On this page": what tactful found on the LinkedIn tab the popup was
// opened over (cards recognised, badged, dates understood, the removal
// flow's hooks), a plain warning when LinkedIn's page may have changed, and
// "Copy page report", which copies the tab's structural summary (no names,
// slugs, headlines or other text of the page: content/page-report.js).
//
// The tab is asked with tabs.sendMessage, which needs no "tabs" permission;
// a tab without tactful's content script (not LinkedIn) does not answer, and
// the section says so.

import { el, plural } from './format.js';

const changed = 'LinkedIn’s page may have changed: ';

/** verdictText is the warning for a report's verdict, or "" when all is well. */
export function verdictText(report) {
  const c = report?.counts ?? {};
  switch (report?.verdict) {
    case 'no_cards':
      return `${changed}the page shows ${plural(c.profile_links_in_main ?? 0, 'profile link')}, but tactful recognised no connection card. Copy the page report into a bug report.`;
    case 'no_dates':
      return `${changed}tactful could not read a connection date on any card. Copy the page report into a bug report.`;
    case 'dates_not_understood':
      return `${changed}tactful read the cards’ connection dates but could not understand any. Copy the page report into a bug report.`;
    case 'error':
      return 'tactful could not look at this page. Reload it and try again.';
    default:
      return '';
  }
}

/** summaryLines says what tactful found, one sentence per fact. */
export function summaryLines(report) {
  const c = report?.counts ?? {};
  if (report?.verdict === 'idle') {
    return ['tactful is idle here: this page does not show your connections list.'];
  }
  if (report?.verdict === 'empty') return ['No connection is shown on this page yet.'];
  const lines = [
    `${plural(c.cards_recognised ?? 0, 'connection card')} recognised, ${c.cards_badged ?? 0} badged (${c.cards_annotated ?? 0} with the daemon’s answer).`,
    `Connection dates: ${c.dates_read ?? 0} read, ${c.dates_understood ?? 0} understood.`,
  ];
  const r = report?.removal ?? {};
  const seen = Object.values(r.seen ?? {}).reduce((a, b) => a + b, 0);
  if (seen > 0 || (r.remove_hooks ?? 0) > 0 || (r.cards_with_menu ?? 0) > 0) {
    lines.push(`Removal flow: ${r.cards_with_menu ?? 0} card menus found${(r.remove_hooks ?? 0) > 0 ? ', LinkedIn’s removal hooks seen' : ''}${seen > 0 ? `, ${plural(seen, 'step')} of a removal followed` : ''}.`);
  } else {
    lines.push('Removal flow: no card menu found, so the removal reminder may not appear.');
  }
  return lines;
}

/**
 * findTabReport asks the active tab for its report. A popup opened as a tab
 * (tabs.getCurrent is that tab) asks the active tab of every other window.
 * Resolves to the report or null.
 */
export async function findTabReport(tabs) {
  if (!tabs?.query || !tabs?.sendMessage) return null;
  let own = null;
  try {
    own = (await tabs.getCurrent?.()) ?? null;
  } catch {
    own = null;
  }
  let candidates = [];
  try {
    candidates = await tabs.query(own ? { active: true } : { active: true, currentWindow: true });
  } catch {
    return null;
  }
  for (const t of candidates) {
    if (own && t.id === own.id) continue;
    try {
      const reply = await tabs.sendMessage(t.id, { kind: 'page_report' });
      if (reply && typeof reply === 'object' && reply.tactful_page_report) return reply;
    } catch {
      // no content script in that tab: not LinkedIn
    }
  }
  return null;
}

/**
 * createPageReport draws the section into root and fills it from the tab.
 * @param {HTMLElement} root
 * @param {object} opts
 * @param {typeof chrome.tabs} [opts.tabs]
 * @param {{writeText: (s: string) => Promise<void>}} [opts.clipboard]
 */
export function createPageReport(root, { tabs = globalThis.chrome?.tabs, clipboard = globalThis.navigator?.clipboard } = {}) {
  const doc = root.ownerDocument;
  const body = el(doc, 'div', { 'data-role': 'page-summary' });
  const warning = el(doc, 'p', { class: 'warning', role: 'alert', 'data-role': 'page-warning', hidden: true });
  const copy = el(doc, 'button', { type: 'button', 'data-role': 'copy-page-report', hidden: true }, 'Copy page report');
  const status = el(doc, 'p', { role: 'status', 'data-role': 'copy-status' });
  root.append(body, warning, copy, status);
  let report = null;

  copy.addEventListener('click', async () => {
    if (!report) return;
    try {
      await clipboard.writeText(JSON.stringify(report, null, 2));
      status.dataset.outcome = 'success';
      status.textContent = 'Page report copied. It holds the page’s structure only: no names or other text.';
    } catch (err) {
      status.dataset.outcome = 'error';
      status.textContent = `Could not copy: ${err?.message ?? err}`;
    }
  });

  function draw(r) {
    report = r;
    if (!r) {
      body.replaceChildren(el(doc, 'p', { class: 'hint' }, 'Open LinkedIn’s Connections page to see what tactful finds there.'));
      warning.hidden = true;
      copy.hidden = true;
      return;
    }
    body.replaceChildren(...summaryLines(r).map((line) => el(doc, 'p', {}, line)));
    const w = verdictText(r);
    warning.textContent = w;
    warning.hidden = !w;
    copy.hidden = false;
  }

  const ready = findTabReport(tabs).then(draw);
  return { ready, refresh: () => findTabReport(tabs).then(draw), report: () => report };
}
