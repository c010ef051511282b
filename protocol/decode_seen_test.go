package protocol

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// seenSeeds are contacts_seen messages as the extension and other clients
// may write them, and near misses of each kind the fast path leaves to the
// general decoder.
func seenSeeds() []string {
	var cards []string
	for i := range 100 {
		cards = append(cards, fmt.Sprintf(`{"slug":"person-%d-x","name":"Person %d","headline":"Engineer at Company %d","connected_text":"Connected %d months ago"}`, i, i, i, 1+i%11))
	}
	batch := `{"type":"contacts_seen","id":"7","locale":"en-US","contacts":[` + strings.Join(cards, ",") + `]}`
	return []string{
		batch,
		` { "contacts" : [ { "name" : "Ada" , "slug" : "Ada-Lovelace" } ] , "type" : "contacts_seen" } ` + "\n",
		`{"type":"contacts_seen","contacts":[]}`,
		`{"type":"contacts_seen","contacts":[{}]}`,
		`{"type":"contacts_seen","contacts":null}`,
		`{"type":"contacts_seen"}`,
		`{"type":"contacts_seen","id":null,"contacts":[]}`,
		`{"type":"contacts_seen","id":7,"contacts":[]}`,
		`{"type":"contacts_seen","type":"contacts_seen","contacts":[]}`,
		`{"type":"contacts_seen","contacts":[{"slug":"ada-x","name":"Ada","name":"Bob"}]}`,
		`{"type":"contacts_seen","contacts":[{"slug":"ada-x","name":"A\u0064a"}]}`,
		`{"type":"contacts_seen","contacts":[{"slug":"ada-x","name":"Ada","extra":1}]}`,
		`{"type":"contacts_seen","contacts":[{"slug":"ada-x","name":"  Ada  ","headline":" x "}]}`,
		`{"type":"contacts_seen","contacts":[{"slug":"ada-x","name":"Ada\u202e"}]}`,
		"{\"type\":\"contacts_seen\",\"contacts\":[{\"slug\":\"ada-x\",\"name\":\"Ada\xff\"}]}",
		"{\"type\":\"contacts_seen\",\"contacts\":[{\"slug\":\"ada-x\",\"name\":\"Ada\x01\"}]}",
		`{"type":"contacts_seen","contacts":[{"slug":"jos%C3%A9-x","name":"José"}]}`,
		`{"type":"contacts_seen","contacts":[{"slug":"../etc","name":"x"}]}`,
		`{"type":"contacts_seen","contacts":[]}{}`,
		`{"type":"contacts_seen","contacts":[],}`,
		`{"type":"contacts_seen","contacts":[{"slug":"ada-x","name":"Ada"},]}`,
		`{"Type":"contacts_seen","contacts":[]}`,
		`{"type":"ping"}`,
		`{"type":"contacts_seen","locale":"` + strings.Repeat("x", 40) + `","contacts":[]}`,
		`{"type":"contacts_seen","id":"` + strings.Repeat("i", MaxIDChars+1) + `","contacts":[]}`,
	}
}

// TestDecodeSeenFastReadsTheExtensionsBatches: the fast path does read
// the messages the extension sends (else it would only cost time), and
// gives what the general decoder gives.
func TestDecodeSeenFastReadsTheExtensionsBatches(t *testing.T) {
	golden, err := os.ReadFile(filepath.Join("testdata", "requests", "contacts_seen.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range []string{string(golden), seenSeeds()[0], seenSeeds()[1], seenSeeds()[2]} {
		fast, ok := decodeSeenFast([]byte(msg))
		if !ok {
			t.Errorf("the fast path left %.80q to the general decoder", msg)
			continue
		}
		checkSameAsGeneral(t, []byte(msg), fast)
	}
}

func checkSameAsGeneral(t *testing.T, data []byte, fast *ContactsSeen) {
	t.Helper()
	req, id, err := decodeGeneral(data)
	if err != nil {
		t.Fatalf("the fast path accepted %q, the general decoder refuses it: %v", data, err)
	}
	if id != fast.ID {
		t.Fatalf("%q: id %q, the general decoder's %q", data, fast.ID, id)
	}
	if !reflect.DeepEqual(req, fast) {
		t.Fatalf("%q: the fast path read\n%+v\nthe general decoder\n%+v", data, fast, req)
	}
}

// FuzzDecodeSeenFast: whatever the fast path accepts, the general decoder
// accepts as the same request.
func FuzzDecodeSeenFast(f *testing.F) {
	for _, s := range seenSeeds() {
		f.Add([]byte(s))
	}
	for _, dir := range []string{"requests", "invalid"} {
		files, _ := filepath.Glob(filepath.Join("testdata", dir, "*.json"))
		for _, file := range files {
			b, _ := os.ReadFile(file)
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if fast, ok := decodeSeenFast(data); ok {
			checkSameAsGeneral(t, data, fast)
		}
	})
}
