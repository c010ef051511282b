package transfer

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

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

// failingReader gives r's bytes, then err instead of the rest.
type failingReader struct {
	r   io.Reader
	n   int
	err error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, f.err
	}
	if len(p) > f.n {
		p = p[:f.n]
	}
	n, err := f.r.Read(p)
	f.n -= n
	return n, err
}

// However a one-pass import stops part way (the file repeats a note id
// deep inside, the file is cut short, the upload breaks), the store shows
// nothing of it and the reading goroutine is gone when ImportJSON returns.
func TestImportJSONStoppedPartWayChangesNothing(t *testing.T) {
	restoreEvery = 7
	t.Cleanup(func() { restoreEvery = restoreStep })
	// More records than the reader may run ahead of the writer, so that
	// an early refusal finds the reader waiting.
	src := open(t)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	a := protocol.Archive{Format: protocol.ArchiveFormat, Version: protocol.ArchiveVersion}
	for i := range 6000 {
		slug := fmt.Sprintf("person-%04d", i)
		a.Contacts = append(a.Contacts, protocol.Contact{Slug: slug, Name: "P", Tags: []string{},
			Notes: []protocol.Note{{ID: "n-" + slug, Text: "note", Created: now, Updated: now}}})
	}
	if _, _, err := src.Load(a); err != nil {
		t.Fatal(err)
	}
	var file bytes.Buffer
	if err := Export(src, FormatJSON, &file); err != nil {
		t.Fatal(err)
	}
	full := file.String()
	// The second contact claims the first one's note id: the Loader
	// refuses it while the reader has thousands of records to go.
	repeated := strings.Replace(full, `"id":"n-person-0001"`, `"id":"n-person-0000"`, 1)
	if repeated == full {
		t.Fatal("the export has no note n-person-0001")
	}
	for _, tt := range []struct {
		name string
		r    io.Reader
		code protocol.Code
	}{
		{"a note id twice", strings.NewReader(repeated), protocol.CodeConflict},
		{"cut short", strings.NewReader(full[:len(full)*2/3]), protocol.CodeInvalidField},
		{"the upload breaks", &failingReader{r: strings.NewReader(full), n: len(full) * 2 / 3, err: errors.New("connection reset")}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dst := open(t)
			if _, err := dst.See([]store.Sighting{{Slug: "mine-x", Name: "Mine"}}); err != nil {
				t.Fatal(err)
			}
			before, _ := dst.Stats()
			goroutines := runtime.NumGoroutine()
			_, err := ImportJSON(dst, tt.r)
			if err == nil || (tt.code != "" && protocol.ErrorCode(err) != tt.code) {
				t.Fatalf("import: %v, want code %q", err, tt.code)
			}
			if after, _ := dst.Stats(); after != before {
				t.Errorf("a stopped import changed the store: %+v -> %+v", before, after)
			}
			// The reader ended before ImportJSON returned; give the
			// runtime a moment to count it gone.
			for i := 0; runtime.NumGoroutine() > goroutines && i < 100; i++ {
				time.Sleep(10 * time.Millisecond)
			}
			if n := runtime.NumGoroutine(); n > goroutines {
				t.Errorf("%d goroutines after the import, %d before", n, goroutines)
			}
		})
	}
}

// An upload that stalls half way holds no write transaction while it
// waits: the daemon's other writes (a page's first sighting here) go on,
// and the import completes when the rest arrives.
func TestStalledUploadLetsOtherWritesThrough(t *testing.T) {
	restoreEvery = 7
	t.Cleanup(func() { restoreEvery = restoreStep })
	src := open(t)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	a := protocol.Archive{Format: protocol.ArchiveFormat, Version: protocol.ArchiveVersion}
	for i := range 3000 {
		a.Contacts = append(a.Contacts, protocol.Contact{Slug: fmt.Sprintf("person-%04d", i), Name: "P", Tags: []string{}, Notes: []protocol.Note{},
			FirstSeen: now, LastSeen: now})
	}
	if _, _, err := src.Load(a); err != nil {
		t.Fatal(err)
	}
	var file bytes.Buffer
	if err := Export(src, FormatJSON, &file); err != nil {
		t.Fatal(err)
	}

	dst := open(t)
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		_, err := ImportJSON(dst, pr)
		done <- err
	}()
	half := file.Len() / 2
	if _, err := pw.Write(file.Bytes()[:half]); err != nil {
		t.Fatal(err)
	}
	// Let the writer take what the reader made of the first half: it then
	// waits for the rest with part of a step staged.
	time.Sleep(500 * time.Millisecond)
	seen := make(chan error, 1)
	go func() {
		_, err := dst.See([]store.Sighting{{Slug: "someone-new", Name: "New"}})
		seen <- err
	}()
	select {
	case err := <-seen:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		// End the upload, so the import lets go of the store and the
		// test ends rather than hangs.
		pw.CloseWithError(errors.New("the test gave up"))
		<-done
		<-seen
		t.Fatal("a sighting waited for a stalled upload to finish")
	}
	if _, err := pw.Write(file.Bytes()[half:]); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if s, _ := dst.Stats(); s.Contacts != 3001 {
		t.Errorf("after the import the store holds %d contacts, want 3,000 and the one seen meanwhile", s.Contacts)
	}
}
