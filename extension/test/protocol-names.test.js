'use strict';
// The message types written in the extension's sources must be the
// protocol's (lib/protocol.js, generated from Go): a type renamed in Go
// fails here instead of silently never matching in a browser.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const protocol = require('../lib/protocol.js');

const root = path.join(__dirname, '..');
const dirs = ['content', 'lib', 'composer', 'popup', 'options', 'review'];
// The same patterns also catch DOM words (input and mutation types).
const DOM_WORDS = new Set(['button', 'checkbox', 'file', 'search', 'submit', 'text', 'string', 'attributes', 'number', 'radio', 'date']);

function sources() {
  const files = ['background.js'];
  for (const d of dirs) {
    for (const f of fs.readdirSync(path.join(root, d))) if (f.endsWith('.js') && f !== 'protocol.js') files.push(path.join(d, f));
  }
  return files;
}

test('every message type the extension names is one of the protocol\'s', () => {
  const known = new Set([...protocol.requests, ...protocol.replies, ...protocol.events]);
  const named = new Map(); // type → first file naming it
  for (const f of sources()) {
    const src = fs.readFileSync(path.join(root, f), 'utf8');
    for (const m of src.matchAll(/(?:\btype: |\.type [!=]== )'([a-z_]+)'/g)) if (!named.has(m[1])) named.set(m[1], f);
  }
  assert.ok(named.has('contacts_seen') && named.has('welcome'), 'the scan finds the extension\'s requests and replies');
  const unknown = [...named].filter(([t]) => !known.has(t) && !DOM_WORDS.has(t)).map(([t, f]) => `${t} (${f})`);
  assert.deepEqual(unknown, []);
});
