// Helpers for the Firefox end-to-end test: the real daemon (built from this
// repository), headless Firefox ESR with the real extension installed as a
// temporary add-on, and what a person does in it (clicks and keys as real
// input events over WebDriver BiDi). The test file says what is checked;
// everything that knows how Firefox or BiDi behaves lives here.
//
// Things found out the hard way (Firefox 153 ESR, puppeteer-core 24):
// - A moz-extension:// origin is random per install unless the pref
//   extensions.webextensions.uuids fixes it before the add-on installs.
// - page.goto never settles on moz-extension:// pages: navigate with BiDi
//   browsingContext.navigate (wait: "none") and poll document.readyState.
// - The extension draws in closed shadow roots. BiDi's serialization option
//   includeShadowTree: "all" hands out references to them, which page script
//   can then query; the hosts are the light-DOM [data-tactful] elements.

import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(repoRoot, 'extension', 'package.json'));

/** Where LinkedIn serves My Network > Connections; the test serves its pages there. */
export const connectionsURL = 'https://www.linkedin.com/mynetwork/invite-connect/connections/';

/** The extension's Firefox id (manifest browser_specific_settings.gecko.id). */
const addonID = 'tactful@tactful.invalid';
/** Fixed through extensions.webextensions.uuids, so the test knows the origin. */
export const extensionUUID = '7ac7f00d-7e57-4f1f-9e3d-0c0ffee0beef';
export const extensionOrigin = `moz-extension://${extensionUUID}`;

// Bounds of the waits. A wait that runs out means the thing never happened;
// none of them measures speed. Generous: the machine may be busy.
export const waitShort = 20_000;
const pollEvery = 100;

/** Debian's Firefox ESR, or $TACTFUL_FIREFOX; null when neither is there. */
export function firefoxPath() {
  for (const p of [process.env.TACTFUL_FIREFOX, '/usr/bin/firefox-esr']) {
    if (p && existsSync(p)) return p;
  }
  return null;
}

/**
 * Polls cond until it returns a truthy value (which it returns) or the
 * deadline passes; then it throws with what cond last said through note().
 */
export async function waitFor(what, cond, timeout = waitShort) {
  const deadline = Date.now() + timeout;
  let last = '';
  const note = (s) => { last = s; };
  for (;;) {
    try {
      const v = await cond(note);
      if (v) return v;
    } catch (err) {
      last = `error: ${err.message}`;
    }
    if (Date.now() > deadline) throw new Error(`waited ${timeout / 1000}s for ${what}; last: ${last}`);
    await new Promise((r) => setTimeout(r, pollEvery));
  }
}

/**
 * Builds the daemon from this repository and serves it on a free loopback
 * port in a fresh home. Returns {addr, home, code, cli(...args), stop()}.
 */
