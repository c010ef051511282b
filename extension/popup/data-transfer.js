// Export (JSON or CSV, downloaded through a Blob URL) and import of
// LinkedIn's Connections.csv, with the daemon's summary.

import '../lib/protocol.js';
import { el, errorText, plural } from './format.js';

const { protocol } = globalThis.tactful;

// The popup imports through the background's WebSocket, one message; larger
// files go through `tactful import`, which streams them over HTTP.
const maxImportBytes = protocol.limits.maxMessageBytes - 64 * 1024; // less the envelope

const mimeTypes = { json: 'application/json', csv: 'text/csv' };

/**
 * download saves text as filename through an <a download> and a Blob URL.
 * @returns {HTMLAnchorElement} the link it clicked
 */
export function download(doc, { filename, data, format }, urls = doc.defaultView?.URL ?? globalThis.URL) {
  const win = doc.defaultView ?? globalThis;
  const blob = new win.Blob([data ?? ''], { type: `${mimeTypes[format] ?? 'application/octet-stream'};charset=utf-8` });
  const url = urls.createObjectURL(blob);
  const a = el(doc, 'a', { href: url, download: filename || `tactful-export.${format || 'txt'}`, hidden: true, 'data-role': 'download' });
  doc.body.append(a);
  a.click();
  a.remove();
  win.setTimeout(() => urls.revokeObjectURL(url), 60_000);
  return a;
}

/** summaryLines turns an import summary into sentences. */
export function summaryLines(summary) {
  const skipped = summary?.skipped ?? [];
  const lines = [
    `Read ${plural(summary?.total ?? 0, 'row')}: ${summary?.added ?? 0} added, ${summary?.updated ?? 0} updated, ${skipped.length} skipped.`,
  ];
  for (const s of skipped) lines.push(`Line ${s.line}: ${s.reason}`);
  return lines;
}

/**
 * createDataTransfer draws the export buttons and the import field into root.
 * @param {HTMLElement} root
 * @param {object} opts
 * @param {(req: object) => Promise<object>} opts.request
 * @param {{createObjectURL: Function, revokeObjectURL: Function}} [opts.urls]
 */
export function createDataTransfer(root, { request, urls, idPrefix = 'data' }) {
  const doc = root.ownerDocument;
  const exports = el(doc, 'div', { class: 'buttons' });
  const jsonButton = el(doc, 'button', { type: 'button', id: `${idPrefix}-export-json`, 'data-role': 'export-json' }, 'Export JSON');
  const csvButton = el(doc, 'button', { type: 'button', id: `${idPrefix}-export-csv`, 'data-role': 'export-csv' }, 'Export CSV');
  exports.append(jsonButton, csvButton);

  const importField = el(doc, 'div', { class: 'field' });
  const file = el(doc, 'input', { type: 'file', id: `${idPrefix}-import`, accept: '.csv,text/csv', 'data-role': 'import-file', 'aria-describedby': `${idPrefix}-import-hint` });
  importField.append(el(doc, 'label', { for: `${idPrefix}-import` }, 'Import LinkedIn export'), file,
    el(doc, 'p', { class: 'hint', id: `${idPrefix}-import-hint` }, 'Connections.csv from LinkedIn’s “Get a copy of your data”.'));

  const status = el(doc, 'p', { role: 'status', 'data-role': 'data-status', id: `${idPrefix}-status` });
  const skipped = el(doc, 'ul', { class: 'skipped', 'data-role': 'import-skipped' });
  root.append(exports, importField, status, skipped);

  async function exportAs(format) {
    jsonButton.disabled = csvButton.disabled = true;
    status.textContent = `Exporting ${format.toUpperCase()}…`;
    skipped.replaceChildren();
    try {
      const reply = await request({ type: 'export', format });
      if (reply?.type !== 'export_data') {
        status.textContent = errorText(reply);
        return null;
      }
      const a = download(doc, reply, urls);
      status.textContent = `Saved ${a.download}.`;
      return a;
    } finally {
      jsonButton.disabled = csvButton.disabled = false;
    }
  }

  async function importFile(f) {
    skipped.replaceChildren();
    if (!f) return null;
    if (f.size > maxImportBytes) {
      status.textContent = `${f.name} is too large to import here (${Math.round(f.size / 1048576)} MB; the popup takes up to ${Math.round(protocol.limits.maxMessageBytes / 1048576)} MB). ` +
        `Run “tactful import ${f.name}” in a terminal instead: it takes files of any size.`;
      return null;
    }
    status.textContent = `Importing ${f.name}…`;
    const csv = await f.text();
    const reply = await request({ type: 'import_connections', csv });
    if (reply?.type !== 'import_summary') {
      status.textContent = errorText(reply);
      return reply;
    }
    const [first, ...rest] = summaryLines(reply.summary);
    status.textContent = first;
    for (const line of rest) skipped.append(el(doc, 'li', {}, line));
    return reply;
  }

  jsonButton.addEventListener('click', () => exportAs('json'));
  csvButton.addEventListener('click', () => exportAs('csv'));
  file.addEventListener('change', async () => {
    await importFile(file.files?.[0]);
    file.value = '';
  });

  return { exportAs, importFile };
}
