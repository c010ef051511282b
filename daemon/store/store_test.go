package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	bolt "go.etcd.io/bbolt"

	"github.com/tactful/tactful/protocol"
)

// fakeClock is the injected clock: tests move it by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func openAt(t testing.TB, path string, clk *fakeClock) *DB {
	t.Helper()
	db, err := Open(path, Options{Now: clk.Now, Logger: testLogger(t)})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func testLogger(t testing.TB) zerolog.Logger {
	if tt, ok := t.(*testing.T); ok {
		return zerolog.New(zerolog.NewTestWriter(tt))
	}
	return zerolog.Nop()
}

func openTemp(t testing.TB) (*DB, *fakeClock, string) {
	t.Helper()
	clk := newClock()
	path := filepath.Join(t.TempDir(), "home", "tactful.db")
	return openAt(t, path, clk), clk, path
}

func see(t testing.TB, db *DB, s ...Sighting) []protocol.Contact {
	t.Helper()
	out, err := db.See(s)
	if err != nil {
		t.Fatalf("See: %v", err)
	}
	return out
}

func wantCode(t *testing.T, err error, code protocol.Code) {
	t.Helper()
	if got := protocol.ErrorCode(err); got != code {
		t.Fatalf("error = %v (code %q), want code %q", err, got, code)
	}
}

func history(t *testing.T, db *DB, q HistoryQuery) []protocol.Event {
	t.Helper()
	evs, _, err := db.History(q)
	if err != nil {
		t.Fatalf("History: %v", err)
	}
	return evs
}

func kinds(evs []protocol.Event) []protocol.EventKind {
	out := []protocol.EventKind{}
	for _, e := range evs {
		out = append(out, e.Kind)
	}
	return out
}

func TestOpenCreatesPrivateFiles(t *testing.T) {
	_, _, path := openTemp(t)
	for _, c := range []struct {
		path string
		mode os.FileMode
	}{{filepath.Dir(path), 0o700}, {path, 0o600}} {
		fi, err := os.Stat(c.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != c.mode {
			t.Errorf("%s has mode %o, want %o", c.path, got, c.mode)
		}
	}
}

func TestSeeAddsThenUpdates(t *testing.T) {
	db, clk, _ := openTemp(t)
	first := clk.Now()
	got := see(t, db,
		Sighting{Slug: "ada-x", Name: "Ada", Headline: "Engineer", ConnectedText: "Connected 2 weeks ago", ConnectedOn: "2026-11-15", ConnectedSource: protocol.DateFromPageRelative},
		Sighting{Slug: "bob-y", Name: "Bob"},
	)
	if len(got) != 2 || got[0].Slug != "ada-x" || got[1].Slug != "bob-y" {
		t.Fatalf("See returned %+v, want ada-x then bob-y", got)
	}
	if !got[0].FirstSeen.Equal(first) || !got[0].LastSeen.Equal(first) {
		t.Errorf("new contact seen %v/%v, want both %v", got[0].FirstSeen, got[0].LastSeen, first)
	}
	if got[0].Tags == nil || got[0].Notes == nil {
		t.Errorf("a new contact must carry empty lists, not nil: %+v", got[0])
	}

	if _, _, err := db.AddNote("ada-x", "n1", "met at a conference"); err != nil {
		t.Fatal(err)
	}
	tags := []string{"inactive"}
	status := protocol.StatusReviewing
	if _, err := db.SetTags("ada-x", &tags, &status); err != nil {
		t.Fatal(err)
	}

	clk.Advance(24 * time.Hour)
	got = see(t, db, Sighting{Slug: "bob-y", Name: "Bob Y"}, Sighting{Slug: "ada-x", Name: "Ada L", Headline: "CTO"})
	if got[0].Slug != "bob-y" || got[1].Slug != "ada-x" {
		t.Fatalf("See must answer in input order, got %s, %s", got[0].Slug, got[1].Slug)
	}
	ada := got[1]
	if ada.Name != "Ada L" || ada.Headline != "CTO" || !ada.LastSeen.Equal(clk.Now()) || !ada.FirstSeen.Equal(first) {
		t.Errorf("seen again: %+v", ada)
	}
	if ada.ConnectedText != "Connected 2 weeks ago" {
		t.Errorf("a card without a date erased the stored text: %q", ada.ConnectedText)
	}
	if len(ada.Notes) != 1 || !reflect.DeepEqual(ada.Tags, tags) || ada.Status != status {
		t.Errorf("seen again lost notes, tags or status: %+v", ada)
	}
	stored, err := db.Contact("ada-x")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(stored, ada) {
		t.Errorf("Contact = %+v\nSee returned %+v", stored, ada)
	}
	evs := history(t, db, HistoryQuery{Kinds: []protocol.EventKind{protocol.EventFirstSeen}})
	if len(evs) != 2 {
		t.Errorf("got %d first_seen events, want 2 (seeing again adds none)", len(evs))
	}
}

// A page shown again as it was, the same day, costs no write: many tabs
// scrolling the list must not queue behind each other's fsyncs. A change, or
// the first sighting of a new day, still writes.
func TestSeeUnchangedSameDayDoesNotWrite(t *testing.T) {
	db, clk, _ := openTemp(t)
	batch := []Sighting{
		{Slug: "ada-x", Name: "Ada", Headline: "Engineer", ConnectedText: "Connected on June 29, 2024", ConnectedOn: "2024-06-29", ConnectedSource: protocol.DateFromPageAbsolute},
		{Slug: "bob-y", Name: "Bob"},
	}
	see(t, db, batch...)
	// bbolt counts the pages it wrote; a read-only answer writes none.
	commits := func() int64 {
		st := db.bolt.Stats()
		return st.TxStats.GetWrite()
	}
	before := commits()
	clk.Advance(3 * time.Hour)
	again := see(t, db, batch...)
	if got := commits(); got != before {
		t.Errorf("an unchanged batch wrote %d pages", got-before)
	}
	if again[0].Name != "Ada" || again[0].ConnectedOn != "2024-06-29" {
		t.Errorf("answered %+v", again[0])
	}

	batch[1].Headline = "Now at Acme"
	see(t, db, batch...)
	if commits() == before {
		t.Error("a changed headline was not written")
	}
	if c, _ := db.Contact("bob-y"); c.Headline != "Now at Acme" {
		t.Errorf("headline %q", c.Headline)
	}

	before = commits()
	clk.Advance(24 * time.Hour)
	see(t, db, batch...)
	if commits() == before {
		t.Error("the first sighting of a new day did not record LastSeen")
	}
	if c, _ := db.Contact("ada-x"); !c.LastSeen.Equal(clk.Now()) {
		t.Errorf("LastSeen %v, want %v", c.LastSeen, clk.Now())
	}
}

func TestSeeRefusesBadInput(t *testing.T) {
	db, _, _ := openTemp(t)
	for _, c := range []struct {
		name string
		s    Sighting
		code protocol.Code
	}{
		{"empty slug", Sighting{Name: "x"}, protocol.CodeMissingField},
		{"path trick", Sighting{Slug: "../etc", Name: "x"}, protocol.CodeInvalidSlug},
		{"not canonical", Sighting{Slug: "Ada-X", Name: "x"}, protocol.CodeInvalidSlug},
		{"bad date", Sighting{Slug: "ada-x", Name: "x", ConnectedOn: "June 2024", ConnectedSource: protocol.DateFromPageAbsolute}, protocol.CodeInvalidField},
		{"date without source", Sighting{Slug: "ada-x", Name: "x", ConnectedOn: "2024-06-29"}, protocol.CodeInvalidField},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := db.See([]Sighting{{Slug: "ok-slug", Name: "fine"}, c.s})
			wantCode(t, err, c.code)
		})
	}
	if st, _ := db.Stats(); st.Contacts != 0 {
		t.Errorf("a refused batch stored %d contacts", st.Contacts)
	}
}

