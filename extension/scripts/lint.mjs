#!/usr/bin/env node
// Runs Mozilla's addons-linter on the files the extension ships, and only
// those: a temporary copy without node_modules/, test/, scripts/ and the
// npm files, which the linter would otherwise scan (for minutes, and
// noisily).
//
// It fails (exit 1) on any error, and on any warning that is not one of
// the known ones below: the linter's own exit code ignores warnings, and
// warnings include real problems such as innerHTML assignments
// (UNSAFE_VAR_ASSIGNMENT). `npm run lint -- --all-warnings` fails on every
// warning; `npm run lint -- --json` prints the linter's JSON report.

import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const notShipped = new Set(['node_modules', 'test', 'scripts', 'package.json', 'package-lock.json', 'README.md', 'web-ext-artifacts']);

// Warnings our manifest produces on purpose, with the reason.
const expectedWarnings = new Map([
  // One manifest for both browsers: Chromium uses service_worker, Firefox
  // the background.scripts next to it (STYLE.md 13).
  ['BACKGROUND_SERVICE_WORKER_IGNORED', 'Firefox uses background.scripts from the same manifest'],
]);

const flags = new Set(process.argv.slice(2));

function lint(dir) {
  const linter = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'addons-linter.cmd' : 'addons-linter');
  // --self-hosted: tactful is not listed on addons.mozilla.org, so AMO's
  // hosting rules do not apply.
  const run = spawnSync(linter, ['--self-hosted', '--output', 'json', dir], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (run.error) throw new Error(`cannot run addons-linter (${run.error.message}); run npm install in extension/`);
  try {
    return { report: JSON.parse(run.stdout), status: run.status };
  } catch {
    throw new Error(`addons-linter exited ${run.status} without a report:\n${run.stdout}${run.stderr}`);
  }
}

const copy = mkdtempSync(join(tmpdir(), 'tactful-lint-'));
let exit = 2;
try {
  for (const name of readdirSync(root)) {
    if (notShipped.has(name) || name.startsWith('.')) continue;
    cpSync(join(root, name), join(copy, name), { recursive: true, filter: (src) => !src.split(/[\\/]/).pop().startsWith('.') });
  }
  const { report, status } = lint(copy);
  if (flags.has('--json')) console.log(JSON.stringify(report, null, 2));

  const where = (m) => (m.file ? ` ${m.file}${m.line ? `:${m.line}` : ''}${m.column ? `:${m.column}` : ''}` : '');
  const failing = [];
  for (const m of report.errors ?? []) failing.push(m);
  for (const m of report.warnings ?? []) {
    if (!flags.has('--all-warnings') && expectedWarnings.has(m.code)) {
      console.log(`expected warning ${m.code}:${where(m)} ${m.message} (${expectedWarnings.get(m.code)})`);
    } else {
      failing.push(m);
    }
  }
  for (const m of report.notices ?? []) console.log(`notice ${m.code}:${where(m)} ${m.message}`);
  for (const m of failing) {
    const level = (report.errors ?? []).includes(m) ? 'error' : 'warning';
    console.error(`${level} ${m.code}:${where(m)} ${m.message}\n    ${String(Array.isArray(m.description) ? m.description.join(' ') : m.description ?? '').replace(/\s+/g, ' ')}`);
  }
  const s = report.summary ?? {};
  console.log(`addons-linter: ${s.errors ?? 0} errors, ${s.warnings ?? 0} warnings, ${s.notices ?? 0} notices; ${failing.length} fail the build.`);
  exit = failing.length > 0 || status !== 0 ? 1 : 0;
} catch (err) {
  console.error(`lint: ${err.message}`);
} finally {
  rmSync(copy, { recursive: true, force: true });
}
process.exit(exit);
