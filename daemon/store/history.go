package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/tactful/tactful/protocol"
)

// History returns the events q selects, newest first, and the cursor for the
// next page: the Seq of the last event returned when more may follow, 0 when
// there is nothing older. With q.Slug it walks that contact's index only.
func (db *DB) History(q HistoryQuery) ([]protocol.Event, uint64, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = protocol.DefaultHistoryLimit
	}
	needle := strings.ToLower(strings.TrimSpace(q.Text))
	match := func(e *protocol.Event) bool {
		if len(q.Kinds) > 0 && !slices.Contains(q.Kinds, e.Kind) {
			return false
		}
		if needle == "" {
			return true
		}
		return strings.Contains(strings.ToLower(e.Name), needle) ||
			strings.Contains(strings.ToLower(e.Summary), needle) ||
			strings.Contains(strings.ToLower(e.Text), needle)
	}

	events := []protocol.Event{}
	var next uint64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		it := newEventIter(tx, q.Slug, q.Before)
		for seq := it.first(); seq != 0; seq = it.prev() {
			raw := tx.Bucket(bucketEvents).Get(u64(seq))
			if raw == nil {
				continue
			}
			var e protocol.Event
			if err := json.Unmarshal(raw, &e); err != nil {
				return fmt.Errorf("decode event %d: %w", seq, err)
			}
			// Sequence numbers are handed out in time order, so once an event
			// is older than Since, all that follow are too.
			if !q.Since.IsZero() && e.At.Before(q.Since) {
				return nil
			}
			if !match(&e) {
				continue
			}
			events = append(events, e)
			if len(events) == limit {
				if it.prev() != 0 {
					next = e.Seq
				}
				return nil
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, db.readErr("history", err)
	}
	return events, next, nil
}

// eventIter walks sequence numbers below a bound, newest first, either over
// all events or over one contact's index.
type eventIter struct {
	c      *bolt.Cursor
	prefix []byte // nil: all events
	upper  []byte // the first key not to return; nil: no bound
}

func newEventIter(tx *bolt.Tx, slug string, before uint64) *eventIter {
	if slug == "" {
		it := &eventIter{c: tx.Bucket(bucketEvents).Cursor()}
		if before != 0 {
			it.upper = u64(before)
		}
		return it
	}
	it := &eventIter{c: tx.Bucket(bucketContactEvents).Cursor(), prefix: contactEventPrefix(slug)}
	if before != 0 {
		it.upper = contactEventKey(slug, before)
	} else {
		// The byte after the 0x00 separator bounds every key of this slug.
		it.upper = append([]byte(slug), 1)
	}
	return it
}

// first positions the cursor on the newest key below the bound.
func (it *eventIter) first() uint64 {
	var k []byte
	if it.upper == nil {
		k, _ = it.c.Last()
	} else if k, _ = it.c.Seek(it.upper); k == nil {
		k, _ = it.c.Last()
	} else {
		k, _ = it.c.Prev()
	}
	return it.seq(k)
}

func (it *eventIter) prev() uint64 {
	k, _ := it.c.Prev()
	return it.seq(k)
}

// seq reads the sequence number from a key, 0 past the end of the range.
func (it *eventIter) seq(k []byte) uint64 {
	if k == nil {
		return 0
	}
	if it.prefix != nil {
		if !bytes.HasPrefix(k, it.prefix) || len(k) != len(it.prefix)+8 {
			return 0
		}
		k = k[len(it.prefix):]
	}
	if len(k) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(k)
}
