package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tactful/tactful/protocol"
)

// eventKeys lists each event as slug/kind/note id/at, sorted, so two stores'
// histories compare whatever their ids.
func eventKeys(t *testing.T, a protocol.Archive) []string {
	t.Helper()
	var out []string
	for _, e := range a.Events {
		out = append(out, fmt.Sprintf("%s/%s/%s/%s", e.Slug, e.Kind, e.NoteID, e.At.Format(time.RFC3339Nano)))
	}
	slices.Sort(out)
	return out
}

func ids(a protocol.Archive) []protocol.EventID {
	var out []protocol.EventID
	for _, e := range a.Events {
		out = append(out, e.ID)
	}
	return out
}

func dump(t *testing.T, db *DB) protocol.Archive {
	t.Helper()
	a, err := db.Dump()
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Two stores written by the same clock hand out events at the same times:
// the ids still differ, so neither store's history hides the other's.
func TestRestoreIntoNonEmptyStoreKeepsEveryEvent(t *testing.T) {
	src, srcClock, _ := openTemp(t)
	populate(t, src, srcClock)
	export := dump(t, src)

	dst, dstClock, _ := openTemp(t)
	see(t, dst, Sighting{Slug: "grace-h", Name: "Grace"})
	if _, _, err := dst.AddNote("grace-h", "g1", "mine"); err != nil {
		t.Fatal(err)
	}
	dstClock.Advance(time.Minute)
	own := dump(t, dst)

	if _, _, err := dst.Load(export); err != nil {
		t.Fatal(err)
	}
	got := dump(t, dst)
	if len(got.Events) != len(export.Events)+len(own.Events) {
		t.Fatalf("after the restore the store holds %d events, want %d of the export and %d of its own",
			len(got.Events), len(export.Events), len(own.Events))
	}
	for _, slug := range []string{"ada-x", "bob-y", "grace-h"} {
		var inExport, inStore int
		for _, e := range append(slices.Clone(export.Events), own.Events...) {
			if e.Slug == slug {
				inExport++
			}
		}
		evs := history(t, dst, HistoryQuery{Slug: slug, Limit: 200})
		inStore = len(evs)
		if inStore != inExport || inStore == 0 {
			t.Errorf("%s has %d events after the restore, want %d", slug, inStore, inExport)
		}
	}
}

func TestRestoreTwiceAddsNothing(t *testing.T) {
	src, clk, _ := openTemp(t)
	populate(t, src, clk)
	export := dump(t, src)

	dst, _, _ := openTemp(t)
	for i := range 2 {
		if _, _, err := dst.Load(export); err != nil {
			t.Fatalf("restore %d: %v", i+1, err)
		}
	}
	got := dump(t, dst)
	if !slices.Equal(ids(got), ids(export)) {
		t.Fatalf("after two restores the ids are %v, want %v", ids(got), ids(export))
	}
	if st, _ := dst.Stats(); st.Events != len(export.Events) {
		t.Errorf("Stats counts %d events, want %d", st.Events, len(export.Events))
	}
}

func TestMergeTwoStoresExports(t *testing.T) {
	a, clkA, _ := openTemp(t)
	b, clkB, _ := openTemp(t)
	// The same person met in both stores, at the same instants.
	for _, db := range []*DB{a, b} {
		see(t, db, Sighting{Slug: "ada-x", Name: "Ada"})
	}
	if _, _, err := a.AddNote("ada-x", "from-a", "noted in a"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.AddNote("ada-x", "from-b", "noted in b"); err != nil {
		t.Fatal(err)
	}
	clkA.Advance(time.Hour)
	clkB.Advance(time.Hour)
	see(t, b, Sighting{Slug: "bob-y", Name: "Bob"})
	exportA, exportB := dump(t, a), dump(t, b)

	merged, _, _ := openTemp(t)
	for _, x := range []protocol.Archive{exportA, exportB, exportA, exportB} {
		if _, _, err := merged.Load(x); err != nil {
			t.Fatal(err)
		}
	}
	got := dump(t, merged)
	want := eventKeys(t, protocol.Archive{Events: append(slices.Clone(exportA.Events), exportB.Events...)})
	if fmt.Sprint(eventKeys(t, got)) != fmt.Sprint(want) {
		t.Fatalf("merged history\n%v\nwant each event of both stores once\n%v", eventKeys(t, got), want)
	}
	if evs := history(t, merged, HistoryQuery{Slug: "ada-x", Limit: 10}); len(evs) != 4 {
		t.Errorf("ada-x has %d events in the merge, want 2 first_seen and 2 note_added", len(evs))
	}
}

// Restored events are older than the store's own but file by time, so a
// history since a day finds every one of them.
func TestSinceFindsRestoredOlderEvents(t *testing.T) {
	old, oldClock, _ := openTemp(t)
	populate(t, old, oldClock)
	export := dump(t, old)

	db, clk, _ := openTemp(t)
	clk.Advance(30 * 24 * time.Hour)
	see(t, db, Sighting{Slug: "new-person", Name: "New"})
	if _, _, err := db.Load(export); err != nil {
		t.Fatal(err)
	}
	since := export.Events[0].At
	evs := history(t, db, HistoryQuery{Since: since, Limit: 200})
	if len(evs) != len(export.Events)+1 {
		t.Fatalf("since %s: %d events, want %d restored and 1 new", since, len(evs), len(export.Events))
	}
	for i := 1; i < len(evs); i++ {
		if evs[i].At.After(evs[i-1].At) {
			t.Errorf("not newest first at %d: %s after %s", i, evs[i].At, evs[i-1].At)
		}
	}
	if evs := history(t, db, HistoryQuery{Since: clk.Now().Add(-time.Hour), Limit: 200}); len(evs) != 1 || evs[0].Slug != "new-person" {
		t.Errorf("since an hour ago: %d events, want only new-person's", len(evs))
	}
}

// writeSchema1 writes a database as tactful wrote it before events had ids:
// events keyed by a sequence number, "seq" in their JSON.
func writeSchema1(t *testing.T, path string, contacts []protocol.Contact, events []map[string]any) {
	t.Helper()
	bdb, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	err = bdb.Update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucket(name); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bucketMeta).Put(keySchema, u64(1)); err != nil {
			return err
		}
		for _, c := range contacts {
			raw, _ := json.Marshal(c)
			if err := tx.Bucket(bucketContacts).Put([]byte(c.Slug), raw); err != nil {
				return err
			}
			for _, n := range c.Notes {
				if err := tx.Bucket(bucketNotes).Put([]byte(n.ID), []byte(c.Slug)); err != nil {
					return err
				}
			}
		}
		for i, e := range events {
			seq := uint64(i + 1)
			e["seq"] = seq
			raw, _ := json.Marshal(e)
			if err := tx.Bucket(bucketEvents).Put(u64(seq), raw); err != nil {
				return err
			}
			k := binary.BigEndian.AppendUint64(append([]byte(e["slug"].(string)), 0), seq)
			if err := tx.Bucket(bucketContactEvents).Put(k, nil); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketEvents).SetSequence(uint64(len(events)))
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestOpenUpgradesSchema1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tactful.db")
	at := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	contacts := []protocol.Contact{{Slug: "ada-x", Name: "Ada", FirstSeen: at, LastSeen: at, Tags: []string{},
		Notes: []protocol.Note{{ID: "n1", Text: "hello", Created: at, Updated: at}}}}
	// Two events of one instant with the same content, and a later event
	// filed under a lower number (an old restore did that).
	events := []map[string]any{
		{"at": at.Add(time.Hour), "slug": "ada-x", "name": "Ada", "kind": "note_added", "summary": "Note added", "note_id": "n1", "text": "hello"},
		{"at": at, "slug": "ada-x", "name": "Ada", "kind": "first_seen", "summary": "First seen on the connections page"},
		{"at": at, "slug": "ada-x", "name": "Ada", "kind": "reminder_shown", "summary": "Removal reminder shown"},
		{"at": at, "slug": "ada-x", "name": "Ada", "kind": "reminder_shown", "summary": "Removal reminder shown"},
	}
	writeSchema1(t, path, contacts, events)

	clk := newClock()
	db := openAt(t, path, clk)
	got := dump(t, db)
	if len(got.Events) != 4 {
		t.Fatalf("after the upgrade the store holds %d events, want 4", len(got.Events))
	}
	seen := map[protocol.EventID]bool{}
	for i, e := range got.Events {
		if e.ID.IsZero() || seen[e.ID] {
			t.Errorf("event %d has id %s: missing or repeated", i, e.ID)
		}
		seen[e.ID] = true
		if i > 0 && e.At.Before(got.Events[i-1].At) {
			t.Errorf("events are not in time order after the upgrade: %s after %s", e.At, got.Events[i-1].At)
		}
	}
	if evs := history(t, db, HistoryQuery{Slug: "ada-x", Since: at.Add(30 * time.Minute)}); len(evs) != 1 || evs[0].Kind != protocol.EventNoteAdded {
		t.Errorf("since after the first sighting: %v, want the note only", kinds(evs))
	}
	// The store keeps writing, and says so in its root.
	see(t, db, Sighting{Slug: "bob-y", Name: "Bob"})
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openAt(t, path, clk)
	if n := len(dump(t, db).Events); n != 5 {
		t.Errorf("after reopening: %d events, want 5", n)
	}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if v := binary.BigEndian.Uint64(tx.Bucket(bucketMeta).Get(keySchema)); v != schemaVersion {
			return fmt.Errorf("schema %d, want %d", v, schemaVersion)
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}

	// An export written before the upgrade, of the same data, restores
	// into the upgraded store without repeating an event.
	old := protocol.Archive{Format: protocol.ArchiveFormat, Version: 1, Contacts: contacts}
	for _, e := range events {
		raw, _ := json.Marshal(e)
		var ev protocol.Event
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Fatal(err)
		}
		ev.ID, _ = protocol.LegacyEventID(ev)
		old.Events = append(old.Events, ev)
	}
	old.Events[3].ID = old.Events[3].ID.Next() // as the upgrade told the twins apart
	if _, _, err := db.Load(old); err != nil {
		t.Fatal(err)
	}
	if n := len(dump(t, db).Events); n != 5 {
		t.Errorf("after restoring the old export: %d events, want still 5", n)
	}
}

func TestReadOnlyOpenOfSchema1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tactful.db")
	writeSchema1(t, path, nil, []map[string]any{{"at": time.Now().UTC(), "slug": "ada-x", "name": "A", "kind": "first_seen", "summary": "x"}})
	db, err := Open(path, Options{ReadOnly: true, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, _, err := db.History(HistoryQuery{}); err == nil {
		t.Error("a read-only open of an old layout read its history as if it were new")
	}
	if _, err := db.Backup(discard{}); err != nil {
		t.Errorf("Backup of an old layout: %v", err)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
