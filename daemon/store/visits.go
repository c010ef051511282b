package store

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tactful/tactful/protocol"
)

// keyVisits holds, in meta/, the JSON protocol.Visits: when the user's
// visits to the connections page began and ended, which the annotation
// rules need to tell who is new since the previous visit. It is the only
// state the "New" badge needs; a store without it (older, or restored from
// an export) starts at the first visit, where nobody is new.
var keyVisits = []byte("visits")

// Visits returns the recorded visits; the zero value when there are none.
func (db *DB) Visits() (protocol.Visits, error) {
	var v protocol.Visits
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		v, err = getVisits(tx)
		return err
	})
	return v, db.readErr("visits", err)
}

// AdvanceVisits records a sighting of the connections page at the store's
// clock: next (annotate.NextVisits) says how the visits move on, and whether
// they changed. Most sightings change nothing and cost a read transaction;
// the others one small write.
func (db *DB) AdvanceVisits(next func(v protocol.Visits, now time.Time) (protocol.Visits, bool)) (protocol.Visits, error) {
	now := db.clock()
	v, err := db.Visits()
	if err != nil {
		return protocol.Visits{}, err
	}
	if _, changed := next(v, now); !changed {
		return v, nil
	}
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		cur, err := getVisits(tx)
		if err != nil {
			return err
		}
		moved, changed := next(cur, now)
		v = moved
		if !changed {
			return nil
		}
		data, err := json.Marshal(moved)
		if err != nil {
			return fmt.Errorf("encode visits: %w", err)
		}
		return tx.Bucket(bucketMeta).Put(keyVisits, data)
	})
	if err != nil {
		return protocol.Visits{}, db.writeErr("visits", err)
	}
	return v, nil
}

// getVisits reads meta/visits. A value that does not decode is treated as
// no visits at all: nobody is shown as new, which is the safe mistake.
func getVisits(tx *bolt.Tx) (protocol.Visits, error) {
	var v protocol.Visits
	data := tx.Bucket(bucketMeta).Get(keyVisits)
	if data == nil {
		return v, nil
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return protocol.Visits{}, nil
	}
	return v, nil
}
