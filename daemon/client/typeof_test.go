package client_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tactful/tactful/daemon/client"
	"github.com/tactful/tactful/protocol"
)

// Every request the daemon decodes can be sent from Go by its struct alone:
// a type missing from TypeOf would go out without its type.
func TestTypeOfKnowsEveryRequest(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "protocol", "testdata", "requests", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden requests: %v", err)
	}
	covered := map[string]bool{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		req, _, err := protocol.Decode(raw)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if got := client.TypeOf(req); got != req.RequestType() {
			t.Errorf("TypeOf(%T) = %q, want %q", req, got, req.RequestType())
		}
		covered[req.RequestType()] = true
	}
	for _, typ := range protocol.RequestTypes() {
		if !covered[typ] {
			t.Errorf("no golden request of type %s", typ)
		}
	}
}