func TestConnectedDatePrecedence(t *testing.T) {
	const (
		rel = protocol.DateFromPageRelative
		abs = protocol.DateFromPageAbsolute
		imp = protocol.DateFromImport
	)
	for _, c := range []struct {
		name             string
		storedDay        string
		storedSrc        protocol.DateSource
		day              string
		src              protocol.DateSource
		wantDay          string
		wantSrc          protocol.DateSource
		viaImport, empty bool
	}{
		{name: "estimate fills empty", day: "2026-01-01", src: rel, wantDay: "2026-01-01", wantSrc: rel, empty: true},
		{name: "estimate replaces estimate", storedDay: "2026-01-01", storedSrc: rel, day: "2026-01-08", src: rel, wantDay: "2026-01-08", wantSrc: rel},
		{name: "estimate never replaces page date", storedDay: "2024-06-29", storedSrc: abs, day: "2024-07-01", src: rel, wantDay: "2024-06-29", wantSrc: abs},
		{name: "estimate never replaces import", storedDay: "2024-03-05", storedSrc: imp, day: "2024-03-01", src: rel, wantDay: "2024-03-05", wantSrc: imp, viaImport: true},
		{name: "page date replaces estimate", storedDay: "2024-07-01", storedSrc: rel, day: "2024-06-29", src: abs, wantDay: "2024-06-29", wantSrc: abs},
		{name: "no date keeps the stored one", storedDay: "2024-06-29", storedSrc: abs, wantDay: "2024-06-29", wantSrc: abs},
		{name: "import replaces estimate", storedDay: "2024-07-01", storedSrc: rel, day: "2024-06-29", src: imp, wantDay: "2024-06-29", wantSrc: imp},
		{name: "import keeps a page date", storedDay: "2024-06-29", storedSrc: abs, day: "2024-06-28", src: imp, wantDay: "2024-06-29", wantSrc: abs},
	} {
		t.Run(c.name, func(t *testing.T) {
			db, _, _ := openTemp(t)
			switch {
			case c.empty:
				see(t, db, Sighting{Slug: "ada-x", Name: "Ada"})
			case c.viaImport:
				if _, _, err := db.Import([]ImportedContact{{Slug: "ada-x", Name: "Ada", ConnectedOn: c.storedDay}}); err != nil {
					t.Fatal(err)
				}
			default:
				see(t, db, Sighting{Slug: "ada-x", Name: "Ada", ConnectedOn: c.storedDay, ConnectedSource: c.storedSrc})
			}
			var got protocol.Contact
			if c.src == imp {
				if _, _, err := db.Import([]ImportedContact{{Slug: "ada-x", Name: "Ada", ConnectedOn: c.day}}); err != nil {
					t.Fatal(err)
				}
				var err error
				if got, err = db.Contact("ada-x"); err != nil {
					t.Fatal(err)
				}
			} else {
				got = see(t, db, Sighting{Slug: "ada-x", Name: "Ada", ConnectedOn: c.day, ConnectedSource: c.src})[0]
			}
			if got.ConnectedOn != c.wantDay || got.ConnectedSource != c.wantSrc {
				t.Errorf("connected %s (%s), want %s (%s)", got.ConnectedOn, got.ConnectedSource, c.wantDay, c.wantSrc)
			}
		})
	}
}

func TestNotFound(t *testing.T) {
	db, _, _ := openTemp(t)
	see(t, db, Sighting{Slug: "bob-y", Name: "Bob"})
	tags := []string{"x"}
	for _, c := range []struct {
		name string
		call func() error
		msg  string
	}{
		{"contact", func() error { _, err := db.Contact("ada-x"); return err }, "No contact ada-x is stored yet."},
		{"add note", func() error { _, _, err := db.AddNote("ada-x", "n1", "t"); return err }, "No contact ada-x is stored yet."},
		{"edit note", func() error { _, _, err := db.EditNote("bob-y", "n1", "t"); return err }, "Contact bob-y has no note n1."},
		{"delete note", func() error { _, err := db.DeleteNote("bob-y", "n1"); return err }, "Contact bob-y has no note n1."},
		{"tags", func() error { _, err := db.SetTags("ada-x", &tags, nil); return err }, "No contact ada-x is stored yet."},
		{"fallout", func() error { _, err := db.MarkFallout("ada-x", "2026-12-13", ""); return err }, "No contact ada-x is stored yet."},
		{"reminder", func() error { _, err := db.RecordReminder("ada-x"); return err }, "No contact ada-x is stored yet."},
		{"outcome", func() error { _, err := db.RecordOutcome("ada-x", protocol.OutcomeKept); return err }, "No contact ada-x is stored yet."},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.call()
			wantCode(t, err, protocol.CodeNotFound)
			if protocol.ErrorMessage(err) != c.msg {
				t.Errorf("message %q, want %q", protocol.ErrorMessage(err), c.msg)
			}
		})
	}
	if st, _ := db.Stats(); st.Events != 1 {
		t.Errorf("failed calls left events: %d, want only the first_seen", st.Events)
	}
}

