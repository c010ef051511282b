'use strict';
// lib/pairing-code.js: the pairing code lives in the extension origin's
// IndexedDB, never in storage.local (which content scripts can read), and a
// code an older version left in storage.local moves over exactly once.
const test = require('node:test');
const assert = require('node:assert/strict');
const { FakeArea, fakeIndexedDB } = require('./fakes.js');
const { createPairingCodeStore } = require('../lib/pairing-code.js');

const stored = (idb) => idb.dbs.get('tactful-secrets')?.get('secrets')?.get('pairingCode');

test('set and get go through IndexedDB only', async () => {
  const idb = fakeIndexedDB();
  const local = new FakeArea({ address: '127.0.0.1:1' });
  const codes = createPairingCodeStore({ indexedDB: idb, local });
  assert.equal(await codes.get(), '');
  await codes.set('K3M9Q-7TZ2A');
  assert.equal(await codes.get(), 'K3M9Q-7TZ2A');
  assert.equal(stored(idb), 'K3M9Q-7TZ2A');
  assert.deepEqual(local.data, { address: '127.0.0.1:1' });
});

test('migrate moves an old code out of storage.local; a newer one in IndexedDB wins', async () => {
  const idb = fakeIndexedDB();
  const local = new FakeArea({ pairingCode: 'OLD' });
  await createPairingCodeStore({ indexedDB: idb, local }).migrate();
  assert.equal(stored(idb), 'OLD');
  assert.ok(!('pairingCode' in local.data));

  local.data.pairingCode = 'STALE'; // e.g. written by an old copy still running
  const codes = createPairingCodeStore({ indexedDB: idb, local });
  assert.equal(await codes.get(), 'OLD');
  assert.ok(!('pairingCode' in local.data), 'the stale copy is removed too');
});

test('without IndexedDB the old copy is kept and used, not lost', async () => {
  const local = new FakeArea({ pairingCode: 'OLD' });
  const codes = createPairingCodeStore({ indexedDB: undefined, local });
  assert.equal(await codes.get(), 'OLD');
  assert.equal(local.data.pairingCode, 'OLD');
  await assert.rejects(codes.set('NEW'), /no IndexedDB/);
});
