package transfer

import (
	"bytes"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/tactful/tactful/daemon/store"
	"github.com/tactful/tactful/protocol"
)

func open(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "tactful.db"), store.Options{Logger: zerolog.New(zerolog.NewTestWriter(t))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// onlyReader hides Seek, as a request body does.
type onlyReader struct{ io.Reader }

// A restore committed in steps ends as one in a single transaction would,
// whether the file can seek or must be kept aside first.
func TestImportJSONInSteps(t *testing.T) {
	restoreEvery = 7
	t.Cleanup(func() { restoreEvery = restoreStep })
	src := open(t)
	for i := range 30 {
		slug := "person-" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		if _, err := src.See([]store.Sighting{{Slug: slug, Name: "P"}}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := src.AddNote(slug, "n-"+slug, "note"); err != nil {
			t.Fatal(err)
		}
	}
	var file bytes.Buffer
	if err := Export(src, FormatJSON, &file); err != nil {
		t.Fatal(err)
	}
	for _, r := range []io.Reader{bytes.NewReader(file.Bytes()), onlyReader{bytes.NewReader(file.Bytes())}} {
		dst := open(t)
		sum, err := ImportJSON(dst, r)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := src.Stats()
		got, _ := dst.Stats()
		if sum.Added != 30 || got != want {
			t.Errorf("%T: added %d, stats %+v, want 30 and %+v", r, sum.Added, got, want)
		}
		evs, _, err := dst.History(store.HistoryQuery{Slug: "person-ab"})
		if err != nil || len(evs) != 2 {
			t.Errorf("%T: person-ab has %d events (%v), want 2: the per-contact index is incomplete", r, len(evs), err)
		}
	}
}

// A note id the store gives to a contact the file does not replace is a
// conflict found before anything is written.
func TestImportJSONConflictChangesNothing(t *testing.T) {
	db := open(t)
	if _, err := db.See([]store.Sighting{{Slug: "mine-x", Name: "Mine"}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.AddNote("mine-x", "n1", "my note"); err != nil {
		t.Fatal(err)
	}
	before, _ := db.Stats()
	file := `{"format":"tactful-export","version":2,"contacts":[{"slug":"theirs-y","name":"T","tags":[],"notes":[{"id":"n1","text":"theirs"}]}],"events":[]}`
	_, err := ImportJSON(db, strings.NewReader(file))
	if protocol.ErrorCode(err) != protocol.CodeConflict {
		t.Fatalf("import: %v, want a conflict", err)
	}
	if after, _ := db.Stats(); after != before {
		t.Errorf("a refused import changed the store: %+v -> %+v", before, after)
	}
}