func TestNotes(t *testing.T) {
	db, clk, _ := openTemp(t)
	see(t, db, Sighting{Slug: "ada-x", Name: "Ada"}, Sighting{Slug: "bob-y", Name: "Bob"})

	c, n, err := db.AddNote("ada-x", "n1", "met at a conference")
	if err != nil {
		t.Fatal(err)
	}
	if n.ID != "n1" || n.Text != "met at a conference" || !n.Created.Equal(clk.Now()) || len(c.Notes) != 1 {
		t.Fatalf("AddNote = %+v, %+v", c, n)
	}

	t.Run("a retry returns the stored note and adds nothing", func(t *testing.T) {
		clk.Advance(time.Minute)
		c2, n2, err := db.AddNote("ada-x", "n1", "met at a conference")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(n2, n) || len(c2.Notes) != 1 {
			t.Errorf("retry gave %+v with %d notes, want %+v alone", n2, len(c2.Notes), n)
		}
		if evs := history(t, db, HistoryQuery{Kinds: []protocol.EventKind{protocol.EventNoteAdded}}); len(evs) != 1 {
			t.Errorf("retry added an event: %d note_added", len(evs))
		}
	})
	t.Run("an id of another contact is a conflict", func(t *testing.T) {
		_, _, err := db.AddNote("bob-y", "n1", "other")
		wantCode(t, err, protocol.CodeConflict)
		bob, _ := db.Contact("bob-y")
		if len(bob.Notes) != 0 {
			t.Errorf("conflict stored a note on bob-y")
		}
	})
	t.Run("edit", func(t *testing.T) {
		clk.Advance(time.Minute)
		c, n, err := db.EditNote("ada-x", "n1", "met at GopherCon")
		if err != nil {
			t.Fatal(err)
		}
		if n.Text != "met at GopherCon" || !n.Updated.Equal(clk.Now()) || n.Created.Equal(n.Updated) || c.Notes[0] != n {
			t.Errorf("EditNote = %+v in %+v", n, c.Notes)
		}
		if _, _, err := db.EditNote("ada-x", "n1", "met at GopherCon"); err != nil {
			t.Fatal(err)
		}
		if evs := history(t, db, HistoryQuery{Kinds: []protocol.EventKind{protocol.EventNoteEdited}}); len(evs) != 1 {
			t.Errorf("saving the same text again added an event: %d note_edited", len(evs))
		}
	})
	t.Run("delete keeps the text in the history", func(t *testing.T) {
		c, err := db.DeleteNote("ada-x", "n1")
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Notes) != 0 {
			t.Errorf("note still there: %+v", c.Notes)
		}
		evs := history(t, db, HistoryQuery{Slug: "ada-x"})
		want := []protocol.EventKind{protocol.EventNoteDeleted, protocol.EventNoteEdited, protocol.EventNoteAdded, protocol.EventFirstSeen}
		if !reflect.DeepEqual(kinds(evs), want) {
			t.Fatalf("history %v, want %v", kinds(evs), want)
		}
		del := evs[0]
		if del.NoteID != "n1" || del.Text != "met at GopherCon" || del.Summary != "Note deleted" || del.Name != "Ada" {
			t.Errorf("note_deleted event = %+v", del)
		}
		if st, _ := db.Stats(); st.Notes != 0 {
			t.Errorf("Stats.Notes = %d after delete", st.Notes)
		}
		// The id is free again once its note is gone.
		if _, _, err := db.AddNote("bob-y", "n1", "now bob's"); err != nil {
			t.Errorf("reusing a deleted note's id: %v", err)
		}
	})
}

