package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"github.com/tactful/tactful/protocol"
)

// History returns the events q selects, newest first, and the cursor for the
// next page: the id of the last event returned when more may follow, zero
// when there is nothing older. With q.Slug it walks that contact's index only.
func (db *DB) History(q HistoryQuery) ([]protocol.Event, protocol.EventID, error) {
	if db.legacy {
		return nil, protocol.EventID{}, errLegacy(db.path)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = protocol.DefaultHistoryLimit
	}
	needle := strings.ToLower(strings.TrimSpace(q.Text))
	match := func(e *protocol.Event) bool {
		if !q.Since.IsZero() && e.At.Before(q.Since) {
			return false
		}
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
	var next protocol.EventID
	err := db.bolt.View(func(tx *bolt.Tx) error {
		it := newEventIter(tx, q.Slug, q.Before)
		for id, ok := it.first(); ok; id, ok = it.prev() {
			// Ids sort by time, and an event's id never carries a time
			// before the event's own: once ids fall before Since, so do all
			// the events that follow.
			if !q.Since.IsZero() && id.UnixNano() < q.Since.UnixNano() {
				return nil
			}
			raw := tx.Bucket(bucketEvents).Get(id[:])
			if raw == nil || cannotMatch(raw) {
				continue
			}
			var e protocol.Event
			if err := json.Unmarshal(raw, &e); err != nil {
				return fmt.Errorf("decode event %s: %w", id, err)
			}
			if !match(&e) {
				continue
			}
			events = append(events, e)
			if len(events) == limit {
				if _, more := it.prev(); more {
					next = e.ID
				}
				return nil
			}
		}
		return nil
	})
	if err != nil {
		return nil, protocol.EventID{}, db.readErr("history", err)
	}
	return events, next, nil
}

// eventIter walks event ids below a bound, newest first, either over all
// events or over one contact's index.
type eventIter struct {
	c      *bolt.Cursor
	prefix []byte // nil: all events
	upper  []byte // the first key not to return; nil: no bound
}

func newEventIter(tx *bolt.Tx, slug string, before protocol.EventID) *eventIter {
	if slug == "" {
		it := &eventIter{c: tx.Bucket(bucketEvents).Cursor()}
		if !before.IsZero() {
			it.upper = before[:]
		}
		return it
	}
	it := &eventIter{c: tx.Bucket(bucketContactEvents).Cursor(), prefix: contactEventPrefix(slug)}
	if !before.IsZero() {
		it.upper = contactEventKey(slug, before)
	} else {
		// The byte after the 0x00 separator bounds every key of this slug.
		it.upper = append([]byte(slug), 1)
	}
	return it
}

// first positions the cursor on the newest key below the bound.
func (it *eventIter) first() (protocol.EventID, bool) {
	var k []byte
	if it.upper == nil {
		k, _ = it.c.Last()
	} else if k, _ = it.c.Seek(it.upper); k == nil {
		k, _ = it.c.Last()
	} else {
		k, _ = it.c.Prev()
	}
	return it.id(k)
}

func (it *eventIter) prev() (protocol.EventID, bool) {
	k, _ := it.c.Prev()
	return it.id(k)
}

// id reads the event id from a key; false past the end of the range.
func (it *eventIter) id(k []byte) (protocol.EventID, bool) {
	if k == nil {
		return protocol.EventID{}, false
	}
	if it.prefix != nil {
		if !bytes.HasPrefix(k, it.prefix) {
			return protocol.EventID{}, false
		}
		k = k[len(it.prefix):]
	}
	return protocol.EventIDFromKey(k)
}

// rawFilter returns a test that rules events out from their stored JSON
// without decoding it, which is most of the cost of a search over a long
// history. It only answers true when decoding could not match.
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
