// The popup: wires the connection status, what tactful found on the current
// LinkedIn tab, what is due for review (and the button to the review page),
// the history timeline, the contact view, the activity chart and
// import/export to the background
// script, and redraws when the background pushes something.

import { createClient } from './runtime.js';
import { renderConnectionStatus, startAdvice } from './connection-status.js';
import { createHistoryView } from './history-view.js';
import { createContactView } from './contact-view.js';
import { countByMonth, loadActivity, renderChart } from './activity-chart.js';
import { createDataTransfer } from './data-transfer.js';
import { createPageReport } from './page-report.js';
import { createDueList } from './due-list.js';
import { el, errorText } from './format.js';

/**
 * startPopup runs the popup in doc against chrome.runtime; tests pass a fake
 * runtime and a clock.
 */
export function startPopup(doc = document, { runtime = globalThis.chrome?.runtime, tabs = globalThis.chrome?.tabs, now = () => new Date(), openOptions } = {}) {
  const client = createClient(runtime);
  const $ = (id) => doc.getElementById(id);
  const mainView = $('main-view');
  const contactRoot = $('contact-view');
  let lastTrigger = null;
  let lastState = null;

  function openContact(slug, name, trigger) {
    lastTrigger = trigger;
    mainView.hidden = true;
    contactRoot.hidden = false;
    contact.show(slug, name);
  }

  const history = createHistoryView($('history'), { request: client.request, onOpenContact: openContact });

  const due = $('due') ? createDueList($('due'), {
    request: client.request,
    onOpenContact: openContact,
    openReview() {
      const url = runtime?.getURL ? runtime.getURL('review/review.html') : 'review/review.html';
      if (tabs?.create) tabs.create({ url });
      else (doc.defaultView ?? globalThis).open(url, '_blank');
    },
  }) : null;

  const contact = createContactView(contactRoot, {
    request: client.request,
    // The daemon's vocabulary: the defaults and every tag the user made up.
    tagVocabulary: () => lastState?.tags,
    onBack() {
      contact.clear();
      contactRoot.hidden = true;
      mainView.hidden = false;
      if (lastTrigger?.isConnected) lastTrigger.focus();
      else $('history-kind')?.focus();
    },
  });

  createDataTransfer($('data'), { request: client.request });
  const pageReport = $('page-report') ? createPageReport($('page-report'), { tabs }) : null;

  async function drawChart() {
    const root = $('activity-chart');
    const at = now();
    const { events, complete, error } = await loadActivity(client.request, at);
    if (error && events.length === 0) {
      // The status at the top already says how to start or pair the daemon.
      const text = error.code === 'offline' || error.code === 'unpaired' ? 'Shown when the daemon is connected.' : errorText(error);
      root.replaceChildren(el(doc, 'p', { class: 'hint', 'data-role': 'chart-error' }, text));
      return;
    }
    renderChart(root, countByMonth(events, at), { complete });
  }

  // The advice on starting the daemon names the person's platform.
  let platform;
  Promise.resolve()
    .then(() => runtime?.getPlatformInfo?.())
    .then((info) => {
      platform = info?.os;
      // Redraw only the advice: a pairing code being typed stays.
      $('connection')?.querySelector('[data-role="start-advice"]')?.replaceWith(startAdvice(doc, platform));
    })
    .catch(() => {});

  function showState(state) {
    const was = lastState;
    lastState = state;
    renderConnectionStatus($('connection'), state, {
      pair: client.pair,
      onPaired: () => refreshAll(),
      platform,
    });
    return was;
  }

  let refreshTimer = null;
  function refreshAll() {
    history.refresh();
    due?.refresh();
    drawChart();
    contact.refresh();
  }
  // Pushes come in bursts (a scroll on the connections page touches many
  // contacts); redraw once per burst.
  function scheduleRefresh() {
    const win = doc.defaultView ?? globalThis;
    win.clearTimeout(refreshTimer);
    refreshTimer = win.setTimeout(refreshAll, 250);
  }

  function onPortMessage(message) {
    if (message?.kind === 'push') {
      scheduleRefresh();
    } else if (message?.kind === 'state') {
      const state = 'connected' in message || 'paired' in message ? message : message.state;
      if (state) {
        const was = showState(state);
        if (state.connected && !was?.connected) scheduleRefresh();
      } else {
        client.state().then(showState);
      }
    }
  }

  const port = client.connect(onPortMessage, 'popup');

  $('open-options')?.addEventListener('click', () => {
    if (openOptions) openOptions();
    else globalThis.chrome?.runtime?.openOptionsPage?.();
  });

  const ready = (async () => {
    showState(await client.state());
    await Promise.all([history.reload(), due?.load(), drawChart(), pageReport?.ready]);
  })();

  return { ready, history, contact, due, pageReport, port, refreshAll, onPortMessage };
}

if (globalThis.chrome?.runtime?.id && typeof document !== 'undefined') {
  startPopup(document);
}
