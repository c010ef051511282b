// Package e2e holds tactful's end-to-end tests: headless Chromium with the
// real unpacked extension (extension/) against the real daemon, started in
// process on 127.0.0.1 with a home in a temporary directory.
//
// The repository's LinkedIn-shaped pages, e2e/testdata/linkedin (written by
// pages_test.go; see the README there), are served at
// LinkedIn's real Connections address by answering the browser's own request
// (the DevTools Fetch domain), so the extension's content_scripts matches
// apply as they do on linkedin.com. Every other request a page makes is
// failed, and the browser resolves no host name but 127.0.0.1: the tests
// never reach the network. The extension's WebSocket to the daemon is not a
// request the Fetch domain sees, so it passes.
//
// Run them with `go test ./e2e/`. They need Chromium (Debian's
// /usr/bin/chromium, or $TACTFUL_CHROMIUM); without one they skip, except
// under CI where they fail. TACTFUL_SCREENSHOTS=1 (`make screenshots`) also
// writes the PNGs in docs/img.
package e2e