func TestConcurrentNotesAreAllStored(t *testing.T) {
	db, _, path := openTemp(t)
	const writers, perWriter = 20, 15
	var sightings []Sighting
	for w := range writers {
		sightings = append(sightings, Sighting{Slug: fmt.Sprintf("person-%02d", w), Name: "P"})
	}
	see(t, db, sightings...)
	var wg sync.WaitGroup
	errs := make(chan error, writers*perWriter)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				slug := fmt.Sprintf("person-%02d", w)
				// Every note is sent twice, as a client retrying a lost reply would.
				for range 2 {
					if _, _, err := db.AddNote(slug, fmt.Sprintf("w%d-n%d", w, i), "text"); err != nil {
						errs <- err
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openAt(t, path, newClock())
	st, err := db.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Notes != writers*perWriter || st.Events != writers+writers*perWriter {
		t.Errorf("after reopening: %+v, want %d notes and %d events", st, writers*perWriter, writers+writers*perWriter)
	}
	c, _ := db.Contact("person-07")
	if len(c.Notes) != perWriter {
		t.Errorf("person-07 has %d notes, want %d", len(c.Notes), perWriter)
	}
}

func TestSetTagsAndStatus(t *testing.T) {
	db, _, _ := openTemp(t)
	see(t, db, Sighting{Slug: "ada-x", Name: "Ada"}, Sighting{Slug: "bob-y", Name: "Bob"})
	ptr := func(tags ...string) *[]string { return &tags }
	st := func(s protocol.Status) *protocol.Status { return &s }
	for _, c := range []struct {
		name       string
		slug       string
		tags       *[]string
		status     *protocol.Status
		wantTags   []string
		wantStatus protocol.Status
		summaries  []string // new events, newest first
		inUse      []string
	}{
		{"set tags", "ada-x", ptr("Inactive", "reputation", "inactive"), nil, []string{"inactive", "reputation"}, "",
			[]string{"Tags set to inactive, reputation"}, []string{"inactive", "reputation"}},
		{"same tags again", "ada-x", ptr("inactive", "reputation"), nil, []string{"inactive", "reputation"}, "",
			nil, []string{"inactive", "reputation"}},
		{"status only", "ada-x", nil, st(protocol.StatusReviewing), []string{"inactive", "reputation"}, protocol.StatusReviewing,
			[]string{"Status: reviewing"}, []string{"inactive", "reputation"}},
		{"another contact", "bob-y", ptr("inactive", "keep"), st(protocol.StatusKeep), []string{"inactive", "keep"}, protocol.StatusKeep,
			[]string{"Status: keep", "Tags set to inactive, keep"}, []string{"inactive", "keep", "reputation"}},
		{"both, status unchanged", "ada-x", ptr("inactive"), st(protocol.StatusReviewing), []string{"inactive"}, protocol.StatusReviewing,
			[]string{"Tags set to inactive"}, []string{"inactive", "keep"}},
		{"clear", "ada-x", ptr(), st(protocol.StatusNone), []string{}, "",
			[]string{"Status cleared", "Tags cleared"}, []string{"inactive", "keep"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			before, _ := db.Stats()
			got, err := db.SetTags(c.slug, c.tags, c.status)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Tags, c.wantTags) || got.Status != c.wantStatus {
				t.Errorf("got tags %q status %q, want %q %q", got.Tags, got.Status, c.wantTags, c.wantStatus)
			}
			after, _ := db.Stats()
			evs := history(t, db, HistoryQuery{Limit: after.Events - before.Events})
			if after.Events == before.Events {
				evs = nil
			}
			var summaries []string
			for _, e := range evs {
				summaries = append(summaries, e.Summary)
			}
			if !reflect.DeepEqual(summaries, c.summaries) {
				t.Errorf("new events %q, want %q", summaries, c.summaries)
			}
			inUse, err := db.Tags()
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(inUse, c.inUse) {
				t.Errorf("Tags() = %q, want %q", inUse, c.inUse)
			}
		})
	}
	t.Run("bad status", func(t *testing.T) {
		_, err := db.SetTags("ada-x", nil, st("enemy"))
		wantCode(t, err, protocol.CodeInvalidField)
	})
}

func TestFalloutReminderOutcome(t *testing.T) {
	db, clk, _ := openTemp(t)
	see(t, db, Sighting{Slug: "ada-x", Name: "Ada"})

	c, err := db.MarkFallout("ada-x", "2026-12-13", "argued about tabs")
	if err != nil {
		t.Fatal(err)
	}
	if c.FalloutAt == nil || !c.FalloutAt.Equal(clk.Now()) || c.CooldownUntil != "2026-12-13" {
		t.Errorf("MarkFallout = %+v", c)
	}
	if _, err := db.MarkFallout("ada-x", "soon", ""); protocol.ErrorCode(err) != protocol.CodeInvalidField {
		t.Errorf("a bad until date: %v", err)
	}
	if _, err := db.RecordReminder("ada-x"); err != nil {
		t.Fatal(err)
	}
	evs := history(t, db, HistoryQuery{Limit: 2})
	if evs[0].Summary != "Removal reminder shown" || evs[1].Summary != "Disagreement marked; cool-down until 2026-12-13" ||
		evs[1].Until != "2026-12-13" || evs[1].Text != "argued about tabs" {
		t.Errorf("events %+v", evs)
	}

	for _, o := range []struct {
		outcome    protocol.Outcome
		before     protocol.Status
		wantStatus protocol.Status
		summary    string
	}{
		{protocol.OutcomeKept, protocol.StatusReviewing, protocol.StatusReviewing, "Kept the connection"},
		{protocol.OutcomeUnfollowed, protocol.StatusReviewing, protocol.StatusUnfollowed, "Unfollowed instead"},
		{protocol.OutcomeRemoved, protocol.StatusRemovalPlanned, protocol.StatusRemoved, "Removed the connection"},
	} {
		t.Run(string(o.outcome), func(t *testing.T) {
			if _, err := db.SetTags("ada-x", nil, &o.before); err != nil {
				t.Fatal(err)
			}
			c, err := db.RecordOutcome("ada-x", o.outcome)
			if err != nil {
				t.Fatal(err)
			}
			if c.Status != o.wantStatus {
				t.Errorf("status %q, want %q", c.Status, o.wantStatus)
			}
			stored, _ := db.Contact("ada-x")
			if stored.Status != o.wantStatus {
				t.Errorf("stored status %q, want %q", stored.Status, o.wantStatus)
			}
			e := history(t, db, HistoryQuery{Limit: 1})[0]
			if e.Kind != protocol.EventOutcome || e.Outcome != o.outcome || e.Summary != o.summary || e.Name != "Ada" {
				t.Errorf("outcome event %+v", e)
			}
		})
	}
	if _, err := db.RecordOutcome("ada-x", "ghosted"); protocol.ErrorCode(err) != protocol.CodeInvalidField {
		t.Errorf("an unknown outcome: %v", err)
	}
}

// fillHistory makes n contacts and cycles events over them, one minute apart.
func fillHistory(t *testing.T, db *DB, clk *fakeClock, contacts, notesEach int) {
	t.Helper()
	for i := range contacts {
		see(t, db, Sighting{Slug: fmt.Sprintf("person-%03d", i), Name: fmt.Sprintf("Person %03d", i)})
		clk.Advance(time.Minute)
	}
	for j := range notesEach {
		for i := range contacts {
			text := fmt.Sprintf("note %d", j)
			if i == 7 && j == 3 {
				text = "Talked about the GOPHER conference"
			}
			if _, _, err := db.AddNote(fmt.Sprintf("person-%03d", i), fmt.Sprintf("p%d-n%d", i, j), text); err != nil {
				t.Fatal(err)
			}
			clk.Advance(time.Minute)
		}
	}
}

func TestHistory(t *testing.T) {
	db, clk, _ := openTemp(t)
	start := clk.Now()
	const contacts, notesEach = 30, 10
	fillHistory(t, db, clk, contacts, notesEach)
	total := contacts + contacts*notesEach
	oldest, err := db.Dump()
	if err != nil {
		t.Fatal(err)
	}

	t.Run("pages cover every event once, newest first", func(t *testing.T) {
		var all []protocol.Event
		var cursor protocol.EventID
		pages := 0
		for {
			evs, next, err := db.History(HistoryQuery{Before: cursor, Limit: 37})
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, evs...)
			pages++
			if next.IsZero() {
				break
			}
			if next != evs[len(evs)-1].ID {
				t.Fatalf("cursor %s is not the last returned id %s", next, evs[len(evs)-1].ID)
			}
			cursor = next
		}
		if len(all) != total || pages != (total+36)/37 {
			t.Fatalf("got %d events in %d pages, want %d in %d", len(all), pages, total, (total+36)/37)
		}
		for i := 1; i < len(all); i++ {
			if all[i].ID.String() >= all[i-1].ID.String() || all[i].At.After(all[i-1].At) {
				t.Fatalf("not newest first at %d: %s after %s", i, all[i].ID, all[i-1].ID)
			}
		}
	})
	t.Run("an exact last page ends with cursor 0", func(t *testing.T) {
		evs, next, err := db.History(HistoryQuery{Slug: "person-001", Limit: notesEach + 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != notesEach+1 || !next.IsZero() {
			t.Errorf("got %d events and cursor %s, want %d and none", len(evs), next, notesEach+1)
		}
	})

	for _, c := range []struct {
		name  string
		q     HistoryQuery
		count int
		check func(e protocol.Event) bool
	}{
		{"one contact", HistoryQuery{Slug: "person-007", Limit: 100}, notesEach + 1,
			func(e protocol.Event) bool { return e.Slug == "person-007" }},
		{"one contact, a prefix of others", HistoryQuery{Slug: "person-00", Limit: 100}, 0, nil},
		{"one contact, paged", HistoryQuery{Slug: "person-007", Limit: 4}, 4,
			func(e protocol.Event) bool { return e.Slug == "person-007" && e.Kind == protocol.EventNoteAdded }},
		{"kinds", HistoryQuery{Kinds: []protocol.EventKind{protocol.EventFirstSeen}, Limit: 100}, contacts,
			func(e protocol.Event) bool { return e.Kind == protocol.EventFirstSeen }},
		{"text in a note, any case", HistoryQuery{Text: "gopher CONF", Limit: 100}, 1,
			func(e protocol.Event) bool { return e.NoteID == "p7-n3" }},
		{"kinds and text", HistoryQuery{Kinds: []protocol.EventKind{protocol.EventFirstSeen, protocol.EventNoteAdded}, Text: "GOPHER", Limit: 100}, 1,
			func(e protocol.Event) bool { return e.NoteID == "p7-n3" }},
		{"kinds and text, other kind", HistoryQuery{Kinds: []protocol.EventKind{protocol.EventFirstSeen}, Text: "gopher", Limit: 100}, 0, nil},
		{"text in a name", HistoryQuery{Text: "person 012", Limit: 100}, notesEach + 1,
			func(e protocol.Event) bool { return e.Slug == "person-012" }},
		{"text in a summary", HistoryQuery{Text: "first seen", Limit: 100}, contacts,
			func(e protocol.Event) bool { return e.Kind == protocol.EventFirstSeen }},
		{"since", HistoryQuery{Since: start.Add(time.Duration(total-5) * time.Minute), Limit: 100}, 5,
			func(e protocol.Event) bool { return !e.At.Before(start.Add(time.Duration(total-5) * time.Minute)) }},
		{"since and contact", HistoryQuery{Slug: "person-029", Since: start.Add(time.Duration(total-contacts) * time.Minute), Limit: 100}, 1,
			func(e protocol.Event) bool { return e.NoteID == "p29-n9" }},
		{"before", HistoryQuery{Before: oldest.Events[4].ID, Limit: 100}, 4,
			func(e protocol.Event) bool { return e.ID.String() < oldest.Events[4].ID.String() }},
		{"contact before", HistoryQuery{Slug: "person-000", Before: oldest.Events[30].ID, Limit: 100}, 1,
			func(e protocol.Event) bool { return e.Kind == protocol.EventFirstSeen }},
		{"unknown contact", HistoryQuery{Slug: "nobody-z"}, 0, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			evs := history(t, db, c.q)
			if len(evs) != c.count {
				t.Fatalf("got %d events, want %d", len(evs), c.count)
			}
			for _, e := range evs {
				if !c.check(e) {
					t.Errorf("unexpected event %+v", e)
				}
			}
		})
	}
	t.Run("default limit", func(t *testing.T) {
		if evs := history(t, db, HistoryQuery{}); len(evs) != protocol.DefaultHistoryLimit {
			t.Errorf("got %d, want %d", len(evs), protocol.DefaultHistoryLimit)
		}
	})
}

func TestImport(t *testing.T) {
	db, _, _ := openTemp(t)
	see(t, db, Sighting{Slug: "ada-x", Name: "Ada Lovelace 🚀", ConnectedOn: "2024-07-01", ConnectedSource: protocol.DateFromPageRelative})
	if _, _, err := db.AddNote("ada-x", "n1", "keep"); err != nil {
		t.Fatal(err)
	}
	tags := []string{"keep"}
	status := protocol.StatusKeep
	if _, err := db.SetTags("ada-x", &tags, &status); err != nil {
		t.Fatal(err)
	}
	rows := []ImportedContact{
		{Slug: "ada-x", Name: "Ada Lovelace", Company: "Analytical Engines", Position: "Programmer", ConnectedOn: "2024-06-29"},
		{Slug: "bob-y", Name: "Bob Y", Company: "Acme, Inc.", ConnectedOn: "2024-03-05"},
		{Slug: "cy-z", Name: "Cy Z"},
	}
	for _, c := range []struct {
		name                 string
		rows                 []ImportedContact
		wantAdded, wantUpdtd int
	}{
		{"first import", rows, 2, 1},
		{"same file again", rows, 0, 0},
		{"a changed position", []ImportedContact{{Slug: "bob-y", Name: "Bob Y", Company: "Acme, Inc.", Position: "CEO", ConnectedOn: "2024-03-05"}}, 0, 1},
		{"a new name for a contact the page never showed", []ImportedContact{{Slug: "cy-z", Name: "Cy Zed"}}, 0, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			before, _ := db.Stats()
			added, updated, err := db.Import(c.rows)
			if err != nil {
				t.Fatal(err)
			}
			if added != c.wantAdded || updated != c.wantUpdtd {
				t.Errorf("added %d updated %d, want %d %d", added, updated, c.wantAdded, c.wantUpdtd)
			}
			after, _ := db.Stats()
			if after.Events-before.Events != c.wantAdded {
				t.Errorf("%d new events, want one imported event per added contact (%d)", after.Events-before.Events, c.wantAdded)
			}
		})
	}
	ada, _ := db.Contact("ada-x")
	if ada.Name != "Ada Lovelace 🚀" || ada.Company != "Analytical Engines" || ada.ConnectedOn != "2024-06-29" ||
		ada.ConnectedSource != protocol.DateFromImport || len(ada.Notes) != 1 || ada.Status != protocol.StatusKeep || len(ada.Tags) != 1 {
		t.Errorf("import over a seen contact: %+v", ada)
	}
	cy, _ := db.Contact("cy-z")
	if cy.Name != "Cy Zed" || !cy.LastSeen.IsZero() {
		t.Errorf("a contact only imported: name %q, last seen %v", cy.Name, cy.LastSeen)
	}
	if cy.ConnectedOn != "" || cy.ConnectedSource != "" {
		t.Errorf("a row without a date got %q (%q)", cy.ConnectedOn, cy.ConnectedSource)
	}
	see(t, db, Sighting{Slug: "bob-y", Name: "Bob Y", ConnectedOn: "2024-03-01", ConnectedSource: protocol.DateFromPageRelative})
	if bob, _ := db.Contact("bob-y"); bob.ConnectedOn != "2024-03-05" {
		t.Errorf("an estimate replaced the imported date: %s", bob.ConnectedOn)
	}
	evs := history(t, db, HistoryQuery{Kinds: []protocol.EventKind{protocol.EventImported}})
	if len(evs) != 2 || evs[0].Slug != "cy-z" || evs[0].Summary != "Imported from LinkedIn's export" {
		t.Errorf("imported events %+v", evs)
	}

	t.Run("a bad row refuses the whole import", func(t *testing.T) {
		before, _ := db.Stats()
		_, _, err := db.Import([]ImportedContact{{Slug: "new-one", Name: "N"}, {Slug: "", Name: "No URL"}})
		wantCode(t, err, protocol.CodeInvalidSlug)
		if !strings.Contains(protocol.ErrorMessage(err), "Row 2") {
			t.Errorf("message %q does not name the row", protocol.ErrorMessage(err))
		}
		if after, _ := db.Stats(); after != before {
			t.Errorf("stats moved from %+v to %+v", before, after)
		}
	})
}

