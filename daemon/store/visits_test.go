package store

import (
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tactful/tactful/protocol"
)

// step is a stand-in for annotate.NextVisits (the store does not import the
// rules): every sighting a minute or more after the last is recorded.
func step(v protocol.Visits, now time.Time) (protocol.Visits, bool) {
	if !v.Last.IsZero() && now.Sub(v.Last) < time.Minute {
		return v, false
	}
	if v.Current.IsZero() {
		v.Current = now
	}
	v.Last = now
	return v, true
}

func TestVisitsAreKeptAcrossRestarts(t *testing.T) {
	db, clk, path := openTemp(t)
	if v, err := db.Visits(); err != nil || v != (protocol.Visits{}) {
		t.Fatalf("a fresh store has visits %+v, %v", v, err)
	}
	start := clk.Now()
	v, err := db.AdvanceVisits(step)
	if err != nil || !v.Current.Equal(start) || !v.Last.Equal(start) {
		t.Fatalf("AdvanceVisits = %+v, %v", v, err)
	}
	clk.Advance(30 * time.Second)
	if v, err = db.AdvanceVisits(step); err != nil || !v.Last.Equal(start) {
		t.Fatalf("a sighting the step leaves alone changed the visits: %+v, %v", v, err)
	}
	clk.Advance(time.Minute)
	if _, err = db.AdvanceVisits(step); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openAt(t, path, clk)
	got, err := db.Visits()
	if err != nil || !got.Current.Equal(start) || !got.Last.Equal(start.Add(90*time.Second)) {
		t.Fatalf("after a restart the visits are %+v, %v", got, err)
	}
}

func TestDamagedVisitsMeanNone(t *testing.T) {
	db, _, _ := openTemp(t)
	if err := db.bolt.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keyVisits, []byte("{not json")) }); err != nil {
		t.Fatal(err)
	}
	if v, err := db.Visits(); err != nil || v != (protocol.Visits{}) {
		t.Fatalf("damaged visits read as %+v, %v; want none, so nobody is New", v, err)
	}
	if _, err := db.AdvanceVisits(step); err != nil {
		t.Fatalf("the next sighting cannot write over a damaged value: %v", err)
	}
}

// TestConcurrentSightingsOfThePageWriteTheVisitOnce: the first batches of
// a visit arrive together from every open tab; they agree on the visits
// and make one write between them, as a single sighting does.
func TestConcurrentSightingsOfThePageWriteTheVisitOnce(t *testing.T) {
	writes := func(callers int) (int64, []protocol.Visits) {
		db, _, _ := openTemp(t)
		pageWrites := func() int64 { st := db.bolt.Stats(); return st.TxStats.GetWrite() }
		before := pageWrites()
		out := make([]protocol.Visits, callers)
		done := make(chan struct{})
		for i := range callers {
			go func() {
				defer func() { done <- struct{}{} }()
				v, err := db.AdvanceVisits(step)
				if err != nil {
					t.Error(err)
				}
				out[i] = v
			}()
		}
		for range callers {
			<-done
		}
		return pageWrites() - before, out
	}
	one, _ := writes(1)
	many, seen := writes(20)
	if one == 0 || many != one {
		t.Errorf("one sighting wrote %d pages, 20 at once %d", one, many)
	}
	for _, v := range seen[1:] {
		if v != seen[0] {
			t.Errorf("concurrent sightings disagree on the visits: %+v and %+v", v, seen[0])
		}
	}
}
