import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blank, fakeRuntime, reply, settle } from './popup-harness.test.js';
import { createPairingForm, parseAddress, pairResultText } from '../popup/pairing-form.js';
import { createClient } from '../popup/runtime.js';

function form(pairReply, opts = {}) {
  const doc = blank();
  const runtime = fakeRuntime((m) => {
    if (m.kind === 'pair') return pairReply;
    if (m.kind === 'request' && m.request.type === 'status') return reply('status_reply');
    return undefined;
  });
  const paired = [];
  const f = createPairingForm(doc.getElementById('root'), {
    pair: createClient(runtime).pair, onPaired: (reply, address) => paired.push(address), ...opts,
  });
  const code = doc.getElementById('pairing-code');
  const status = doc.querySelector('[role="status"]');
  async function submit(text, address) {
    if (address !== undefined) doc.getElementById('pairing-address').value = address;
    code.value = text;
    doc.getElementById('pairing-submit').click();
    await settle();
  }
  return { doc, runtime, f, code, status, submit, paired };
}

test('the form has a labelled "Pairing code" field, a "Pair" button and a status line', () => {
  const { doc, code, status } = form({ ok: true });
  assert.equal(doc.querySelector(`label[for="${code.id}"]`).textContent, 'Pairing code');
  const button = doc.getElementById('pairing-submit');
  assert.equal(button.textContent, 'Pair');
  assert.equal(button.type, 'submit');
  assert.equal(status.getAttribute('role'), 'status');
});

test('a good code says which daemon it paired with', async () => {
  const { runtime, status, submit, paired, doc } = form({ ok: true, daemonVersion: '0.1.0', message: 'ok' }, { showAddress: true });
  assert.equal(doc.querySelector('label[for="pairing-address"]').textContent, 'Daemon address');
  assert.equal(doc.getElementById('pairing-address').value, '127.0.0.1:47291');
  await submit('  c0ffee-1234  ');
  assert.deepEqual(runtime.sent, [{ kind: 'pair', address: '127.0.0.1:47291', code: 'c0ffee-1234' }]);
  assert.equal(status.textContent, 'Paired with tactful 0.1.0 on 127.0.0.1:47291.');
  assert.equal(status.dataset.outcome, 'success');
  assert.deepEqual(paired, ['127.0.0.1:47291']);
});

test('a pairing answer that names the version costs no status request', async () => {
  // The shape extension/lib/connection.js answers {kind:"pair"} with.
  const { runtime, submit } = form({ ok: true, message: 'Paired with the tactful daemon 0.1.0 on 127.0.0.1:47291.', address: '127.0.0.1:47291', daemonVersion: '0.1.0' });
  await submit('c0de');
  assert.deepEqual(runtime.requests('status'), []);
});

test('an answer without the version gets it from status', async () => {
  // connection.js answers daemonVersion: '' when the welcome named none.
  const { runtime, status, submit } = form({ ok: true, message: 'Paired with the tactful daemon on 127.0.0.1:47291.', address: '127.0.0.1:47291', daemonVersion: '' });
  await submit('c0de');
  assert.deepEqual(runtime.requests('status'), [{ type: 'status' }]);
  assert.equal(status.textContent, 'Paired with tactful 0.1.0 on 127.0.0.1:47291.');
});

test('a refused code tells the user to run tactful pair', async () => {
  const refusals = [
    { ok: false, code: 'unpaired', message: 'The daemon did not accept the pairing code.', address: '127.0.0.1:47291' },
    { ok: false, code: 'unauthorized', message: 'x' },
    { ok: false, closeCode: 4002, message: 'x' },
  ];
  for (const answer of refusals) {
    const { status, submit, paired } = form(answer);
    await submit('wrong');
    assert.equal(status.textContent, 'The daemon refused this code. Run `tactful pair` and paste the code it prints.');
    assert.equal(status.dataset.outcome, 'error');
    assert.deepEqual(paired, []);
  }
});

test('an unreachable daemon is named with its address and the command to start it', async () => {
  const { status, submit } = form({ ok: false, code: 'offline', message: 'connection refused' }, { showAddress: true });
  await submit('abc', 'localhost:5000');
  assert.equal(status.textContent, 'No tactful daemon answers on localhost:5000. Start it with `tactful serve`.');
});

test('a background script that does not answer counts as a failure', async () => {
  const { status, submit } = form(undefined);
  await submit('abc');
  assert.equal(status.dataset.outcome, 'error');
  assert.match(status.textContent, /background script/);
});

test('a non-loopback address and an empty code are refused before asking', async () => {
  const { runtime, status, submit, doc } = form({ ok: true }, { showAddress: true });
  await submit('abc', 'example.com:47291');
  assert.match(status.textContent, /loopback/);
  assert.equal(doc.getElementById('pairing-address').getAttribute('aria-invalid'), 'true');
  await submit('   ', '127.0.0.1:47291');
  assert.match(status.textContent, /tactful pair/);
  assert.equal(runtime.sent.length, 0);
});

test('parseAddress accepts loopback host:port only', () => {
  const cases = {
    '127.0.0.1:47291': '127.0.0.1:47291',
    ' 127.0.0.1:1 ': '127.0.0.1:1',
    'LOCALHOST:8080': 'localhost:8080',
    '[::1]:47291': '[::1]:47291',
    '127.0.0.1:65535': '127.0.0.1:65535',
    '127.1.2.3:47291': null,
    '127.0.0.1': null,
    '127.0.0.1:0': null,
    '127.0.0.1:65536': null,
    '127.0.0.1:080': null,
    '127.0.0.256:80': null,
    '10.0.0.1:47291': null,
    '0.0.0.0:47291': null,
    'example.com:80': null,
    'ws://127.0.0.1:47291': null,
    '127.0.0.1:47291/ws': null,
    '': null,
  };
  for (const [input, want] of Object.entries(cases)) assert.equal(parseAddress(input), want, JSON.stringify(input));
});

test('pairResultText falls back to the background script’s own message', () => {
  assert.equal(pairResultText({ ok: true, daemonVersion: '0.2.0', address: '[::1]:9' }, 'x'), 'Paired with tactful 0.2.0 on [::1]:9.');
  assert.equal(pairResultText({ ok: false, code: 'too_many', message: 'Slow down.' }, 'x'), 'Slow down.');
});