func TestRestartKeepsEverything(t *testing.T) {
	db, clk, path := openTemp(t)
	populate(t, db, clk)
	want, err := db.Dump()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openAt(t, path, clk)
	got, err := db.Dump()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("after restart:\n%+v\nwant\n%+v", got, want)
	}
	// A new event files after the old ones, even on a clock that stands still.
	see(t, db, Sighting{Slug: "new-person", Name: "New"})
	evs := history(t, db, HistoryQuery{Limit: 1})
	if last := want.Events[len(want.Events)-1].ID; evs[0].ID.String() <= last.String() {
		t.Errorf("new event id %s is not after %s", evs[0].ID, last)
	}
}

// populate exercises every kind of write.
func populate(t *testing.T, db *DB, clk *fakeClock) { populateTB(t, db, clk) }

func populateTB(t testing.TB, db *DB, clk *fakeClock) {
	t.Helper()
	see(t, db, Sighting{Slug: "ada-x", Name: "Ada", Headline: "Engineer", ConnectedText: "Connected on June 29, 2024",
		ConnectedOn: "2024-06-29", ConnectedSource: protocol.DateFromPageAbsolute},
		Sighting{Slug: "josé-garcía", Name: "José García"})
	clk.Advance(time.Hour)
	if _, _, err := db.Import([]ImportedContact{{Slug: "bob-y", Name: "Bob", Company: "Acme", Position: "CEO", ConnectedOn: "2023-01-02"}}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)
	steps := []func() error{
		func() error { _, _, err := db.AddNote("ada-x", "n1", "first"); return err },
		func() error { _, _, err := db.AddNote("ada-x", "n2", "second"); return err },
		func() error { _, _, err := db.EditNote("ada-x", "n1", "first, edited"); return err },
		func() error { _, err := db.DeleteNote("ada-x", "n2"); return err },
		func() error { _, _, err := db.AddNote("josé-garcía", "n3", "¡hola!"); return err },
		func() error {
			tags, status := []string{"inactive", "re-evaluating"}, protocol.StatusReviewing
			_, err := db.SetTags("bob-y", &tags, &status)
			return err
		},
		func() error { _, err := db.MarkFallout("bob-y", "2026-12-13", "politics"); return err },
		func() error { _, err := db.RecordReminder("bob-y"); return err },
		func() error { _, err := db.RecordOutcome("bob-y", protocol.OutcomeUnfollowed); return err },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute)
	}
}

