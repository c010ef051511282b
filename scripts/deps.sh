#!/usr/bin/env bash
# Installs what the tests need beyond Go, once: the extension's npm packages
# (locked by extension/package-lock.json; puppeteer-core drives Firefox) and
# Debian's chromium and firefox-esr for the browser tests. Safe to run again;
# it does nothing when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -d extension/node_modules/jsdom || ! -d extension/node_modules/addons-linter || ! -d extension/node_modules/puppeteer-core ]]; then
  echo "deps: installing the extension's npm packages"
  (cd extension && npm ci --no-audit --no-fund --loglevel=error)
fi

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[[ -x /usr/bin/firefox-esr || -n ${TACTFUL_FIREFOX:-} ]] || missing+=(firefox-esr)
if [[ ${#missing[@]} -gt 0 ]]; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "deps: installing Debian's ${missing[*]} for the browser tests"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  elif [[ " ${missing[*]} " == *" chromium "* ]]; then
    echo "deps: the browser tests need Chromium: sudo apt-get install ${missing[*]}" >&2
    exit 1
  else
    # The Firefox test skips, saying why, when it is not root or CI.
    echo "deps: the Firefox test needs Firefox ESR: sudo apt-get install firefox-esr (it skips without)" >&2
  fi
fi
