# tactful: `make run` serves the daemon, `make test` runs every test.
# Everything here runs from a fresh clone; `make deps` installs what is missing.

GO        ?= go
BIN       := bin/tactful
PKG_CMD   := ./daemon/cmd/tactful
FUZZTIME  ?= 2m
SOAKCYCLES ?= 50
# The version tactful reports (welcome, status, the popup): the commit it was built from.
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)

.PHONY: all build run test fuzz-short test-go test-extension test-firefox lint-extension deps fuzz bench soak screenshots dist clean

all: build

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) $(PKG_CMD)

## run: build and serve with the default home (~/.local/share/tactful) on 127.0.0.1:47291
run: build
	./$(BIN) serve

## test: every test: Go (unit, server, CLI, Chromium end-to-end), a short fuzz, the extension's unit tests,
## the Firefox end-to-end test and lint
test: deps test-go fuzz-short test-extension test-firefox lint-extension

test-go:
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 12m ./...

# A short run of every fuzz target; `make fuzz` runs them longer.
fuzz-short:
	@$(MAKE) --no-print-directory fuzz FUZZTIME=5s

fuzz:
	@GO=$(GO) FUZZTIME=$(FUZZTIME) scripts/fuzz.sh

test-extension:
	cd extension && npm test

# Headless Firefox ESR with the real extension and daemon (e2e/firefox).
test-firefox:
	node --test e2e/firefox/

lint-extension:
	cd extension && npm run lint

## deps: what the tests need beyond Go: the extension's npm packages, Debian's chromium and firefox-esr
deps:
	@scripts/deps.sh

## bench: the speed and memory benchmarks of docs/benchmarks.md
bench:
	@scripts/bench.sh

## soak: many kill -9 / restart cycles of the daemon under writers
soak:
	TACTFUL_SOAK_CYCLES=$(SOAKCYCLES) $(GO) test -count=1 -run 'TestCrash' -timeout 60m -v ./daemon/crashtest/

## screenshots: PNGs of the badges, composer, reminder, popup and review page into docs/img
screenshots: deps
	TACTFUL_SCREENSHOTS=1 $(GO) test -count=1 -run TestScreenshots -v ./e2e/

## dist: release packages in dist/: the daemon for linux, darwin, windows x amd64, arm64,
## the extension zips for the Chrome Web Store and addons.mozilla.org, SHA256SUMS.
## The same commit gives the same bytes (scripts/dist says how; its test checks it).
dist:
	rm -rf dist
	$(GO) run ./scripts/dist -out dist -version $(VERSION)

clean:
	rm -rf bin dist
