package server

import (
	"testing"

	"github.com/tactful/tactful/protocol"
)

// Every request the protocol decodes has its handler, and a handler meets
// only the request type it was written for.
func TestEveryRequestHasItsHandler(t *testing.T) {
	for _, typ := range protocol.RequestTypes() {
		if typ == protocol.TypeHello {
			if _, ok := handlers[typ]; ok {
				t.Errorf("hello has a handler; the connection answers it before any")
			}
			continue
		}
		if _, ok := handlers[typ]; !ok {
			t.Errorf("no handler for %s", typ)
		}
	}
	if len(handlers) != len(protocol.RequestTypes())-1 {
		t.Errorf("%d handlers for %d request types (hello excepted)", len(handlers), len(protocol.RequestTypes())-1)
	}
	// A request filed under another type's name is a bug, reported, not a panic.
	_, _, err := handlers[protocol.TypeNoteAdd](nil, &protocol.Ping{Header: protocol.Header{Type: protocol.TypeNoteAdd}})
	if err == nil || protocol.ErrorCode(err) != protocol.CodeInternal {
		t.Errorf("a ping handed to note_add's handler: %v", err)
	}
}