export async function startDaemon() {
  const dir = mkdtempSync(join(tmpdir(), 'tactful-firefox-'));
  const bin = join(dir, 'tactful');
  execFileSync('go', ['build', '-o', bin, './daemon/cmd/tactful'], { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
  const home = join(dir, 'home');
  const env = { ...process.env, TACTFUL_HOME: '', TACTFUL_ADDR: '' };
  const proc = spawn(bin, ['serve', '--home', home, '--addr', '127.0.0.1:0', '--log-format', 'json'], {
    env, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const addr = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tactful serve did not log its address:\n${log}`)), waitShort);
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (chunk) => {
      log += chunk;
      for (const line of log.split('\n')) {
        try {
          const entry = JSON.parse(line);
          if (entry.message === 'tactful is listening' && entry.addr) {
            clearTimeout(timer);
            resolve(entry.addr);
          }
        } catch { /* a partial line */ }
      }
    });
    proc.on('exit', (status) => { clearTimeout(timer); reject(new Error(`tactful serve exited (${status}):\n${log}`)); });
  });
  const cli = (...args) => execFileSync(bin, [...args, '--home', home, '--addr', addr], { env, encoding: 'utf8' });
  const code = cli('pair').trim();
  return {
    addr, home, code, cli,
    log: () => log,
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts headless Firefox with a fresh profile and installs the extension
 * as a temporary add-on, as about:debugging's "Load Temporary Add-on" does.
 */
export async function startFirefox(executablePath) {
  const puppeteer = require('puppeteer-core');
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath,
    headless: true,
    timeout: 60_000, // a busy machine starts Firefox slowly
    // Lets BiDi install add-ons (webExtension.install).
    args: ['--remote-allow-system-access'],
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [addonID]: extensionUUID }),
      // Offline machine: nothing may dial out on its own.
      'network.captive-portal-service.enabled': false,
      'network.connectivity-service.enabled': false,
      'browser.safebrowsing.update.enabled': false,
      'extensions.getAddons.cache.enabled': false,
    },
  });
  const id = await browser.installExtension(join(repoRoot, 'extension'));
  if (id !== addonID) throw new Error(`the add-on installed as ${id}, want ${addonID}`);
  return browser;
}

/** Sends a raw WebDriver BiDi command on the page's session. */
function bidi(page, method, params) {
  const ctx = page.mainFrame().browsingContext;
  return ctx.userContext.browser.session.send(method, params);
}

function contextOf(page) {
  return page.mainFrame().browsingContext.id;
}

/**
 * Opens a page of the extension (moz-extension://…/path) in a new tab and
 * waits until its document has loaded.
 */
export async function openExtensionPage(browser, path, log) {
  const page = await browser.newPage();
  watchConsole(page, log);
  await navigate(page, `${extensionOrigin}/${path}`);
  return page;
}

/** Loads url in the tab without waiting for BiDi's load event, then polls. */
export async function navigate(page, url) {
  await bidi(page, 'browsingContext.navigate', { context: contextOf(page), url, wait: 'none' });
  await waitFor(`${url} to load`, async (note) => {
    const s = await page.evaluate(() => `${document.readyState} ${location.href}`);
    note(s);
    return s === `complete ${url}`;
  });
}

function watchConsole(page, log) {
  if (!log) return;
  page.on('console', (m) => log(`console ${m.type()}: ${m.text()}`));
  page.on('pageerror', (err) => log(`page error: ${err.message}`));
}

/**
 * Opens a tab where every request is intercepted: connectionsURL answers
 * html (set tab.html to change it), loopback and the extension's own pages pass,
 * and every other request fails and is listed in tab.refused.
 */
export async function openConnections(browser, html, log) {
  const page = await browser.newPage();
  watchConsole(page, log);
  const tab = { page, html, refused: [] };
  await page.setRequestInterception(true);
  page.on('request', (req) => {
    let u;
    try { u = new URL(req.url()); } catch { u = null; }
    if (u && u.origin + u.pathname === connectionsURL && req.isNavigationRequest()) {
      req.respond({ status: 200, contentType: 'text/html; charset=utf-8', headers: { 'cache-control': 'no-store' }, body: tab.html });
    } else if (u && (u.protocol === 'moz-extension:' || u.protocol === 'data:' || u.protocol === 'blob:' ||
               u.hostname === '127.0.0.1' || u.hostname === 'localhost')) {
      req.continue();
    } else {
      tab.refused.push(req.url());
      req.abort('blockedbyclient');
    }
  });
  await navigate(page, connectionsURL);
  return tab;
}

// Closed shadow roots -----------------------------------------------------

// Page-side helpers every inPage function may call. They find things the
// way a person does: by profile links, visible text and accessible names,
// never by LinkedIn's class names (which change with every release).
const pagePrelude = `
  const norm = (s) => (s || '').replace(/\\s+/g, ' ').trim();
  const shown = (el) => !!el && el.isConnected && el.getClientRects().length > 0 &&
    getComputedStyle(el).visibility !== 'hidden' && !el.closest('[hidden]');
  const slugOf = (a) => { const m = /\\/in\\/([^/?#]+)/.exec(a.getAttribute('href') || ''); return m ? m[1] : null; };
  const profileLinks = (root) => [...root.querySelectorAll('a[href*="/in/"]')];
  // slug's card: the widest ancestor of a link to slug that links to no one else.
  const cardOf = (slug) => {
    const link = profileLinks(document).find((a) => slugOf(a) === slug);
    if (!link) return null;
    let card = link;
    for (let a = link.parentElement; a && a !== document.body; a = a.parentElement) {
      if (profileLinks(a).some((x) => slugOf(x) !== slug)) break;
      card = a;
    }
    return card;
  };
  // The name a control is announced by: aria-label, else a labelled icon inside, else its text.
  const nameOf = (el) => norm(el.getAttribute('aria-label') || el.querySelector('[aria-label]')?.getAttribute('aria-label') || el.textContent);
  const controls = (root) => [...root.querySelectorAll('button, [role="button"], [role="menuitem"]')];
  // The shown controls whose accessible name or visible text matches re, in document order.
  const shownControls = (re, root = document) => controls(root).filter((c) => shown(c) && (re.test(nameOf(c)) || re.test(norm(c.textContent))));
  // The card host of slug, and its shadow root.
  const hostOf = (hosts, slug) => hosts.find((h) => { const c = cardOf(slug); return c && c.contains(h.host); });
`;

/**
 * References (BiDi shared ids) to the page's [data-tactful=kind] hosts and
 * their closed shadow roots; none when kind is null.
 */
async function shadowRoots(page, kind) {
  if (kind === null) return [];
  const res = await bidi(page, 'script.callFunction', {
    functionDeclaration: `(kind) => [...document.querySelectorAll('[data-tactful="' + kind + '"]')]`,
    arguments: [{ type: 'string', value: kind }],
    target: { context: contextOf(page) },
    awaitPromise: false,
    serializationOptions: { maxDomDepth: 0, includeShadowTree: 'all' },
  });
  if (res.result.type === 'exception') throw new Error(res.result.exceptionDetails.text);
  return res.result.result.value.map((host) => ({
    host: host.sharedId,
    root: host.value?.shadowRoot?.sharedId ?? null,
    mode: host.value?.shadowRoot?.value?.mode ?? null,
  }));
}

/**
 * Runs fn(hosts, ...args) in the page and returns its result (through
 * JSON). hosts is [{host, root, mode}] for every [data-tactful=kind]
 * element, root being its shadow root (closed: page script reaches it only
 * because BiDi handed out a reference), or [] when kind is null. fn's
 * source is sent, so it may use only its arguments and the page's globals.
 */
export async function inPage(page, kind, fn, ...args) {
  const found = await shadowRoots(page, kind);
  const res = await bidi(page, 'script.callFunction', {
    functionDeclaration: `async (modes, ...refs) => {
      const hosts = modes.map((mode, i) => ({ host: refs[2 * i], root: refs[2 * i + 1], mode }));
      ${pagePrelude}
      return JSON.stringify(await (${fn.toString()})(hosts, ...${JSON.stringify(args)}) ?? null);
    }`,
    arguments: [
      { type: 'array', value: found.map((f) => (f.mode ? { type: 'string', value: f.mode } : { type: 'null' })) },
      ...found.flatMap((f) => [{ sharedId: f.host }, f.root ? { sharedId: f.root } : { type: 'null' }]),
    ],
    target: { context: contextOf(page) },
    awaitPromise: true,
  });
  if (res.result.type === 'exception') throw new Error(`in the page: ${res.result.exceptionDetails.text}`);
  return JSON.parse(res.result.result.value);
}

// Real input -------------------------------------------------------------

/**
 * Clicks, with the mouse, the centre of the element locate(hosts, ...args)
 * returns (it runs in the page like inPage's fn, and returns an Element or
 * null), once it is there and has a box. The element is scrolled into view
 * first; the click goes to whatever is on top at that point, as a person's
 * would.
 */
export async function clickElement(page, what, locate, { kind = null, args = [] } = {}) {
  const box = await waitFor(what, async (note) => {
    const r = await inPage(page, kind, `(hosts, ...a) => {
      const el = (${locate.toString()})(hosts, ...a);
      if (!el) return null;
      el.scrollIntoView({ block: 'center', inline: 'center', behavior: 'instant' });
      const b = el.getBoundingClientRect();
      if (b.width === 0 || b.height === 0) return { hidden: true };
      return { x: b.left + b.width / 2, y: b.top + b.height / 2 };
    }`, ...args);
    note(r === null ? 'not found' : r.hidden ? 'found, but it has no box' : 'found');
    return r && !r.hidden ? r : null;
  });
  await page.mouse.click(box.x, box.y);
}

/** Types text into whatever has the focus, key by key. */
export async function typeText(page, text) {
  await page.keyboard.type(text);
}

/** Presses one key (puppeteer's key names: "Enter", "Escape", "Backspace"). */
export async function press(page, key) {
  await page.keyboard.press(key);
}

/** The text of a page file under e2e/testdata/linkedin. */
export function linkedinPage(name) {
  return readFileSync(join(repoRoot, 'e2e', 'testdata', 'linkedin', name), 'utf8');
}
