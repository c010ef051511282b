#!/usr/bin/env bash
# Installs what the tests need beyond Go, once: the extension's npm packages
# (locked by extension/package-lock.json) and Debian's chromium for the
# browser tests. Safe to run again; it does nothing when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -d extension/node_modules/jsdom || ! -d extension/node_modules/addons-linter ]]; then
  echo "deps: installing the extension's npm packages"
  (cd extension && npm ci --no-audit --no-fund --loglevel=error)
fi

if ! command -v chromium >/dev/null 2>&1; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "deps: installing Debian's chromium for the browser tests"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "deps: the browser tests need Chromium: sudo apt-get install chromium" >&2
    exit 1
  fi
fi
