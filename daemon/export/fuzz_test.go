package export

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/tactful/tactful/protocol"
)

// FuzzReadJSON feeds ReadJSON hostile files: it must never panic, every
// error must have a code, and whatever it accepts must survive a round trip.
func FuzzReadJSON(f *testing.F) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, archive()); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte(`{"format":"tactful-export","version":1,"contacts":[],"events":[]}`))
	f.Add([]byte(`{"format":"tactful-export","version":1,"contacts":[],"events":[{"seq":3,"at":"2026-01-02T03:04:05Z","slug":"ada-x","kind":"outcome","name":"A","summary":"s"}]}`))
	f.Add([]byte(`{"format":"other","version":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ReadJSON(bytes.NewReader(data))
		if err != nil {
			var pe *protocol.Error
			if !errors.As(err, &pe) {
				t.Fatalf("error without a code: %v", err)
			}
			return
		}
		var out bytes.Buffer
		if err := WriteJSON(&out, a); err != nil {
			t.Fatal(err)
		}
		b, err := ReadJSON(&out)
		if err != nil {
			t.Fatalf("an accepted archive does not read back: %v", err)
		}
		// WriteJSON writes the current version whatever version was read.
		b.Version = a.Version
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("round trip changed the archive")
		}
		if err := WriteCSV(&out, a); err != nil {
			t.Fatal(err)
		}
	})
}
