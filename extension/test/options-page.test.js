import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeRuntime, page, settle } from './popup-harness.test.js';
import { startOptions } from '../options/options.js';

function options(state, pairReply) {
  const doc = page('options/options.html');
  const runtime = fakeRuntime((m) => (m.kind === 'state' ? state : m.kind === 'pair' ? pairReply : undefined));
  const o = startOptions(doc, { runtime });
  async function pair(address, code) {
    doc.getElementById('pairing-address').value = address;
    doc.getElementById('pairing-code').value = code;
    doc.getElementById('pairing-submit').click();
    await settle();
    return doc.getElementById('pairing-result');
  }
  return { doc, runtime, o, pair };
}

test('the options page shows the daemon address, defaulting to 127.0.0.1:47291', async () => {
  const { doc, o } = options({ connected: false, paired: false });
  await o.ready;
  assert.equal(doc.getElementById('pairing-address').value, '127.0.0.1:47291');
  assert.equal(doc.querySelector('label[for="pairing-code"]').textContent, 'Pairing code');
  assert.match(doc.querySelector('[data-role="connection"]').textContent, /Not paired/);
});

test('the options page shows the address the background script uses', async () => {
  const { doc, o } = options({ connected: true, paired: true, address: '127.0.0.1:50000', pending: 2 });
  await o.ready;
  assert.equal(doc.getElementById('pairing-address').value, '127.0.0.1:50000');
  assert.equal(doc.querySelector('[data-role="connection"]').textContent, 'Connected to tactful on 127.0.0.1:50000. 2 notes waiting to sync.');
});

test('Pair sends {kind:"pair", address, code} and shows success', async () => {
  const { runtime, o, pair } = options({ connected: false, paired: false }, { ok: true, daemonVersion: '0.1.0' });
  await o.ready;
  const result = await pair('127.0.0.1:47291', 'abc-123');
  assert.deepEqual(runtime.sent.filter((m) => m.kind === 'pair'), [{ kind: 'pair', address: '127.0.0.1:47291', code: 'abc-123' }]);
  assert.equal(result.getAttribute('role'), 'status');
  assert.equal(result.textContent, 'Paired with tactful 0.1.0 on 127.0.0.1:47291.');
});

test('Pair shows a wrong code and an absent daemon clearly', async () => {
  let r = options({}, { ok: false, code: 'unauthorized', message: 'bad code' });
  assert.equal((await r.pair('127.0.0.1:47291', 'nope')).textContent,
    'The daemon refused this code. Run `tactful pair` and paste the code it prints.');
  r = options({}, { ok: false, code: 'offline', message: 'refused' });
  assert.equal((await r.pair('127.0.0.1:47292', 'abc')).textContent,
    'No tactful daemon answers on 127.0.0.1:47292. Start it with `tactful serve`.');
});

test('Pair refuses an address off this computer', async () => {
  const { runtime, pair } = options({}, { ok: true });
  const result = await pair('192.168.1.5:47291', 'abc');
  assert.match(result.textContent, /loopback/);
  assert.equal(runtime.sent.filter((m) => m.kind === 'pair').length, 0);
});

test('the options page has export and import too', () => {
  const { doc } = options({});
  assert.ok(doc.querySelector('[data-role="export-json"]'));
  assert.ok(doc.querySelector('[data-role="import-file"]'));
});

test('a state update does not overwrite an address the user is typing', async () => {
  const { doc, runtime, o } = options({ connected: false, paired: false, address: '127.0.0.1:47291' });
  await o.ready;
  const field = doc.getElementById('pairing-address');
  field.value = '127.0.0.1:5000';
  field.dispatchEvent(new doc.defaultView.Event('input'));
  field.blur();
  runtime.push({ kind: 'state', state: { connected: false, paired: false, address: '127.0.0.1:47291' } });
  assert.equal(field.value, '127.0.0.1:5000');
});
