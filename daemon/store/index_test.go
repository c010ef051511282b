package store

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tactful/tactful/daemon/annotate"
	"github.com/tactful/tactful/protocol"
)

// checkIndexMatchesDisk fails unless the in-memory index holds exactly the
// records of the file's contacts, as a fresh Open would build them, and
// each record says what its contact says: the same annotation, the same
// fields for a sighting to compare.
func checkIndexMatchesDisk(t *testing.T, db *DB) {
	t.Helper()
	var fresh *contactIndex
	contacts := map[string]protocol.Contact{}
	if err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		if fresh, err = buildIndex(tx); err != nil {
			return err
		}
		return tx.Bucket(bucketContacts).ForEach(func(k, v []byte) error {
			var c protocol.Contact
			if err := json.Unmarshal(v, &c); err != nil {
				return err
			}
			normalizeContact(&c)
			contacts[string(k)] = c
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	db.idx.mu.RLock()
	defer db.idx.mu.RUnlock()
	if len(db.idx.contacts) != len(fresh.contacts) {
		t.Errorf("index holds %d contacts, the file %d", len(db.idx.contacts), len(fresh.contacts))
	}
	for slug, want := range fresh.contacts {
		got, ok := db.idx.contacts[slug]
		if !ok {
			t.Errorf("%s is on disk but not in the index", slug)
			continue
		}
		if !sameRecord(got, want) {
			t.Errorf("%s differs:\nindex %+v\nfile  %+v", slug, got, want)
		}
		checkRecordOf(t, got, contacts[slug])
	}
}

// sameRecord compares two records but for their versions.
func sameRecord(a, b indexEntry) bool {
	a.version, b.version = 0, 0
	return reflect.DeepEqual(a, b)
}

// checkRecordOf fails unless e says what c says, for the badges and for a
// sighting.
func checkRecordOf(t *testing.T, e indexEntry, c protocol.Contact) {
	t.Helper()
	rules := annotate.Default()
	for _, now := range []time.Time{c.FirstSeen, c.LastSeen, time.Now()} {
		if now.IsZero() {
			continue
		}
		rules.Now = func() time.Time { return now }
		visits := protocol.Visits{Current: now.Add(-time.Hour), PreviousEnd: now.Add(-48 * time.Hour), Last: now}
		got, _ := json.Marshal(rules.AnnotateInput(e.input(), visits))
		want, _ := json.Marshal(rules.Annotate(c, visits))
		if string(got) != string(want) {
			t.Errorf("%s at %v: the record annotates as\n%s\nthe contact as\n%s", c.Slug, now, got, want)
		}
	}
	in, wantIn := e.input(), annotate.InputOf(c)
	if !in.FirstSeen.Equal(wantIn.FirstSeen) || !in.FalloutAt.Equal(wantIn.FalloutAt) || !in.LatestWritten.Equal(wantIn.LatestWritten) ||
		len(in.Tags) != len(wantIn.Tags) {
		t.Errorf("%s: the record's input %+v, the contact's %+v", c.Slug, in, wantIn)
	}
	in.FirstSeen, in.FalloutAt, in.LatestWritten, in.Tags = wantIn.FirstSeen, wantIn.FalloutAt, wantIn.LatestWritten, wantIn.Tags
	if !reflect.DeepEqual(in, wantIn) {
		t.Errorf("%s: the record's input %+v, the contact's %+v", c.Slug, in, wantIn)
	}
	// What the scans over every contact read (ForEachContact).
	v := e.view()
	wantReview := c.Review != nil
	if v.Slug != c.Slug || v.Name != c.Name || v.Headline != c.Headline || v.Company != c.Company || v.ConnectedOn != c.ConnectedOn ||
		v.ConnectedSource != c.ConnectedSource || v.ConnectedText != c.ConnectedText || !v.FirstSeen.Equal(c.FirstSeen) ||
		!v.LastSeen.Equal(c.LastSeen) || !slices.Equal(v.Tags, c.Tags) || v.Status != c.Status || v.CooldownUntil != c.CooldownUntil ||
		(v.FalloutAt == nil) != (c.FalloutAt == nil) || (v.FalloutAt != nil && !v.FalloutAt.Equal(*c.FalloutAt)) ||
		len(v.Notes) != len(c.Notes) || (v.Review != nil) != wantReview ||
		(wantReview && (v.Review.Decision != c.Review.Decision || v.Review.On != c.Review.On)) {
		t.Errorf("%s: the record's view %+v, the contact %+v", c.Slug, v, c)
	}
	got, want := e.sighted(), sightedOf(c)
	if !got.LastSeen.Equal(want.LastSeen) {
		t.Errorf("%s: the record was last seen %v, the contact %v", c.Slug, got.LastSeen, want.LastSeen)
	}
	got.LastSeen, want.LastSeen = time.Time{}, time.Time{}
	if got != want {
		t.Errorf("%s: the record's sighted fields %+v, the contact's %+v", c.Slug, got, want)
	}
}

func TestIndexFollowsEveryWrite(t *testing.T) {
	db, clk, _ := openTemp(t)
	tags := []string{"inactive"}
	reviewing := protocol.StatusReviewing
	archive := func() protocol.Archive {
		a, err := db.Dump()
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	for _, step := range []struct {
		name string
		call func() error
	}{
		{"see: first sightings", func() error {
			_, err := db.See([]Sighting{{Slug: "ada-x", Name: "Ada", Headline: "Engineer"}, {Slug: "bob-y", Name: "Bob"}})
			return err
		}},
		{"see: unchanged", func() error {
			_, err := db.See([]Sighting{{Slug: "ada-x", Name: "Ada", Headline: "Engineer"}})
			return err
		}},
		{"see: another headline and a date", func() error {
			_, err := db.See([]Sighting{{Slug: "ada-x", Name: "Ada", Headline: "CTO", ConnectedText: "Connected on June 29, 2024",
				ConnectedOn: "2024-06-29", ConnectedSource: protocol.DateFromPageAbsolute}})
			return err
		}},
		{"see: the next day", func() error {
			clk.Advance(24 * time.Hour)
			_, err := db.See([]Sighting{{Slug: "bob-y", Name: "Bob"}})
			return err
		}},
		{"add note", func() error { _, _, err := db.AddNote("ada-x", "n1", "first"); return err }},
		{"add another note", func() error { _, _, err := db.AddNote("ada-x", "n2", "second"); return err }},
		{"edit note", func() error { _, _, err := db.EditNote("ada-x", "n1", "first, edited"); return err }},
		{"delete note", func() error { _, err := db.DeleteNote("ada-x", "n2"); return err }},
		{"set tags and status", func() error { _, err := db.SetTags("bob-y", &tags, &reviewing); return err }},
		{"mark fallout", func() error { _, err := db.MarkFallout("bob-y", "2026-12-13", "politics"); return err }},
		{"record reminder", func() error { _, err := db.RecordReminder("bob-y"); return err }},
		{"record outcome", func() error { _, err := db.RecordOutcome("bob-y", protocol.OutcomeRemoved); return err }},
		{"import: new and updated", func() error {
			_, _, err := db.Import([]ImportedContact{{Slug: "cy-z", Name: "Cy", Company: "Acme", ConnectedOn: "2023-01-02"},
				{Slug: "bob-y", Name: "Bob", Company: "Initech", Position: "CEO"}})
			return err
		}},
		{"load: a changed contact and a new one", func() error {
			a := archive()
			a.Contacts[0].Headline = "Restored headline"
			a.Contacts = append(a.Contacts, protocol.Contact{Slug: "dee-w", Name: "Dee", Tags: []string{}, Notes: []protocol.Note{},
				Review: &protocol.Review{Decision: protocol.DecisionRevisit, On: "2027-01-12", Why: "drifted apart", At: clk.Now()}})
			_, _, err := db.Load(a)
			return err
		}},
		{"restore in steps", func() error {
			a := archive()
			_, err := db.RestoreInSteps(func(l *Loader) error {
				for _, c := range a.Contacts {
					c.Position = "Stepped"
					if err := l.Contact(c); err != nil {
						return err
					}
				}
				return nil
			}, 1)
			return err
		}},
	} {
		if err := step.call(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		t.Run(step.name, func(t *testing.T) { checkIndexMatchesDisk(t, db) })
		clk.Advance(time.Minute)
	}
	if c, err := db.Contact("dee-w"); err != nil || c.Position != "Stepped" {
		t.Errorf("Contact after the restore: %+v, %v", c, err)
	}
}

func TestIndexUnchangedByFailedWrites(t *testing.T) {
	clk := newClock()
	path := filepath.Join(t.TempDir(), "t.db")
	db, err := Open(path, Options{Now: clk.Now, Logger: testLogger(t), maxSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	see(t, db, Sighting{Slug: "ada-x", Name: "Ada"}, Sighting{Slug: "bob-y", Name: "Bob"})
	if _, _, err := db.AddNote("ada-x", "n1", "mine"); err != nil {
		t.Fatal(err)
	}

	// A load that puts contacts, then fails at the end on a note id two
	// contacts claim: the contacts it put must not reach the index.
	conflict := protocol.Archive{Format: protocol.ArchiveFormat, Version: protocol.ArchiveVersion, Contacts: []protocol.Contact{
		{Slug: "bob-y", Name: "Bob, loaded", Tags: []string{}, Notes: []protocol.Note{{ID: "n1", Text: "claimed", Created: clk.Now(), Updated: clk.Now()}}},
	}}
	if _, _, err := db.Load(conflict); protocol.ErrorCode(err) != protocol.CodeConflict {
		t.Fatalf("conflicting load: %v", err)
	}
	if c, _ := db.Contact("bob-y"); c.Name != "Bob" {
		t.Errorf("after a failed load the index says %q", c.Name)
	}
	checkIndexMatchesDisk(t, db)

	// The disk fills up: the write that fails leaves the index as the file.
	long := strings.Repeat("a long note that fills the disk. ", 300)
	var failed bool
	for i := 0; i < 1000 && !failed; i++ {
		_, _, err := db.AddNote("bob-y", fmt.Sprintf("b%d", i), long)
		failed = err != nil
	}
	if !failed {
		t.Fatal("1,000 long notes fit in a 1 MiB file")
	}
	checkIndexMatchesDisk(t, db)
}

func TestIndexHandsOutCopies(t *testing.T) {
	db, _, _ := openTemp(t)
	if _, err := db.SetTags("ada-x", &[]string{"x"}, nil); protocol.ErrorCode(err) != protocol.CodeNotFound {
		t.Fatalf("tags of nobody: %v", err)
	}
	see(t, db, Sighting{Slug: "ada-x", Name: "Ada"})
	if _, err := db.SetTags("ada-x", &[]string{"friend"}, nil); err != nil {
		t.Fatal(err)
	}
	c, err := db.Contact("ada-x")
	if err != nil {
		t.Fatal(err)
	}
	c.Tags[0] = "changed by a caller"
	c.Name = "changed by a caller"
	again, _ := db.Contact("ada-x")
	if again.Tags[0] != "friend" || again.Name != "Ada" {
		t.Errorf("a caller changed the index: %+v", again)
	}
	checkIndexMatchesDisk(t, db)
}

func TestIndexFollowsConcurrentWriters(t *testing.T) {
	db, clk, path := openTemp(t)
	see(t, db, Sighting{Slug: "ada-x", Name: "Ada"})
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				// Batched note writers on one contact share commits with
				// sightings that change it: the last commit must win.
				if _, _, err := db.AddNote("ada-x", fmt.Sprintf("w%d-%d", w, i), "text"); err != nil {
					t.Error(err)
				}
				if _, err := db.See([]Sighting{{Slug: "ada-x", Name: "Ada", Headline: fmt.Sprintf("h%d-%d", w, i)},
					{Slug: fmt.Sprintf("new-%d-%d", w, i), Name: "N"}}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	checkIndexMatchesDisk(t, db)
	if c, _ := db.Contact("ada-x"); len(c.Notes) != 80 {
		t.Errorf("the index has %d notes of 80", len(c.Notes))
	}
	db.Close()
	reopened := openAt(t, path, clk)
	checkIndexMatchesDisk(t, reopened)
}
