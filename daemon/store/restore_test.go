package store

import (
	"reflect"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tactful/tactful/protocol"
)

// restoreSteps feeds a to RestoreInSteps, committing every n records.
func restoreSteps(db *DB, a protocol.Archive, n int) (Restored, error) {
	return db.RestoreInSteps(func(l *Loader) error {
		for _, c := range a.Contacts {
			if err := l.Contact(c); err != nil {
				return err
			}
		}
		for _, e := range a.Events {
			if err := l.Event(e); err != nil {
				return err
			}
		}
		return nil
	}, n)
}

func hasStaged(t *testing.T, db *DB) bool {
	t.Helper()
	var staged bool
	if err := db.bolt.View(func(tx *bolt.Tx) error { staged = tx.Bucket(bucketStaged) != nil; return nil }); err != nil {
		t.Fatal(err)
	}
	return staged
}

// A staged restore ends where a restore in one transaction ends, into an
// empty store (the staged buckets are moved in) and into one that holds
// data (they are merged), in steps of any size; a second run adds nothing.
func TestStagedRestoreMatchesOneTransaction(t *testing.T) {
	src, srcClock, _ := openTemp(t)
	populate(t, src, srcClock)
	inOrder := dump(t, src)
	// A file written by hand: events newest first, one of them twice.
	byHand := inOrder
	byHand.Events = slices.Clone(inOrder.Events)
	slices.Reverse(byHand.Events)
	byHand.Events = append(byHand.Events, byHand.Events[2])

	for _, export := range []protocol.Archive{inOrder, byHand} {
		for _, n := range []int{1, 3, 1000} {
			for _, nonEmpty := range []bool{false, true} {
				want, wantClock, _ := openTemp(t)
				got, gotClock, _ := openTemp(t)
				if nonEmpty {
					for _, db := range []*DB{want, got} {
						see(t, db, Sighting{Slug: "grace-h", Name: "Grace"}, Sighting{Slug: "ada-x", Name: "Ada, before"})
						if _, _, err := db.AddNote("grace-h", "g1", "mine"); err != nil {
							t.Fatal(err)
						}
					}
					wantClock.Advance(time.Minute)
					gotClock.Advance(time.Minute)
				}
				if _, err := want.Restore(func(l *Loader) error {
					for _, c := range export.Contacts {
						if err := l.Contact(c); err != nil {
							return err
						}
					}
					for _, e := range export.Events {
						if err := l.Event(e); err != nil {
							return err
						}
					}
					return nil
				}); err != nil {
					t.Fatal(err)
				}
				res, err := restoreSteps(got, export, n)
				if err != nil {
					t.Fatalf("n=%d non-empty=%v: %v", n, nonEmpty, err)
				}
				if res.NewEvents != len(inOrder.Events) || res.Contacts != len(export.Contacts) {
					t.Errorf("n=%d non-empty=%v: %+v, want every event new and every contact read", n, nonEmpty, res)
				}
				// The stores' own events have ids of their own: compare events
				// by what they say.
				w, g := dump(t, want), dump(t, got)
				if !reflect.DeepEqual(w.Contacts, g.Contacts) || !reflect.DeepEqual(eventKeys(t, w), eventKeys(t, g)) {
					t.Errorf("n=%d non-empty=%v: the staged restore differs from the one-transaction restore", n, nonEmpty)
				}
				if ws, _ := want.Stats(); !reflect.DeepEqual(ws, mustStats(t, got)) {
					t.Errorf("n=%d non-empty=%v: stats %+v, want %+v", n, nonEmpty, mustStats(t, got), ws)
				}
				checkIndexMatchesDisk(t, got)
				if hasStaged(t, got) {
					t.Errorf("n=%d non-empty=%v: the staging area outlived the restore", n, nonEmpty)
				}
				again, err := restoreSteps(got, export, n)
				if err != nil || again.Added != 0 || again.Updated != 0 || again.NewEvents != 0 {
					t.Errorf("n=%d non-empty=%v: restoring again gave %+v, %v; want nothing new", n, nonEmpty, again, err)
				}
				if g2 := dump(t, got); len(g2.Events) != len(g.Events) {
					t.Errorf("n=%d non-empty=%v: restoring again left %d events, want %d", n, nonEmpty, len(g2.Events), len(g.Events))
				}
				for _, c := range export.Contacts {
					evs, _, err := got.History(HistoryQuery{Slug: c.Slug, Limit: 1000})
					wevs, _, _ := want.History(HistoryQuery{Slug: c.Slug, Limit: 1000})
					if err != nil || len(evs) != len(wevs) {
						t.Errorf("n=%d non-empty=%v: %s has %d events by its index (%v), want %d", n, nonEmpty, c.Slug, len(evs), err, len(wevs))
					}
				}
			}
		}
	}
}