func TestDumpLoadRoundTrip(t *testing.T) {
	src, clk, _ := openTemp(t)
	populate(t, src, clk)
	want, err := src.Dump()
	if err != nil {
		t.Fatal(err)
	}
	if want.Format != protocol.ArchiveFormat || want.Version != protocol.ArchiveVersion || len(want.Contacts) != 3 || len(want.Events) != 13 {
		t.Fatalf("Dump: format %q v%d, %d contacts, %d events", want.Format, want.Version, len(want.Contacts), len(want.Events))
	}
	if want.Contacts[0].Slug != "ada-x" || want.Contacts[2].Slug != "josé-garcía" || want.Events[0].Kind != protocol.EventFirstSeen {
		t.Errorf("Dump order: %s..%s, first event %s", want.Contacts[0].Slug, want.Contacts[2].Slug, want.Events[0].Kind)
	}

	dst := openAt(t, filepath.Join(t.TempDir(), "copy.db"), clk)
	added, updated, err := dst.Load(want)
	if err != nil {
		t.Fatal(err)
	}
	if added != 3 || updated != 0 {
		t.Errorf("Load into empty: added %d updated %d", added, updated)
	}
	got, err := dst.Dump()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Dump after Load:\n%+v\nwant\n%+v", got, want)
	}
	for _, c := range []struct {
		name string
		call func() error
	}{
		{"indexes rebuilt: tags", func() error {
			if tags, _ := dst.Tags(); !reflect.DeepEqual(tags, []string{"inactive", "re-evaluating"}) {
				return fmt.Errorf("Tags() = %q", tags)
			}
			return nil
		}},
		{"indexes rebuilt: note ids", func() error {
			_, _, err := dst.AddNote("bob-y", "n1", "x")
			if protocol.ErrorCode(err) != protocol.CodeConflict {
				return fmt.Errorf("reusing ada-x's note id: %v", err)
			}
			return nil
		}},
		{"indexes rebuilt: per-contact history", func() error {
			if evs, _, _ := dst.History(HistoryQuery{Slug: "bob-y"}); len(evs) != 6 {
				return fmt.Errorf("bob-y has %d events", len(evs))
			}
			return nil
		}},
		{"a new event files after the restored ones", func() error {
			see(t, dst, Sighting{Slug: "new-one", Name: "N"})
			evs, _, _ := dst.History(HistoryQuery{Limit: 1})
			if last := want.Events[len(want.Events)-1].ID; evs[0].Slug != "new-one" || evs[0].ID.String() <= last.String() {
				return fmt.Errorf("newest event %s %s, want new-one after %s", evs[0].Slug, evs[0].ID, last)
			}
			return nil
		}},
		{"loading again changes nothing", func() error {
			before, _ := dst.Stats()
			added, updated, err := dst.Load(want)
			after, _ := dst.Stats()
			if err != nil || added != 0 || updated != 0 || after != before {
				return fmt.Errorf("second Load: %d %d %v, stats %+v -> %+v", added, updated, err, before, after)
			}
			return nil
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := c.call(); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestLoadRefusesBadArchives(t *testing.T) {
	db, clk, _ := openTemp(t)
	populate(t, db, clk)
	before, _ := db.Dump()
	edit := func(f func(a *protocol.Archive)) protocol.Archive {
		a, _ := db.Dump()
		f(&a)
		return a
	}
	for _, c := range []struct {
		name string
		a    protocol.Archive
		code protocol.Code
		msg  string
	}{
		{"wrong format", edit(func(a *protocol.Archive) { a.Format = "linkedin" }), protocol.CodeInvalidField, "not a tactful export"},
		{"newer version", edit(func(a *protocol.Archive) { a.Version = 99 }), protocol.CodeInvalidField, "Update tactful"},
		{"path trick slug", edit(func(a *protocol.Archive) { a.Contacts[0].Slug = "../x" }), protocol.CodeInvalidSlug, ""},
		{"bad status", edit(func(a *protocol.Archive) { a.Contacts[0].Status = "enemy" }), protocol.CodeInvalidField, "status"},
		{"event without id", edit(func(a *protocol.Archive) { a.Events[0].ID = protocol.EventID{} }), protocol.CodeMissingField, "id"},
		{"id before its event", edit(func(a *protocol.Archive) {
			a.Events[0].ID, _ = protocol.NewEventID(a.Events[0].At.Add(-time.Hour))
		}), protocol.CodeInvalidField, "before"},
		{"control characters in a name", edit(func(a *protocol.Archive) { a.Contacts[0].Name = "Ada\x1b[2J" }), protocol.CodeInvalidField, "control"},
		{"bidi override in a headline", edit(func(a *protocol.Archive) { a.Contacts[0].Headline = "CEO \u202e" }), protocol.CodeInvalidField, "control"},
		{"name over the wire's limit", edit(func(a *protocol.Archive) { a.Contacts[0].Name = strings.Repeat("x", protocol.MaxNameChars+1) }), protocol.CodeInvalidField, "longer"},
		{"unknown event kind", edit(func(a *protocol.Archive) { a.Events[0].Kind = "hacked" }), protocol.CodeInvalidField, "kind"},
		{"note id on two contacts", edit(func(a *protocol.Archive) {
			a.Contacts[1].Notes = append(a.Contacts[1].Notes, protocol.Note{ID: "n3", Text: "dup"})
			a.Contacts[0].Name = "changed"
		}), protocol.CodeConflict, "n3"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := db.Load(c.a)
			wantCode(t, err, c.code)
			if !strings.Contains(protocol.ErrorMessage(err), c.msg) {
				t.Errorf("message %q lacks %q", protocol.ErrorMessage(err), c.msg)
			}
			after, _ := db.Dump()
			if !reflect.DeepEqual(after, before) {
				t.Errorf("a refused Load changed the store")
			}
		})
	}
}

func TestBackupWhileOpen(t *testing.T) {
	db, clk, _ := openTemp(t)
	populate(t, db, clk)
	want, _ := db.Dump()
	backup := filepath.Join(t.TempDir(), "backup.db")
	f, err := os.Create(backup)
	if err != nil {
		t.Fatal(err)
	}
	n, err := db.Backup(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(backup); n == 0 || fi.Size() != n {
		t.Fatalf("Backup wrote %d bytes, file has %d", n, fi.Size())
	}
	// The original keeps serving writes after the copy.
	see(t, db, Sighting{Slug: "after-backup", Name: "Late"})

	if err := Verify(backup); err != nil {
		t.Fatalf("Verify(backup): %v", err)
	}
	copyDB := openAt(t, backup, clk)
	got, _ := copyDB.Dump()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the backup differs from the store at backup time")
	}
}

func TestVerify(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	db, err := Open(good, Options{Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	see(t, db, Sighting{Slug: "ada-x", Name: "Ada"})
	t.Run("locked while open", func(t *testing.T) {
		if err := Verify(good); !errors.Is(err, ErrLocked) {
			t.Errorf("Verify of an open store: %v", err)
		}
	})
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(dir, "foreign.db")
	makeForeignBolt(t, foreign)
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, bytes.Repeat([]byte("not a database\n"), 1000), 0o600); err != nil {
		t.Fatal(err)
	}
	zeroed := filepath.Join(dir, "zeroed.db")
	raw, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	// Keep both meta pages, wipe everything they point to.
	clear(raw[2*4096:])
	if err := os.WriteFile(zeroed, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, path, want string
	}{
		{"good", good, ""},
		{"data pages wiped", zeroed, "is not a tactful database or is damaged"},
		{"missing", filepath.Join(dir, "nope.db"), "no such file"},
		{"foreign bbolt file", foreign, "is not a tactful database or is damaged"},
		{"garbage", garbage, "is not a tactful database or is damaged"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := Verify(c.path)
			if c.want == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Verify = %v, want %q", err, c.want)
			}
		})
	}
}

func makeForeignBolt(t *testing.T, path string) {
	t.Helper()
	b, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = b.Update(func(tx *bolt.Tx) error {
		bk, err := tx.CreateBucket([]byte("someone-else"))
		if err != nil {
			return err
		}
		return bk.Put([]byte("k"), []byte("v"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestOpenLocked(t *testing.T) {
	_, _, path := openTemp(t)
	for _, readOnly := range []bool{false, true} {
		t.Run(fmt.Sprintf("read-only %v", readOnly), func(t *testing.T) {
			db2, err := Open(path, Options{Timeout: 50 * time.Millisecond, ReadOnly: readOnly, Logger: testLogger(t)})
			if err == nil {
				db2.Close()
				t.Fatal("a second Open of a held file succeeded")
			}
			if !errors.Is(err, ErrLocked) {
				t.Errorf("error %v does not wrap ErrLocked", err)
			}
			if want := "another tactful daemon is using " + path; err.Error() != want {
				t.Errorf("message %q, want %q", err.Error(), want)
			}
		})
	}
}

func TestOpenRefusesDamagedFiles(t *testing.T) {
	dir := t.TempDir()
	smashed := func(t *testing.T) []byte {
		p := filepath.Join(t.TempDir(), "x.db")
		db := openAt(t, p, newClock())
		see(t, db, Sighting{Slug: "ada-x", Name: "Ada"})
		db.Close()
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		// Both meta pages lose their magic number and checksum.
		page := 4096
		for _, off := range []int{16, page + 16} {
			copy(raw[off:off+64], bytes.Repeat([]byte{0xAA}, 64))
		}
		return raw
	}
	wiped := func(t *testing.T) []byte {
		p := filepath.Join(t.TempDir(), "x.db")
		db := openAt(t, p, newClock())
		see(t, db, Sighting{Slug: "ada-x", Name: "Ada"})
		db.Close()
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		// Both meta pages survive; everything they point to is gone.
		clear(raw[2*4096:])
		return raw
	}
	random := make([]byte, 64<<10)
	for i := range random {
		random[i] = byte(i*7919 + i/13)
	}
	for _, c := range []struct {
		name    string
		content func(t *testing.T) []byte
	}{
		{"text", func(*testing.T) []byte { return []byte("hello, I am a shopping list\n") }},
		{"csv export", func(*testing.T) []byte {
			return bytes.Repeat([]byte("First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"), 200)
		}},
		{"random bytes", func(*testing.T) []byte { return random }},
		{"bbolt with both meta pages smashed", smashed},
		{"bbolt with its data pages wiped", wiped},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-")+".db")
			content := c.content(t)
			if err := os.WriteFile(path, content, 0o600); err != nil {
				t.Fatal(err)
			}
			db, err := Open(path, Options{Logger: testLogger(t)})
			if err == nil {
				db.Close()
				t.Fatal("Open accepted a damaged file")
			}
			if want := path + " is not a tactful database or is damaged: "; !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error %q, want it to start with %q", err, want)
			}
			if errors.Is(err, ErrLocked) {
				t.Errorf("a damaged file reported as locked")
			}
			after, _ := os.ReadFile(path)
			if !bytes.Equal(after, content) {
				t.Errorf("Open changed the damaged file (%d bytes, was %d)", len(after), len(content))
			}
		})
	}
	t.Run("a foreign bbolt file", func(t *testing.T) {
		path := filepath.Join(dir, "foreign.db")
		makeForeignBolt(t, path)
		content, _ := os.ReadFile(path)
		if _, err := Open(path, Options{}); err == nil || !strings.Contains(err.Error(), "is not a tactful database") {
			t.Errorf("Open of a foreign bbolt file: %v", err)
		}
		if after, _ := os.ReadFile(path); !bytes.Equal(after, content) {
			t.Errorf("Open changed a foreign bbolt file")
		}
	})
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.db")
	db := openAt(t, path, newClock())
	see(t, db, Sighting{Slug: "ada-x", Name: "Ada"})
	db.Close()
	b, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = b.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keySchema, u64(schemaVersion+1)) })
	b.Close()
	if err != nil {
		t.Fatal(err)
	}
	content, _ := os.ReadFile(path)
	_, err = Open(path, Options{})
	if err == nil || !strings.Contains(err.Error(), "newer tactful") || !strings.Contains(err.Error(), "update tactful") {
		t.Fatalf("Open of a newer schema: %v", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, content) {
		t.Errorf("Open changed a newer database")
	}
}

func TestWritesFailCleanly(t *testing.T) {
	db, clk, path := openTemp(t)
	populate(t, db, clk)
	want, _ := db.Dump()
	db.Close()

	var logs bytes.Buffer
	ro, err := Open(path, Options{ReadOnly: true, Now: clk.Now, Logger: zerolog.New(&logs)})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	tags := []string{"x"}
	for _, c := range []struct {
		name string
		call func() error
	}{
		{"see", func() error { _, err := ro.See([]Sighting{{Slug: "ada-x", Name: "Ada"}}); return err }},
		{"add note", func() error { _, _, err := ro.AddNote("ada-x", "n9", "t"); return err }},
		{"edit note", func() error { _, _, err := ro.EditNote("ada-x", "n1", "t"); return err }},
		{"delete note", func() error { _, err := ro.DeleteNote("ada-x", "n1"); return err }},
		{"tags", func() error { _, err := ro.SetTags("ada-x", &tags, nil); return err }},
		{"fallout", func() error { _, err := ro.MarkFallout("ada-x", "2026-12-13", ""); return err }},
		{"reminder", func() error { _, err := ro.RecordReminder("ada-x"); return err }},
		{"outcome", func() error { _, err := ro.RecordOutcome("ada-x", protocol.OutcomeKept); return err }},
		{"import", func() error { _, _, err := ro.Import([]ImportedContact{{Slug: "zed-q", Name: "Z"}}); return err }},
		{"load", func() error { _, _, err := ro.Load(want); return err }},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.call()
			wantCode(t, err, protocol.CodeStorage)
			if msg := protocol.ErrorMessage(err); msg != "The database could not be written (is the disk full or the home read-only?); nothing was changed." {
				t.Errorf("message %q", msg)
			}
			if strings.Contains(protocol.ErrorMessage(err), "read-only mode") {
				t.Errorf("the underlying error reached the client")
			}
		})
	}
	if !strings.Contains(logs.String(), "read-only mode") {
		t.Errorf("the underlying error was not logged: %s", logs.String())
	}
	got, _ := ro.Dump()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("failed writes changed what is stored")
	}
}

