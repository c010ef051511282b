package store

import (
	"encoding/json"
	"fmt"
	"sync"
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

// visitsMemo keeps the recorded visits in memory: every contacts_seen reads
// them, and only AdvanceVisits writes them.
type visitsMemo struct {
	// advance lets one AdvanceVisits at a time decide and write: the
	// first batches of a visit, arriving together from many tabs, make
	// one write between them, not one fsynced write each.
	advance sync.Mutex
	mu      sync.RWMutex
	known   bool
	v       protocol.Visits
}

// Visits returns the recorded visits; the zero value when there are none.
func (db *DB) Visits() (protocol.Visits, error) {
	m := &db.visits
	m.mu.RLock()
	v, known := m.v, m.known
	m.mu.RUnlock()
	if known {
		return v, nil
	}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		v, err = getVisits(tx)
		return err
	})
	if err != nil {
		return v, db.readErr("visits", err)
	}
	m.mu.Lock()
	if !m.known {
		m.v, m.known = v, true
	}
	v = m.v
	m.mu.Unlock()
	return v, nil
}

// AdvanceVisits records a sighting of the connections page at the store's
// clock: next (annotate.NextVisits) says how the visits move on, and whether
// they changed. Most sightings change nothing and cost a read transaction;
// the others one small write.
func (db *DB) AdvanceVisits(next func(v protocol.Visits, now time.Time) (protocol.Visits, bool)) (protocol.Visits, error) {
	db.visits.advance.Lock()
	defer db.visits.advance.Unlock()
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
	db.visits.mu.Lock()
	db.visits.v, db.visits.known = v, true
	db.visits.mu.Unlock()
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
