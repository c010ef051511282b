// When the daemon is not reachable, the popup says what to run on the
// person's platform: tactful serve once, or tactful service install for good.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blank, fakeRuntime, page, settle } from './popup-harness.test.js';
import { renderConnectionStatus } from '../popup/connection-status.js';
import { startPopup } from '../popup/popup.js';

const offline = { connected: false, paired: true, address: '127.0.0.1:47291', pending: 0, lastError: '' };
const unpaired = { connected: false, paired: false, address: '127.0.0.1:47291', pending: 0 };

const cases = [
  ['mac', 'In Terminal, run tactful serve once, or tactful service install to have macOS start it at every login.'],
  ['win', 'In PowerShell, run tactful serve once, or tactful service install to have Windows start it at every logon.'],
  ['linux', 'In a terminal, run tactful serve once, or tactful service install to have systemd start it at every login.'],
  ['cros', 'In the Linux terminal, run tactful serve once, or tactful service install to have systemd start it at every login.'],
  ['openbsd', 'Run tactful serve once, or tactful service install to start it at every login.'],
  [undefined, 'Run tactful serve once, or tactful service install to start it at every login.'],
];

for (const [platform, sentence] of cases) {
  test(`offline on ${platform ?? 'an unknown platform'}: ${sentence}`, () => {
    const root = blank().getElementById('root');
    assert.equal(renderConnectionStatus(root, offline, { platform }), 'offline');
    const advice = root.querySelector('[data-role="start-advice"]');
    assert.equal(advice.textContent, sentence);
    assert.deepEqual([...advice.querySelectorAll('code[data-role="command"]')].map((c) => c.textContent),
      ['tactful serve', 'tactful service install']);
  });
}

test('unpaired: the advice stands under the pairing form', () => {
  const root = blank().getElementById('root');
  renderConnectionStatus(root, unpaired, { platform: 'win', pair: async () => ({ ok: true }) });
  assert.ok(root.querySelector('[data-role="pairing-form"]'));
  assert.match(root.querySelector('[data-role="start-advice"]').textContent, /In PowerShell, run tactful serve once/);
});

test('connected: no advice', () => {
  const root = blank().getElementById('root');
  renderConnectionStatus(root, { ...offline, connected: true }, { platform: 'linux' });
  assert.equal(root.querySelector('[data-role="start-advice"]'), null);
});

function popupOn(state, getPlatformInfo) {
  const doc = page('popup/popup.html');
  const runtime = fakeRuntime((m) => (m.kind === 'state' ? state : { type: 'error', code: 'offline', message: 'offline' }));
  runtime.getPlatformInfo = getPlatformInfo;
  const p = startPopup(doc, { runtime, now: () => new Date(2026, 10, 29, 12) });
  return { doc, p };
}

test('the popup asks chrome.runtime.getPlatformInfo and names the platform', async () => {
  const { doc, p } = popupOn(offline, async () => ({ os: 'mac', arch: 'arm64' }));
  await p.ready;
  await settle();
  assert.match(doc.querySelector('[data-role="start-advice"]').textContent, /^In Terminal, run tactful serve once/);
});

test('a late platform answer keeps a pairing code being typed', async () => {
  let answer;
  const { doc, p } = popupOn(unpaired, () => new Promise((resolve) => { answer = resolve; }));
  await p.ready;
  const code = doc.getElementById('popup-pairing-code');
  code.value = 'c0de';
  answer({ os: 'linux' });
  await settle();
  assert.match(doc.querySelector('[data-role="start-advice"]').textContent, /^In a terminal, run/);
  assert.equal(doc.getElementById('popup-pairing-code'), code);
  assert.equal(code.value, 'c0de');
});

test('without getPlatformInfo (or when it fails) the advice stays general', async () => {
  for (const getPlatformInfo of [undefined, async () => { throw new Error('no'); }]) {
    const { doc, p } = popupOn(offline, getPlatformInfo);
    await p.ready;
    await settle();
    assert.equal(doc.querySelector('[data-role="start-advice"]').textContent,
      'Run tactful serve once, or tactful service install to start it at every login.');
  }
});