func TestDiskFull(t *testing.T) {
	clk := newClock()
	path := filepath.Join(t.TempDir(), "t.db")
	var logs bytes.Buffer
	db, err := Open(path, Options{Now: clk.Now, Logger: zerolog.New(&logs), maxSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	see(t, db, Sighting{Slug: "ada-x", Name: "Ada"}, Sighting{Slug: "bob-y", Name: "Bob"})
	long := strings.Repeat("a long note that fills the disk. ", 300)
	var stored []string
	var failure error
	for i := 0; i < 1000 && failure == nil; i++ {
		id := fmt.Sprintf("n%d", i)
		if _, _, err := db.AddNote("ada-x", id, long); err != nil {
			failure = err
			break
		}
		stored = append(stored, id)
	}
	if failure == nil {
		t.Fatal("1,000 long notes fit in a 1 MiB file")
	}
	wantCode(t, failure, protocol.CodeStorage)
	if !strings.Contains(logs.String(), "maximum") {
		t.Errorf("the cause was not logged: %s", logs.String())
	}
	// The store keeps serving reads.
	if _, err := db.Contact("ada-x"); err != nil {
		t.Errorf("read after a full disk: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	// Space is freed: everything acknowledged is there, and writing works again.
	db = openAt(t, path, clk)
	if _, err := db.SetTags("bob-y", &[]string{"inactive"}, nil); err != nil {
		t.Errorf("a write once there is space again: %v", err)
	}
	ada, err := db.Contact("ada-x")
	if err != nil {
		t.Fatal(err)
	}
	if len(ada.Notes) != len(stored) {
		t.Fatalf("after reopening %d notes, want the %d acknowledged", len(ada.Notes), len(stored))
	}
	for i, n := range ada.Notes {
		if n.ID != stored[i] || n.Text != long {
			t.Errorf("note %d is %s, want %s", i, n.ID, stored[i])
		}
	}
	db.Close()
	if err := Verify(path); err != nil {
		t.Errorf("Verify after a full disk: %v", err)
	}
}

func TestInfoLogsCarryNoNamesOrNotes(t *testing.T) {
	var logs bytes.Buffer
	clk := newClock()
	path := filepath.Join(t.TempDir(), "t.db")
	db, err := Open(path, Options{Now: clk.Now, Logger: zerolog.New(&logs).Level(zerolog.InfoLevel)})
	if err != nil {
		t.Fatal(err)
	}
	populate(t, db, clk)
	a, _ := db.Dump()
	if _, _, err := db.Load(a); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, secret := range []string{"Ada", "José", "first, edited", "politics", "¡hola!", "ada-x"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("info log carries %q:\n%s", secret, logs.String())
		}
	}
	if !strings.Contains(logs.String(), "connections imported") {
		t.Errorf("expected an info line for the import, got:\n%s", logs.String())
	}
}

func TestHistoryTextBeyondASCII(t *testing.T) {
	db, clk, _ := openTemp(t)
	populate(t, db, clk)
	see(t, db, Sighting{Slug: "kelvin-k", Name: "Kelvin"}) // KELVIN SIGN folds to k
	for _, c := range []struct {
		query string
		want  int
	}{
		{"josé", 2},
		{"GARCÍA", 2},
		{"¡HOLA", 1},
		{"EDITED", 1},
		{"kelvin", 1},
		{"first seen", 3},
		{"<b>", 0},
		{`"kind"`, 0},
	} {
		t.Run(c.query, func(t *testing.T) {
			if evs := history(t, db, HistoryQuery{Text: c.query}); len(evs) != c.want {
				t.Errorf("%q found %d events, want %d", c.query, len(evs), c.want)
			}
		})
	}
}

func TestStats(t *testing.T) {
	db, clk, _ := openTemp(t)
	if st, err := db.Stats(); err != nil || st != (Stats{}) {
		t.Fatalf("empty store: %+v, %v", st, err)
	}
	populate(t, db, clk)
	if st, _ := db.Stats(); st != (Stats{Contacts: 3, Notes: 2, Events: 13}) {
		t.Errorf("Stats = %+v", st)
	}
}
