package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tactful/tactful/protocol"
)

// Snapshot is one consistent read of the whole store, for exports: what
// its methods walk does not change while fn runs, and nothing of it is held
// in memory at once.
type Snapshot struct {
	tx *bolt.Tx
	// At is when the snapshot was taken, by the store's clock.
	At time.Time
}

// Snapshot runs fn on a read transaction of the whole store.
func (db *DB) Snapshot(fn func(s *Snapshot) error) error {
	if db.legacy {
		return errLegacy(db.path)
	}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return fn(&Snapshot{tx: tx, At: db.clock()})
	})
	return db.readErr("snapshot", err)
}

// Contacts calls fn for each contact, by slug.
func (s *Snapshot) Contacts(fn func(protocol.Contact) error) error {
	return s.tx.Bucket(bucketContacts).ForEach(func(k, v []byte) error {
		var c protocol.Contact
		if err := json.Unmarshal(v, &c); err != nil {
			return fmt.Errorf("decode contact %s: %w", k, err)
		}
		normalizeContact(&c)
		return fn(c)
	})
}

// Events calls fn for each event, oldest first.
func (s *Snapshot) Events(fn func(protocol.Event) error) error {
	return s.tx.Bucket(bucketEvents).ForEach(func(k, v []byte) error {
		var e protocol.Event
		if err := json.Unmarshal(v, &e); err != nil {
			return fmt.Errorf("decode event %x: %w", k, err)
		}
		return fn(e)
	})
}

// RawEvents calls fn with each event's stored JSON (what encoding/json
// makes of a protocol.Event), oldest first. raw is valid only during fn.
func (s *Snapshot) RawEvents(fn func(raw []byte) error) error {
	return s.tx.Bucket(bucketEvents).ForEach(func(_, v []byte) error { return fn(v) })
}

// EventCount counts the events of one contact, from its index alone.
func (s *Snapshot) EventCount(slug string) int {
	prefix := contactEventPrefix(slug)
	c := s.tx.Bucket(bucketContactEvents).Cursor()
	n := 0
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		n++
	}
	return n
}

// Dump returns everything the store holds: contacts sorted by slug, events
// oldest first. It holds the whole store in memory; exports use Snapshot.
func (db *DB) Dump() (protocol.Archive, error) {
	a := protocol.Archive{Format: protocol.ArchiveFormat, Version: protocol.ArchiveVersion,
		Contacts: []protocol.Contact{}, Events: []protocol.Event{}}
	err := db.Snapshot(func(s *Snapshot) error {
		a.ExportedAt = s.At
		if err := s.Contacts(func(c protocol.Contact) error { a.Contacts = append(a.Contacts, c); return nil }); err != nil {
			return err
		}
		return s.Events(func(e protocol.Event) error { a.Events = append(a.Events, e); return nil })
	})
	if err != nil {
		return protocol.Archive{}, err
	}
	return a, nil
}

// Load restores an archive in memory (see Restore), contacts by slug and
// events by id. It refuses an archive that is not tactful's, or newer.
func (db *DB) Load(a protocol.Archive) (added, updated int, err error) {
	if err := protocol.CheckArchive(a.Format, a.Version); err != nil {
		return 0, 0, err
	}
	contacts := slices.Clone(a.Contacts)
	slices.SortStableFunc(contacts, func(x, y protocol.Contact) int { return strings.Compare(x.Slug, y.Slug) })
	events := slices.Clone(a.Events)
	slices.SortStableFunc(events, func(x, y protocol.Event) int { return bytes.Compare(x.ID[:], y.ID[:]) })
	res, err := db.Restore(func(l *Loader) error {
		for _, c := range contacts {
			if err := l.Contact(c); err != nil {
				return err
			}
		}
		for _, e := range events {
			if err := l.Event(e); err != nil {
				return err
			}
		}
		return nil
	})
	return res.Added, res.Updated, err
}

// rebuildIndexes recomputes the note and tag indexes from the contacts. A
// note id that two contacts claim is a conflict and undoes the transaction.
// With idx, every contact also enters the in-memory index at the commit.
func rebuildIndexes(tx *bolt.Tx, idx *contactIndex) error {
	for _, name := range [][]byte{bucketNotes, bucketTags} {
		if err := tx.DeleteBucket(name); err != nil {
			return err
		}
		if _, err := tx.CreateBucket(name); err != nil {
			return err
		}
	}
	notes, tags := tx.Bucket(bucketNotes), tx.Bucket(bucketTags)
	counts := map[string]uint64{}
	err := tx.Bucket(bucketContacts).ForEach(func(k, v []byte) error {
		var c protocol.Contact
		if err := json.Unmarshal(v, &c); err != nil {
			return fmt.Errorf("decode contact %s: %w", k, err)
		}
		for _, n := range c.Notes {
			if owner := notes.Get([]byte(n.ID)); owner != nil && !bytes.Equal(owner, k) {
				return protocol.Errorf(protocol.CodeConflict, "The note id %s belongs to both %s and %s; nothing was imported.", n.ID, owner, k)
			}
			if err := notes.Put([]byte(n.ID), bytes.Clone(k)); err != nil {
				return err
			}
		}
		for _, t := range c.Tags {
			counts[t]++
		}
		normalizeContact(&c)
		idx.onCommit(tx, c)
		return nil
	})
	if err != nil {
		return err
	}
	for t, n := range counts {
		if err := tags.Put([]byte(t), binary.BigEndian.AppendUint64(nil, n)); err != nil {
			return err
		}
	}
	return nil
}

// Backup writes a consistent copy of the database to w while it stays open
// for reads and writes.
func (db *DB) Backup(w io.Writer) (int64, error) {
	var n int64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("back up %s: %w", db.path, err)
	}
	return n, nil
}
