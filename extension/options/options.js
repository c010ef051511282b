// The options page: the daemon's address and pairing, and import/export.

import { createClient } from '../popup/runtime.js';
import { createPairingForm, defaultAddress } from '../popup/pairing-form.js';
import { createDataTransfer } from '../popup/data-transfer.js';
import { el, plural } from '../popup/format.js';

function describe(state) {
  if (!state) return '';
  const address = state.address || defaultAddress;
  let text;
  if (state.paired === false) text = 'Not paired yet.';
  else if (state.connected) text = `Connected to tactful on ${address}.`;
  else text = `No tactful daemon answers on ${address} right now.`;
  const pending = Number(state.pending) || 0;
  if (pending) text += ` ${plural(pending, 'note')} waiting to sync.`;
  return text;
}

/** startOptions runs the options page in doc; tests pass a fake runtime. */
export function startOptions(doc = document, { runtime = globalThis.chrome?.runtime } = {}) {
  const client = createClient(runtime);
  const connection = doc.getElementById('connection');
  const line = el(doc, 'p', { class: 'status-line', 'data-role': 'connection' });
  connection.append(line);

  function showState(state) {
    line.textContent = describe(state);
    connection.dataset.state = state?.paired === false ? 'unpaired' : state?.connected ? 'connected' : 'offline';
    if (state?.address) form.setAddress(state.address);
  }

  const form = createPairingForm(doc.getElementById('pairing'), {
    pair: client.pair,
    showAddress: true,
    address: defaultAddress,
    idPrefix: 'pairing',
    onPaired: () => client.state().then(showState),
  });
  createDataTransfer(doc.getElementById('data'), { request: client.request, idPrefix: 'options-data' });

  const port = client.connect((message) => {
    if (message?.kind !== 'state') return;
    const state = 'connected' in message || 'paired' in message ? message : message.state;
    if (state) showState(state);
  }, 'options');

  const ready = client.state().then(showState);
  return { ready, form, port };
}

if (globalThis.chrome?.runtime?.id && typeof document !== 'undefined') {
  startOptions(document);
}
