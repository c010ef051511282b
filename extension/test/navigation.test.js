'use strict';
// LinkedIn is a single-page app: users reach My Network > Connections by
// clicking, not by loading its URL. The content scripts run on every LinkedIn
// page but stay idle (no Port, so no socket to the daemon, and no badges)
// until the path is the Connections page, and go idle again when it is not.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { JSDOM } = require('jsdom');
const { repo, fixture, contentScripts } = require('./helpers.js');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(check, what, ms = 5000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

test('idle on other LinkedIn pages, active after in-app navigation to Connections, idle again after leaving', async () => {
  const dom = new JSDOM(fixture('sdui.html'), { url: 'https://www.linkedin.com/feed/', runScripts: 'outside-only', pretendToBeVisual: true });
  const win = dom.window;
  const ports = [];
  const sent = [];
  win.chrome = {
    runtime: {
      id: 'test',
      sendMessage: async (m) => {
        sent.push(m);
        return { type: 'error', code: 'offline', message: 'not in this test' };
      },
      connect: () => {
        const port = { disconnected: false, onMessage: { addListener() {} }, onDisconnect: { addListener() {} }, disconnect() { this.disconnected = true; } };
        ports.push(port);
        return port;
      },
    },
  };
  for (const f of contentScripts()) win.eval(fs.readFileSync(path.join(repo, 'extension', f), 'utf8'));
  const hosts = () => win.document.querySelectorAll('[data-tactful="card"]').length;
  try {
    await sleep(1300); // more than one check of the path and one reader debounce
    assert.equal(ports.length, 0, 'no Port (and so no daemon socket) on the feed');
    assert.equal(sent.length, 0, 'nothing sent from the feed');
    assert.equal(hosts(), 0, 'no badges on the feed');

    win.history.pushState({}, '', '/mynetwork/invite-connect/connections/');
    await until(() => ports.length === 1 && hosts() > 0, 'the Port and the badges on the Connections page');
    await until(() => sent.some((m) => m.kind === 'request' && m.request.type === 'contacts_seen'), 'contacts_seen');

    win.history.pushState({}, '', '/feed/');
    await until(() => ports[0].disconnected, 'the Port to close after leaving');
  } finally {
    win.close();
  }
});
