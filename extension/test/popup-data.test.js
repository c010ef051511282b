import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blank, fakeRuntime, reply, settle } from './popup-harness.test.js';
import { createDataTransfer, summaryLines } from '../popup/data-transfer.js';
import { createClient } from '../popup/runtime.js';

// jsdom's Blob has no text(); its FileReader reads it.
function blobText(doc, blob) {
  return new Promise((resolve, reject) => {
    const reader = new doc.defaultView.FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsText(blob);
  });
}

function setup(handler) {
  const doc = blank();
  const runtime = fakeRuntime(handler);
  const urls = { made: [], revoked: [], createObjectURL(blob) { this.made.push(blob); return `blob:test/${this.made.length}`; }, revokeObjectURL(u) { this.revoked.push(u); } };
  const clicked = [];
  doc.addEventListener('click', (event) => {
    if (event.target.matches('a[download]')) {
      clicked.push({ download: event.target.getAttribute('download'), href: event.target.getAttribute('href') });
      event.preventDefault(); // jsdom cannot navigate
    }
  });
  const dt = createDataTransfer(doc.getElementById('root'), { request: createClient(runtime).request, urls });
  return { doc, runtime, urls, clicked, dt };
}

test('Export CSV asks for csv and downloads the data under the daemon’s filename', async () => {
  const { doc, runtime, urls, clicked } = setup(() => reply('export_data'));
  const button = [...doc.querySelectorAll('button')].find((b) => b.textContent === 'Export CSV');
  button.click();
  await settle();
  assert.deepEqual(runtime.requests('export'), [{ type: 'export', format: 'csv' }]);
  assert.deepEqual(clicked, [{ download: 'tactful-export-2026-11-29.csv', href: 'blob:test/1' }]);
  assert.equal(await blobText(doc, urls.made[0]), reply('export_data').data);
  assert.match(urls.made[0].type, /^text\/csv/);
  assert.equal(doc.querySelector('a[download]'), null, 'the link is removed after the click');
  assert.match(doc.querySelector('[data-role="data-status"]').textContent, /tactful-export-2026-11-29\.csv/);
});

test('Export JSON asks for json', async () => {
  const data = { type: 'export_data', id: '1', format: 'json', filename: 'tactful-export-2026-11-29.json', data: '{"format":"tactful-export"}' };
  const { doc, runtime, clicked } = setup(() => data);
  [...doc.querySelectorAll('button')].find((b) => b.textContent === 'Export JSON').click();
  await settle();
  assert.deepEqual(runtime.requests('export'), [{ type: 'export', format: 'json' }]);
  assert.equal(clicked[0].download, 'tactful-export-2026-11-29.json');
});

test('a failed export says why and downloads nothing', async () => {
  const { doc, clicked, dt } = setup(() => reply('error'));
  await dt.exportAs('csv');
  assert.equal(clicked.length, 0);
  assert.equal(doc.querySelector('[data-role="data-status"]').textContent, reply('error').message);
});

test('importing Connections.csv sends its text and shows added, updated and skipped lines', async () => {
  const { doc, runtime, dt } = setup(() => reply('import_summary'));
  const csv = 'First Name,Last Name,URL\r\nAda,Lovelace,https://www.linkedin.com/in/ada-lovelace-1815\r\n';
  const input = doc.querySelector('input[type="file"]');
  assert.equal(input.getAttribute('accept'), '.csv,text/csv');
  assert.equal(doc.querySelector(`label[for="${input.id}"]`).textContent, 'Import LinkedIn export');
  await dt.importFile({ name: 'Connections.csv', size: csv.length, text: async () => csv });
  assert.deepEqual(runtime.requests('import_connections'), [{ type: 'import_connections', csv }]);
  assert.equal(doc.querySelector('[data-role="data-status"]').textContent, 'Read 2 rows: 1 added, 0 updated, 1 skipped.');
  assert.deepEqual([...doc.querySelectorAll('[data-role="import-skipped"] li')].map((li) => li.textContent), ['Line 9: no profile URL']);
  assert.equal(doc.querySelector('[data-role="data-status"]').getAttribute('role'), 'status');
});

test('a file over the message limit is refused before sending', async () => {
  const { runtime, doc, dt } = setup(() => reply('import_summary'));
  await dt.importFile({ name: 'huge.csv', size: 9 * 1024 * 1024, text: async () => '' });
  assert.equal(runtime.requests().length, 0);
  assert.match(doc.querySelector('[data-role="data-status"]').textContent, /too large.*Run “tactful import huge\.csv” in a terminal/);
});

test('summaryLines names each skipped line', () => {
  assert.deepEqual(summaryLines({ added: 0, updated: 3, total: 5, skipped: [{ line: 4, reason: 'no profile URL' }, { line: 7, reason: 'not a LinkedIn profile' }] }),
    ['Read 5 rows: 0 added, 3 updated, 2 skipped.', 'Line 4: no profile URL', 'Line 7: not a LinkedIn profile']);
});
