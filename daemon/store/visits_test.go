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
