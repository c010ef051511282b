// Shared fakes for the popup and options tests: a chrome.runtime that
// answers from protocol/testdata/replies, and a jsdom page to run in.
// Run on its own, it checks that the fixtures it serves still parse.

import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { JSDOM } from 'jsdom';

const repliesDir = new URL('../../protocol/testdata/replies/', import.meta.url);

/** reply reads protocol/testdata/replies/<name>.json, a fresh copy each time. */
export function reply(name) {
  return JSON.parse(readFileSync(new URL(`${name}.json`, repliesDir), 'utf8'));
}

/**
 * fakeRuntime answers sendMessage with handler(message) and records every
 * message; push() delivers a message to every connected Port.
 */
export function fakeRuntime(handler) {
  const sent = [];
  const ports = [];
  return {
    id: 'test-extension',
    sent,
    ports,
    requests: (type) => sent.filter((m) => m.kind === 'request' && (!type || m.request.type === type)).map((m) => m.request),
    async sendMessage(message) {
      sent.push(structuredClone(message));
      return handler(message);
    },
    connect({ name } = {}) {
      const listeners = [];
      const port = { name, onMessage: { addListener: (f) => listeners.push(f) }, disconnect() {}, listeners };
      ports.push(port);
      return port;
    },
    push(message) {
      for (const port of ports) for (const f of port.listeners) f(message);
    },
  };
}

/** page loads an extension page's HTML (without running its scripts). */
export function page(relative) {
  const file = new URL(`../${relative}`, import.meta.url);
  const dom = new JSDOM(readFileSync(file, 'utf8'), { url: 'chrome-extension://test/' + relative });
  return dom.window.document;
}

/** blank is an empty document for module-level tests. */
export function blank() {
  return new JSDOM('<!doctype html><html><body><div id="root"></div></body></html>').window.document;
}

/** settle lets pending promise callbacks and timers of up to ms run. */
export function settle(ms = 0) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { test } = await import('node:test');
  const assert = await import('node:assert/strict');
  test('the reply fixtures the popup tests use parse and have their types', () => {
    for (const [name, type] of [['history', 'history'], ['contact', 'contact'], ['export_data', 'export_data'], ['import_summary', 'import_summary'], ['error', 'error']]) {
      assert.equal(reply(name).type, type, fileURLToPath(new URL(`${name}.json`, repliesDir)));
    }
  });
}
