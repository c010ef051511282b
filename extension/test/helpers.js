// Shared test helpers: load the repository's LinkedIn-shaped pages
// (e2e/testdata/linkedin: classic.html, sdui.html, 2025.html) and the
// content scripts into jsdom the way the manifest lists them, so tests
// exercise the real files.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { JSDOM } = require('jsdom');

const repo = path.resolve(__dirname, '..', '..');
const fixtures = path.join(repo, 'e2e', 'testdata', 'linkedin');
const pageURL = 'https://www.linkedin.com/mynetwork/invite-connect/connections/';

function readJSON(rel) {
  return JSON.parse(fs.readFileSync(path.join(repo, rel), 'utf8'));
}

function fixture(name) {
  return fs.readFileSync(path.join(fixtures, name), 'utf8');
}

// contentScripts lists the manifest's content scripts, in order.
function contentScripts() {
  const manifest = JSON.parse(fs.readFileSync(path.join(repo, 'extension', 'manifest.json'), 'utf8'));
  return manifest.content_scripts[0].js;
}

/**
 * load makes a jsdom window at the connections URL from html and runs the
 * given extension files (default: every content script but main.js) in it.
 * The page's own scripts run when runScripts is "dangerously".
 */
function load(html, { files, runScripts, chrome } = {}) {
  const dom = new JSDOM(html, { url: pageURL, runScripts: runScripts || 'outside-only', pretendToBeVisual: true });
  const win = dom.window;
  if (chrome) win.chrome = chrome;
  // jsdom has <dialog> but not its methods: enough of them for the fixture.
  const D = win.HTMLDialogElement.prototype;
  if (!D.showModal) {
    D.showModal = function () { this.setAttribute('open', ''); };
    D.show = D.showModal;
    D.close = function () {
      if (!this.hasAttribute('open')) return;
      this.removeAttribute('open');
      this.dispatchEvent(new win.Event('close'));
    };
  }
  const list = files || contentScripts().filter((f) => f !== 'content/main.js');
  for (const f of list) {
    win.eval(fs.readFileSync(path.join(repo, 'extension', f), 'utf8'));
  }
  return { dom, win, doc: win.document, tactful: win.tactful };
}

module.exports = { repo, fixtures, pageURL, readJSON, fixture, load, contentScripts };
