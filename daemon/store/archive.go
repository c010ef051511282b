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

// Restored says what a restore did.
type Restored struct {
	// Contacts counts the contacts read; Added those new to the store and
	// Updated those that differed from the stored one.
	Contacts, Added, Updated int
	// Events counts the events read, NewEvents those the store lacked.
	Events, NewEvents int
}

// Loader files the records of an export inside Restore's one transaction.
// Each record is checked (protocol's Validate) before it is written; any
// error undoes everything.
type Loader struct {
	tx       *bolt.Tx
	contacts *bolt.Bucket
	events   *bolt.Bucket
	seen     map[string]bool
	index    [][]byte
	res      Restored
}

// Contact replaces the stored contact of c.Slug with c.
func (l *Loader) Contact(c protocol.Contact) error {
	l.res.Contacts++
	if err := c.Validate(); err != nil {
		return recordErr(protocol.Describe("contact", l.res.Contacts, c.Slug), err)
	}
	if l.seen[c.Slug] {
		return protocol.Errorf(protocol.CodeInvalidField, "The export lists contact %s twice.", c.Slug)
	}
	l.seen[c.Slug] = true
	raw, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode contact: %w", err)
	}
	stored := l.contacts.Get([]byte(c.Slug))
	switch {
	case stored == nil:
		l.res.Added++
	case bytes.Equal(stored, raw):
		return nil
	default:
		l.res.Updated++
	}
	return l.contacts.Put([]byte(c.Slug), raw)
}

// Event adds e unless the store holds an event with its id already: an
// event is kept exactly once however often it is restored or merged.
func (l *Loader) Event(e protocol.Event) error {
	l.res.Events++
	if err := e.Validate(); err != nil {
		return recordErr(protocol.Describe("event", l.res.Events, e.Slug), err)
	}
	if l.events.Get(e.ID[:]) != nil {
		return nil
	}
	raw, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encode event: %w", err)
	}
	if err := l.events.Put(e.ID[:], raw); err != nil {
		return err
	}
	l.res.NewEvents++
	l.index = append(l.index, contactEventKey(e.Slug, e.ID))
	return nil
}

func recordErr(what string, err error) error {
	return protocol.Errorf(protocol.ErrorCode(err), "In the export, %s: %s", what, protocol.ErrorMessage(err))
}

// Restore runs fill with a Loader in one write transaction: contacts it
// gives replace the stored ones, events the store lacks are added, and the
// note and tag indexes are rebuilt. When fill or a check fails, nothing is
// changed.
//
// Within one transaction a bbolt node splits only at commit, so every Put
// into the middle of a large node moves what follows it: fill should give
// contacts by slug and events by id, as exports list them, or a heavy
// user's restore turns quadratic. The per-contact index is sorted here.
func (db *DB) Restore(fill func(l *Loader) error) (Restored, error) {
	var res Restored
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		l := &Loader{tx: tx, contacts: tx.Bucket(bucketContacts), events: tx.Bucket(bucketEvents), seen: map[string]bool{}}
		l.contacts.FillPercent = contactsFill
		l.events.FillPercent = 0.95
		if err := fill(l); err != nil {
			return err
		}
		slices.SortFunc(l.index, bytes.Compare)
		byContact := tx.Bucket(bucketContactEvents)
		for _, k := range l.index {
			if err := byContact.Put(k, nil); err != nil {
				return err
			}
		}
		res = l.res
		return rebuildIndexes(tx)
	})
	if err != nil {
		return Restored{}, db.writeErr("restore", err)
	}
	db.log.Info().Int("contacts", res.Contacts).Int("added", res.Added).Int("updated", res.Updated).
		Int("events", res.Events).Int("new_events", res.NewEvents).Msg("export restored")
	return res, nil
}

// Load restores an archive in memory (see Restore), contacts by slug and
// events by id. It refuses an archive that is not tactful's, or newer.
func (db *DB) Load(a protocol.Archive) (added, updated int, err error) {
	if a.Format != protocol.ArchiveFormat {
		return 0, 0, protocol.Errorf(protocol.CodeInvalidField, "This is not a tactful export: its format is %q, not %q.", clip(a.Format, 40), protocol.ArchiveFormat)
	}
	if a.Version < 1 || a.Version > protocol.ArchiveVersion {
		return 0, 0, protocol.Errorf(protocol.CodeInvalidField, "This export has version %d; this tactful reads versions 1 to %d. Update tactful to import it.", a.Version, protocol.ArchiveVersion)
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
func rebuildIndexes(tx *bolt.Tx) error {
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

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
