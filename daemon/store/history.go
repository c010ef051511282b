package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

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
	cannotMatch := rawFilter(q.Kinds, needle)

	events := []protocol.Event{}
	var next uint64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		it := newEventIter(tx, q.Slug, q.Before)
		for seq := it.first(); seq != 0; seq = it.prev() {
			raw := tx.Bucket(bucketEvents).Get(u64(seq))
			if raw == nil {
				continue
			}
			if q.Since.IsZero() && cannotMatch(raw) {
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

// rawFilter returns a test that rules events out from their stored JSON
// without decoding it, which is most of the cost of a search over a long
// history. It only answers true when decoding could not match: with Since
// set the event must still be decoded to know when to stop.
func rawFilter(kinds []protocol.EventKind, needle string) func(raw []byte) bool {
	var kindKeys [][]byte
	for _, k := range kinds {
		// json.Marshal writes the field exactly so, and kinds need no escaping.
		kindKeys = append(kindKeys, []byte(`"kind":"`+string(k)+`"`))
	}
	// A needle of plain ASCII appears verbatim in the JSON of any field that
	// holds it, as long as the JSON is ASCII too (where Unicode case folding
	// could map other letters onto ASCII ones, decode and compare properly).
	plainNeedle := needle != ""
	for i := 0; i < len(needle); i++ {
		if c := needle[i]; c >= utf8.RuneSelf || c < 0x20 || strings.IndexByte(`"\<>&`, c) >= 0 {
			plainNeedle = false
		}
	}
	return func(raw []byte) bool {
		if len(kindKeys) > 0 && !slices.ContainsFunc(kindKeys, func(k []byte) bool { return bytes.Contains(raw, k) }) {
			return true
		}
		return plainNeedle && isASCII(raw) && !containsFoldASCII(raw, needle)
	}
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// containsFoldASCII reports whether the lower-case ASCII needle occurs in
// haystack, ignoring ASCII case.
func containsFoldASCII(haystack []byte, needle string) bool {
	first := needle[0]
	upper := first
	if 'a' <= first && first <= 'z' {
		upper = first - 'a' + 'A'
	}
	for i := 0; i+len(needle) <= len(haystack); i++ {
		if c := haystack[i]; c != first && c != upper {
			continue
		}
		if asciiEqualFold(haystack[i:i+len(needle)], needle) {
			return true
		}
	}
	return false
}

func asciiEqualFold(b []byte, lower string) bool {
	for i := range len(b) {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}
