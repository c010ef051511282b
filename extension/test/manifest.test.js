'use strict';
// What the manifest must keep for Firefox. The behaviour itself is tested in
// a real Firefox (e2e/firefox); these say at once which line broke it.
const test = require('node:test');
const assert = require('node:assert/strict');
const { readJSON } = require('./helpers.js');

const manifest = readJSON('extension/manifest.json');

test('extension pages have an explicit CSP that leaves ws:// alone', () => {
  // Without one, Firefox applies its MV3 default, "script-src 'self';
  // upgrade-insecure-requests;", which turns the background's
  // ws://127.0.0.1 into wss:// and the daemon is never reached.
  const csp = manifest.content_security_policy?.extension_pages;
  assert.equal(typeof csp, 'string', 'content_security_policy.extension_pages is missing');
  const directives = new Map(csp.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
    const [name, ...values] = d.split(/\s+/);
    return [name.toLowerCase(), values];
  }));
  assert.ok(!directives.has('upgrade-insecure-requests'), `${csp} upgrades ws:// to wss://`);
  assert.deepEqual(directives.get('script-src'), ["'self'"], 'scripts only from the extension itself');
  assert.deepEqual(directives.get('object-src'), ["'self'"]);
});

test('Firefox 128 may still load it', () => {
  // README promises Firefox 128+. A temporary add-on below strict_min_version
  // is refused ("not compatible with application version"), and 128 is the
  // first Firefox that ignores gecko keys it does not know
  // (data_collection_permissions) instead of refusing the manifest.
  const min = manifest.browser_specific_settings?.gecko?.strict_min_version;
  if (min !== undefined) assert.ok(parseInt(min, 10) <= 128, `gecko.strict_min_version ${min} shuts out Firefox 128`);
  assert.deepEqual(manifest.browser_specific_settings.gecko.data_collection_permissions, { required: ['none'] },
    'tactful collects nothing; Firefox 140+ shows that at install');
});