func mustStats(t *testing.T, db *DB) Stats {
	t.Helper()
	s, err := db.Stats()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A file refused after many records were staged, committed step by step,
// changes nothing the store shows, and leaves no staging area behind.
func TestStagedRestoreRefusedLateChangesNothing(t *testing.T) {
	src, srcClock, _ := openTemp(t)
	populate(t, src, srcClock)
	export := dump(t, src)

	bad := func(a protocol.Archive) protocol.Archive {
		a.Events = append(append([]protocol.Event{}, a.Events...), protocol.Event{ID: a.Events[0].ID.Next(), Slug: "Not A Slug!", Kind: protocol.EventNoteAdded})
		return a
	}
	conflict := func(a protocol.Archive) protocol.Archive {
		// Grace's note id, given to a contact of the file.
		a.Contacts = append([]protocol.Contact{}, a.Contacts...)
		c := a.Contacts[len(a.Contacts)-1]
		c.Notes = append(append([]protocol.Note{}, c.Notes...), protocol.Note{ID: "g1", Text: "theirs", Created: srcClock.Now(), Updated: srcClock.Now()})
		a.Contacts[len(a.Contacts)-1] = c
		return a
	}
	for _, tt := range []struct {
		name     string
		file     protocol.Archive
		nonEmpty bool
		code     protocol.Code
	}{
		{"a bad last event, empty store", bad(export), false, protocol.CodeInvalidField},
		{"a bad last event, store with data", bad(export), true, protocol.CodeInvalidField},
		{"a note id the store gives another contact", conflict(export), true, protocol.CodeConflict},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db, clk, _ := openTemp(t)
			if tt.nonEmpty {
				see(t, db, Sighting{Slug: "grace-h", Name: "Grace"}, Sighting{Slug: "ada-x", Name: "Ada, before"})
				if _, _, err := db.AddNote("grace-h", "g1", "mine"); err != nil {
					t.Fatal(err)
				}
				clk.Advance(time.Minute)
			}
			before := dump(t, db)
			_, err := restoreSteps(db, tt.file, 2)
			if protocol.ErrorCode(err) != tt.code {
				t.Fatalf("restore: %v, want code %s", err, tt.code)
			}
			after := dump(t, db)
			before.ExportedAt, after.ExportedAt = time.Time{}, time.Time{}
			if !reflect.DeepEqual(before, after) {
				t.Errorf("a refused restore changed the store:\n%+v\n%+v", before, after)
			}
			checkIndexMatchesDisk(t, db)
			if hasStaged(t, db) {
				t.Error("a refused restore left its staging area")
			}
		})
	}
}

// A restore stopped by a crash leaves its staging area: the file still
// verifies, the store shows none of it, and the next restore replaces it.
func TestStagedRestoreLeftByACrash(t *testing.T) {
	src, srcClock, _ := openTemp(t)
	populate(t, src, srcClock)
	export := dump(t, src)

	db, _, path := openTemp(t)
	if err := db.stage(); err != nil {
		t.Fatal(err)
	}
	if err := db.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketStaged).Bucket(bucketContacts).Put([]byte("half-x"), []byte(`{"slug":"half-x","name":"Half"}`))
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := Verify(path); err != nil {
		t.Fatalf("Verify of a file with a staged restore: %v", err)
	}
	db = openAt(t, path, newClock())
	if s := mustStats(t, db); s.Contacts != 0 {
		t.Errorf("the store shows %d contacts of a staged restore", s.Contacts)
	}
	if _, err := restoreSteps(db, export, 3); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Contact("half-x"); protocol.ErrorCode(err) != protocol.CodeNotFound {
		t.Errorf("a contact staged before the crash came through: %v", err)
	}
	if got := mustStats(t, db); got.Contacts != len(export.Contacts) || got.Events != len(export.Events) {
		t.Errorf("after the restore: %+v", got)
	}
}

// Only the staging area may hold buckets, one level deep: a bucket inside
// one of its buckets is refused like any other nesting.
func TestVerifyRefusesNestingInsideTheStagingArea(t *testing.T) {
	db, _, path := openTemp(t)
	if err := db.stage(); err != nil {
		t.Fatal(err)
	}
	if err := db.bolt.Update(func(tx *bolt.Tx) error {
		_, err := tx.Bucket(bucketStaged).Bucket(bucketEvents).CreateBucket([]byte("deeper"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := Verify(path); err == nil {
		t.Error("Verify accepted a bucket nested two levels deep")
	}
}
