package store

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/rs/zerolog"

	"github.com/tactful/tactful/protocol"
)

// FuzzLoad feeds Load archives a user could hand-edit or an attacker could
// craft. Load either refuses with a client error and changes nothing, or
// stores what it accepted with consistent indexes; it never panics.
func FuzzLoad(f *testing.F) {
	seedDB, clk, _ := openTemp(f)
	populateTB(f, seedDB, clk)
	a, err := seedDB.Dump()
	if err != nil {
		f.Fatal(err)
	}
	seed, _ := json.Marshal(a)
	f.Add(seed)
	f.Add([]byte(`{"format":"tactful-export","version":1,"contacts":[{"slug":"ada-x","name":"A","notes":[{"id":"n","text":"t"}],"tags":["x"]}],"events":[{"id":"ffffffffffffffffffffffffffffffff","slug":"ada-x","kind":"outcome"}]}`))
	f.Add([]byte(`{"format":"tactful-export","version":1,"contacts":[{"slug":"ada-x","notes":[{"id":"n","text":"t"},{"id":"n","text":"u"}]}]}`))
	f.Add([]byte(`{"format":"tactful-export","version":2}`))

	f.Fuzz(func(t *testing.T, data []byte) {
		var a protocol.Archive
		if json.Unmarshal(data, &a) != nil {
			return
		}
		db, err := Open(filepath.Join(t.TempDir(), "t.db"), Options{Logger: zerolog.Nop()})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		see(t, db, Sighting{Slug: "zz-existing", Name: "Z"})
		if _, _, err := db.AddNote("zz-existing", "n", "mine"); err != nil {
			t.Fatal(err)
		}
		before, _ := db.Stats()

		_, _, err = db.Load(a)
		if err != nil {
			if code := protocol.ErrorCode(err); code == protocol.CodeInternal || code == protocol.CodeStorage {
				t.Fatalf("Load failed inside: %v", err)
			}
			if after, _ := db.Stats(); after != before {
				t.Fatalf("a refused Load changed the store: %+v -> %+v", before, after)
			}
			return
		}
		dump, err := db.Dump()
		if err != nil {
			t.Fatal(err)
		}
		notes := 0
		for _, c := range dump.Contacts {
			notes += len(c.Notes)
		}
		st, _ := db.Stats()
		if st.Notes != notes || st.Contacts != len(dump.Contacts) || st.Events != len(dump.Events) {
			t.Fatalf("Stats %+v disagree with the dump: %d contacts, %d notes, %d events", st, len(dump.Contacts), notes, len(dump.Events))
		}
		// The store keeps working: a new event gets a fresh id.
		if _, err := db.See([]Sighting{{Slug: "zz-after", Name: "After"}}); err != nil {
			t.Fatalf("See after Load: %v", err)
		}
	})
}
