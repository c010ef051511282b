'use strict';
// lib/slug.js must agree with protocol.CanonicalSlug on every golden vector.
const test = require('node:test');
const assert = require('node:assert/strict');
const { readJSON } = require('./helpers.js');
const { canonicalSlug, slugFromHref, profileURL } = require('../lib/slug.js');

test('canonicalSlug matches protocol/testdata/slugs.json', () => {
  const cases = readJSON('protocol/testdata/slugs.json');
  assert.ok(cases.length > 5);
  for (const c of cases) {
    if (c.code) {
      assert.throws(() => canonicalSlug(c.in), (err) => err.code === c.code, `${JSON.stringify(c.in)} should fail with ${c.code}`);
    } else {
      assert.equal(canonicalSlug(c.in), c.out, JSON.stringify(c.in));
    }
  }
});

test('canonicalSlug folds case one code point at a time, like Go', () => {
  assert.equal(canonicalSlug('ΟΔΥΣΣΕΥΣ'), 'οδυσσευσ'); // no final sigma
  assert.equal(canonicalSlug('İstanbul-dev'), 'istanbul-dev');
});

test('slugFromHref reads profile links and nothing else', () => {
  assert.equal(slugFromHref('/in/ada-lovelace-1815/'), 'ada-lovelace-1815');
  assert.equal(slugFromHref('https://www.linkedin.com/in/jos%C3%A9-garc%C3%ADa-n%C3%BA%C3%B1ez-4b1a2c3/'), 'josé-garcía-núñez-4b1a2c3');
  assert.equal(slugFromHref('https://www.linkedin.com/in/Ada-Lovelace-1815?miniProfile=1'), 'ada-lovelace-1815');
  assert.equal(slugFromHref('https://www.linkedin.com/in/ada/details/'), null);
  assert.equal(slugFromHref('https://www.linkedin.com/messaging/compose/?recipient=ada-lovelace-1815'), null);
  assert.equal(slugFromHref('https://evil.example/in/ada-lovelace-1815/'), null);
  assert.equal(slugFromHref('javascript:alert(1)//in/abc'), null);
  assert.equal(slugFromHref('/in/%2e%2e%2fadmin/'), null);
});

test('profileURL is a linkedin.com profile address', () => {
  assert.equal(profileURL('josé-x1'), 'https://www.linkedin.com/in/jos%C3%A9-x1/');
});
