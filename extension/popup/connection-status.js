// The connection line at the top of the popup: connected, not running (and
// what to run), or not paired (and the pairing form), plus notes that wait
// to be sent.

import { el, plural, startCommand } from './format.js';
import { createPairingForm, defaultAddress } from './pairing-form.js';

/**
 * renderConnectionStatus redraws root from the background's state
 * {connected, paired, address, pending, lastError}.
 * @returns {"connected"|"offline"|"unpaired"} what it showed
 */
export function renderConnectionStatus(root, state, { pair, onPaired } = {}) {
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
    root.append(commandHint(doc, 'The daemon must be running:', startCommand, '(or tactful serve).'));
  } else if (!state?.connected) {
    shown = 'offline';
    root.append(
      el(doc, 'p', { class: 'status-line', 'data-role': 'connection', 'data-state': shown }, `No tactful daemon answers on ${address}.`),
      commandHint(doc, 'Start the daemon:', startCommand, '— or tactful serve if it is installed.'),
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

function commandHint(doc, before, command, after) {
  const p = el(doc, 'p', { class: 'hint' });
  p.append(`${before} `, el(doc, 'code', { 'data-role': 'command' }, command), ` ${after}`);
  return p;
}
