'use strict';
// LinkedIn is a single-page app: users reach My Network > Connections by
// clicking, not by loading its URL. The content scripts run on every LinkedIn
// page but stay idle (no Port, so no socket to the daemon, and no badges)
// until the page is the Connections page (by its path or by what it shows),
// and go idle again when it is not.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { JSDOM } = require('jsdom');
const { repo, contentScripts } = require('./helpers.js');
const { connections2025, feed, parts } = require('./small-pages.js');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(check, what, ms = 5000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function start(html, url) {
  const dom = new JSDOM(html, { url, runScripts: 'outside-only', pretendToBeVisual: true });
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
  // What LinkedIn's app does on a click: a new address, a new page in place.
  const go = (where, page) => {
    win.history.pushState({}, '', where);
    const { title, body } = parts(page);
    win.document.title = title;
    win.document.body.innerHTML = body;
  };
  return { win, ports, sent, hosts, go };
}

test('idle on other LinkedIn pages, active after in-app navigation to Connections, idle again after leaving', async () => {
  const { win, ports, sent, hosts, go } = start(feed(), 'https://www.linkedin.com/feed/');
  try {
    await sleep(1300); // more than one check of the page
    assert.equal(ports.length, 0, 'no Port (and so no daemon socket) on the feed');
    assert.equal(sent.length, 0, 'nothing sent from the feed');
    assert.equal(hosts(), 0, 'no badges on the feed');

    go('/mynetwork/invite-connect/connections/', connections2025());
    await until(() => ports.length === 1 && hosts() === 3, 'the Port and the badges on the Connections page');
    await until(() => sent.some((m) => m.kind === 'request' && m.request.type === 'contacts_seen'), 'contacts_seen');

    go('/feed/', feed());
    await until(() => ports[0].disconnected, 'the Port to close after leaving');
  } finally {
    win.close();
  }
});

test('live at /mynetwork/connections/ and wherever the page shows the connections list', async () => {
  for (const [url, page] of [
    ['https://www.linkedin.com/mynetwork/connections/', connections2025(undefined, { title: 'LinkedIn' })],
    // A new address LinkedIn might move the list to: the title says it.
    ['https://www.linkedin.com/mynetwork/grow/people/', connections2025(undefined, { title: '(3) Connections | LinkedIn' })],
    // Neither address nor title: LinkedIn's own hooks for the list.
    ['https://www.linkedin.com/somewhere/new/', connections2025(undefined, { title: 'LinkedIn' })],
    // In French, by its count over the list.
    ['https://www.linkedin.com/ailleurs/', connections2025(undefined, { title: 'LinkedIn', lang: 'fr' }).replace('3 connections', '').replace('<main id="workspace">', '<main id="workspace"><h1>1 217 relations</h1>').replaceAll('data-view-name="connections-list"', '').replaceAll('data-view-name="connections-profile"', '')],
  ]) {
    const { win, ports, hosts } = start(page, url);
    try {
      await until(() => ports.length === 1 && hosts() === 3, `the badges at ${url}`);
    } finally {
      win.close();
    }
  }
});
