package protocol

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"time"
)

// EventID identifies one event in every store it reaches: an export, a
// restore into another home, a merge of two stores' exports. It is 16 bytes:
// a time (Unix nanoseconds, big-endian) and 64 bits that tell apart events
// of the same instant. Sorting ids sorts events by time, so stores keep them
// in that order and history pages can stop at the first event before a day.
//
// On the wire and in exports it is 32 lower-case hex digits; history_get's
// cursor is the id of the last event of the previous page.
type EventID [16]byte

// The times an id can carry: Unix nanoseconds fit in 63 bits from 1970 to
// 2262.
var (
	minEventTime = time.Unix(0, 0).UTC()
	maxEventTime = time.Unix(0, 1<<63-1).UTC()
)

// NewEventID returns a fresh id for an event at t, with 64 random bits.
func NewEventID(t time.Time) (EventID, error) {
	var id EventID
	if err := CheckEventTime(t); err != nil {
		return id, err
	}
	binary.BigEndian.PutUint64(id[:8], uint64(t.UnixNano()))
	if _, err := rand.Read(id[8:]); err != nil {
		return EventID{}, err
	}
	return id, nil
}

// LegacyEventID is the id of an event that was stored or exported before
// events had ids (store schema 1, export version 1): its time, and the first
// 64 bits of a SHA-256 of the event itself. The same old event always gets
// the same id, so restoring an old export into a store that was upgraded
// from the same data, or restoring it twice, keeps each event once.
//
// A time an id cannot hold (a hand-edited file's year 1) is moved to the
// nearest one it can.
func LegacyEventID(e Event) (EventID, error) {
	var id EventID
	at := e.At
	if at.Before(minEventTime) {
		at = minEventTime
	} else if at.After(maxEventTime) {
		at = maxEventTime
	}
	e.ID = EventID{}
	raw, err := json.Marshal(e)
	if err != nil {
		return id, err
	}
	sum := sha256.Sum256(raw)
	binary.BigEndian.PutUint64(id[:8], uint64(at.UnixNano()))
	copy(id[8:], sum[:8])
	return id, nil
}

// CheckEventTime refuses a time an EventID cannot hold.
func CheckEventTime(t time.Time) error {
	if t.Before(minEventTime) || t.After(maxEventTime) {
		return Errorf(CodeInvalidField, "An event's time must lie between 1970 and 2262, not %s.", t.UTC().Format(time.RFC3339))
	}
	return nil
}

// ParseEventID reads the 32 hex digits String writes.
func ParseEventID(s string) (EventID, error) {
	var id EventID
	if len(s) != 2*len(id) {
		return id, Errorf(CodeInvalidField, "An event id is %d hex digits.", 2*len(id))
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return EventID{}, Errorf(CodeInvalidField, "An event id is %d lower-case hex digits.", 2*len(id))
		}
	}
	if _, err := hex.Decode(id[:], []byte(s)); err != nil {
		return EventID{}, Errorf(CodeInvalidField, "An event id is %d hex digits.", 2*len(id))
	}
	return id, nil
}

// EventIDFromKey reads an id from the 16 bytes a store keeps it in; ok is
// false when key has another length.
func EventIDFromKey(key []byte) (id EventID, ok bool) {
	if len(key) != len(id) {
		return id, false
	}
	copy(id[:], key)
	return id, true
}

// String is the id's 32 hex digits.
func (id EventID) String() string { return hex.EncodeToString(id[:]) }

// IsZero reports whether id is unset.
func (id EventID) IsZero() bool { return id == EventID{} }

// UnixNano is the time the id orders by.
func (id EventID) UnixNano() int64 { return int64(binary.BigEndian.Uint64(id[:8])) }

// Next returns the id that follows id within the same time, for the rare
// case two events would otherwise share one.
func (id EventID) Next() EventID {
	n := binary.BigEndian.Uint64(id[8:])
	binary.BigEndian.PutUint64(id[8:], n+1)
	return id
}

// MarshalText writes the hex form.
func (id EventID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText reads the hex form.
func (id *EventID) UnmarshalText(b []byte) error {
	v, err := ParseEventID(string(b))
	if err != nil {
		return err
	}
	*id = v
	return nil
}
