// The pairing form, shared by the popup and the options page: an optional
// daemon address, the pairing code, a "Pair" button and a role="status"
// line that says what happened.

import '../lib/protocol.js';
import { el } from './format.js';

const { protocol } = globalThis.tactful;

export const defaultAddress = protocol.defaultAddress;

// Codes the background script may use for a refused pairing code. The
// daemon closes the socket with 4002 (protocol.CloseBadPairingCode).
const refusedCodes = new Set(['unauthorized', 'bad_pairing_code', 'bad_code', 'refused', 'pairing_refused', 'unpaired']);
const offlineCodes = new Set(['offline', 'unreachable', 'connection_failed']);

/**
 * parseAddress accepts a loopback "host:port" (127.0.0.1, localhost or
 * [::1], the hosts the background script dials) and returns it
 * normalised, or null.
 */
export function parseAddress(text) {
  const value = String(text ?? '').trim();
  const m = /^(\[::1\]|localhost|127\.0\.0\.1):(\d{1,5})$/i.exec(value);
  if (!m) return null;
  const [, host, portText] = m;
  const port = Number(portText);
  if (port < 1 || port > 65535 || String(port) !== portText) return null;
  return `${host.toLowerCase()}:${port}`;
}

export const messages = {
  badAddress: 'Enter the daemon’s address as a loopback host and port, for example 127.0.0.1:47291.',
  noCode: 'Paste the code that `tactful pair` prints.',
  refused: 'The daemon refused this code. Run `tactful pair` and paste the code it prints.',
  offline: (address) => `No tactful daemon answers on ${address}. Start it with \`tactful serve\`.`,
  paired: (version, address) => `Paired with tactful ${version} on ${address}.`,
};

/** pairResultText turns the background's answer to {kind:"pair"} into a sentence. */
export function pairResultText(reply, address) {
  if (reply?.ok) {
    const version = reply.daemonVersion;
    const where = reply.address ?? address;
    if (version) return messages.paired(version, where);
    return reply.message || `Paired with tactful on ${where}.`;
  }
  const code = reply?.code;
  if (refusedCodes.has(code) || reply?.closeCode === 4002) return messages.refused;
  if (offlineCodes.has(code)) return messages.offline(reply?.address ?? address);
  return reply?.message || messages.offline(address);
}

/**
 * createPairingForm draws the form into root.
 * @param {HTMLElement} root
 * @param {object} opts
 * @param {(address: string, code: string) => Promise<object>} opts.pair
 * @param {boolean} [opts.showAddress] draw an address field (the options page)
 * @param {string} [opts.address] the current address
 * @param {(reply: object, address: string) => void} [opts.onPaired]
 * @param {string} [opts.idPrefix] keeps ids unique on one page
 */
export function createPairingForm(root, { pair, showAddress = false, address = defaultAddress, onPaired, idPrefix = 'pairing' }) {
  const doc = root.ownerDocument;
  const form = el(doc, 'form', { 'data-role': 'pairing-form', id: `${idPrefix}-form`, novalidate: true });
  let addressInput = null;
  let edited = false; // the user typed an address: state updates leave it alone
  let currentAddress = address || defaultAddress;

  if (showAddress) {
    const row = el(doc, 'div', { class: 'field' });
    row.append(el(doc, 'label', { for: `${idPrefix}-address` }, 'Daemon address'));
    addressInput = el(doc, 'input', {
      id: `${idPrefix}-address`, name: 'address', type: 'text', inputmode: 'url', autocomplete: 'off',
      spellcheck: 'false', placeholder: defaultAddress, 'aria-describedby': `${idPrefix}-address-hint`,
    });
    addressInput.value = currentAddress;
    addressInput.addEventListener('input', () => { edited = true; });
    row.append(addressInput, el(doc, 'p', { id: `${idPrefix}-address-hint`, class: 'hint' },
      'Where tactful serve listens; only this computer (127.0.0.1, localhost or [::1]).'));
    form.append(row);
  }

  const codeRow = el(doc, 'div', { class: 'field' });
  const codeInput = el(doc, 'input', {
    id: `${idPrefix}-code`, name: 'code', type: 'text', autocomplete: 'off', spellcheck: 'false',
    'aria-describedby': `${idPrefix}-code-hint`,
  });
  const codeHint = el(doc, 'p', { id: `${idPrefix}-code-hint`, class: 'hint' });
  codeHint.append('Run ', el(doc, 'code', {}, 'tactful pair'), ' in a terminal and paste the code it prints.');
  codeRow.append(el(doc, 'label', { for: `${idPrefix}-code` }, 'Pairing code'), codeInput, codeHint);
  const button = el(doc, 'button', { type: 'submit', id: `${idPrefix}-submit`, 'data-role': 'pair' }, 'Pair');
  const result = el(doc, 'p', { role: 'status', id: `${idPrefix}-result`, 'data-role': 'pair-result', 'aria-live': 'polite' });
  form.append(codeRow, button, result);
  root.append(form);

  function show(text, outcome) {
    result.textContent = text;
    result.dataset.outcome = outcome;
  }

  async function submit() {
    const where = addressInput ? parseAddress(addressInput.value) : parseAddress(currentAddress) ?? currentAddress;
    if (!where) {
      show(messages.badAddress, 'error');
      addressInput?.setAttribute('aria-invalid', 'true');
      addressInput?.focus();
      return null;
    }
    addressInput?.removeAttribute('aria-invalid');
    if (addressInput) addressInput.value = where;
    const code = codeInput.value.trim();
    if (!code) {
      show(messages.noCode, 'error');
      codeInput.focus();
      return null;
    }
    button.disabled = true;
    show('Pairing…', 'pending');
    let reply;
    try {
      reply = await pair(where, code);
    } catch (err) {
      reply = { ok: false, message: String(err?.message ?? err) };
    } finally {
      button.disabled = false;
    }
    show(pairResultText(reply, where), reply?.ok ? 'success' : 'error');
    if (reply?.ok) {
      codeInput.value = '';
      edited = false;
      onPaired?.(reply, where);
    }
    return reply;
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });

  return {
    form,
    submit,
    setAddress(value) {
      currentAddress = value || defaultAddress;
      if (addressInput && !edited && doc.activeElement !== addressInput) addressInput.value = currentAddress;
    },
  };
}
