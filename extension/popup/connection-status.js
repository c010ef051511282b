// The connection line at the top of the popup: connected, not running (and
// what to run on this platform), or not paired (and the pairing form), plus
// notes that wait to be sent.

import { el, plural } from './format.js';
import { createPairingForm, defaultAddress } from './pairing-form.js';

// Where to type the command and what keeps the daemon running, by
// chrome.runtime.getPlatformInfo's os; "tactful service install" picks the
// same service manager (daemon/service).
const platformAdvice = {
  mac: { shell: 'In Terminal, run', keeper: 'to have macOS start it at every login' },
  win: { shell: 'In PowerShell, run', keeper: 'to have Windows start it at every logon' },
  linux: { shell: 'In a terminal, run', keeper: 'to have systemd start it at every login' },
  cros: { shell: 'In the Linux terminal, run', keeper: 'to have systemd start it at every login' },
};

/**
 * startAdvice is the paragraph saying what to run on platform (an os of
 * chrome.runtime.getPlatformInfo, or undefined before it is known):
 * tactful serve once, or tactful service install for good.
 */
export function startAdvice(doc, platform) {
  const advice = platformAdvice[platform] ?? { shell: 'Run', keeper: 'to start it at every login' };
  const p = el(doc, 'p', { class: 'hint', 'data-role': 'start-advice', 'data-platform': platform || 'unknown' });
  p.append(
    `${advice.shell} `,
    el(doc, 'code', { 'data-role': 'command' }, 'tactful serve'),
    ' once, or ',
    el(doc, 'code', { 'data-role': 'command' }, 'tactful service install'),
    ` ${advice.keeper}.`,
  );
  return p;
}

/**
 * renderConnectionStatus redraws root from the background's state
 * {connected, paired, address, pending, lastError}; platform is the os of
 * chrome.runtime.getPlatformInfo, for the advice on starting the daemon.
 * @returns {"connected"|"offline"|"unpaired"} what it showed
 */
export function renderConnectionStatus(root, state, { pair, onPaired, platform } = {}) {
  const doc = root.ownerDocument;
  const address = state?.address || defaultAddress;
  root.replaceChildren();
  let shown;

  if (state && state.paired === false) {
    shown = 'unpaired';
    root.append(
      el(doc, 'p', { class: 'status-line', 'data-role': 'connection', 'data-state': shown }, 'Not paired with the tactful daemon yet.'),
    );
    if (pair) createPairingForm(root, { pair, address, onPaired, idPrefix: 'popup-pairing' });
    root.append(el(doc, 'p', { class: 'hint' }, 'The daemon must be running.'), startAdvice(doc, platform));
  } else if (!state?.connected) {
    shown = 'offline';
    root.append(
      el(doc, 'p', { class: 'status-line', 'data-role': 'connection', 'data-state': shown }, `No tactful daemon answers on ${address}.`),
      startAdvice(doc, platform),
    );
  } else {
    shown = 'connected';
    root.append(el(doc, 'p', { class: 'status-line', 'data-role': 'connection', 'data-state': shown }, `Connected to tactful on ${address}.`));
  }

  if (state?.lastError && shown !== 'connected') {
    root.append(el(doc, 'p', { class: 'hint', 'data-role': 'last-error' }, `Last error: ${state.lastError}`));
  }
  const pending = Number(state?.pending) || 0;
  if (pending > 0) {
    root.append(el(doc, 'p', { class: 'pending', 'data-role': 'pending' }, `${plural(pending, 'note')} waiting to sync`));
  }
  root.dataset.state = shown;
  return shown;
}
