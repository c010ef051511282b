package protocol

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite generated files (extension/lib/protocol.js)")

// jsConstantsPath is the extension's copy of this package's constants.
var jsConstantsPath = filepath.Join("..", "extension", "lib", "protocol.js")

func jsConstants(t *testing.T) []byte {
	t.Helper()
	data, err := json.MarshalIndent(Constants(), "  ", "  ")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	b.WriteString(`// Code generated from package protocol by protocol/constants_test.go; DO NOT EDIT.
// Regenerate with: go test ./protocol -run TestJSConstants -update
//
// The wire protocol's constants, for every part of the extension: a classic
// script (the background, where it sets tactful.protocol), a CommonJS module
// (the tests' require) and a side-effect import for ES modules (the popup,
// which then reads globalThis.tactful.protocol).
(function (root) {
  'use strict';
  const protocol = Object.freeze(`)
	b.Write(data)
	b.WriteString(`);
  root.tactful = Object.assign(root.tactful || {}, { protocol });
  if (typeof module === 'object' && module.exports) module.exports = protocol;
})(globalThis);
`)
	return b.Bytes()
}

// The extension's constants are the protocol's: change one in Go, run the
// test with -update, and the JS follows; forget, and this fails.
func TestJSConstants(t *testing.T) {
	want := jsConstants(t)
	if *update {
		if err := os.WriteFile(jsConstantsPath, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(jsConstantsPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is not what package protocol generates; run go test ./protocol -run TestJSConstants -update", jsConstantsPath)
	}
}
