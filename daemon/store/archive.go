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

	// commitEvery, when set, commits after that many records and goes on
	// in a new transaction, so memory stays bounded (RestoreInSteps).
	commitEvery int
	pending     int
	bolt        *bolt.DB
	// idx follows each step's commit (index.go); nil without an index.
	idx *contactIndex
}

// use points the loader at tx.
func (l *Loader) use(tx *bolt.Tx) {
	l.tx, l.contacts, l.events = tx, tx.Bucket(bucketContacts), tx.Bucket(bucketEvents)
	l.contacts.FillPercent = contactsFill
	l.events.FillPercent = 0.95
}

// putIndex files the per-contact index of the events added, sorted, so
// that its keys go in at one place after another rather than all over the
// bucket in every step.
func (l *Loader) putIndex() error {
	slices.SortFunc(l.index, bytes.Compare)
	for _, k := range l.index {
		if err := l.tx.Bucket(bucketContactEvents).Put(k, nil); err != nil {
			return err
		}
		if err := l.step(); err != nil {
			return err
		}
	}
	l.index = nil
	return nil
}

// step commits what is pending once commitEvery records are, and begins
// the next transaction.
func (l *Loader) step() error {
	l.pending++
	if l.commitEvery <= 0 || l.pending < l.commitEvery {
		return nil
	}
	l.pending = 0
	if err := l.tx.Commit(); err != nil {
		return err
	}
	tx, err := l.bolt.Begin(true)
	if err != nil {
		return err
	}
	l.use(tx)
	return nil
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
		return l.step()
	default:
		l.res.Updated++
	}
	if err := l.contacts.Put([]byte(c.Slug), raw); err != nil {
		return err
	}
	normalizeContact(&c)
	l.idx.onCommit(l.tx, c)
	return l.step()
}

// Event adds e unless the store holds an event with its id already: an
// event is kept exactly once however often it is restored or merged.
func (l *Loader) Event(e protocol.Event) error {
	l.res.Events++
	if err := e.Validate(); err != nil {
		return recordErr(protocol.Describe("event", l.res.Events, e.Slug), err)
	}
	if l.events.Get(e.ID[:]) != nil {
		// A restore stopped by a crash may have filed the event but not
		// yet its index entry; running it again completes both.
		if k := contactEventKey(e.Slug, e.ID); l.tx.Bucket(bucketContactEvents).Get(k) == nil {
			l.index = append(l.index, k)
		}
		return l.step()
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
	return l.step()
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
	return db.restore(fill, 0)
}

// RestoreInSteps is Restore committing every n records, so that a heavy
// user's restore holds only n records' pages in memory instead of the
// whole store's. A failure part way keeps what the steps before it wrote:
// the caller checks the whole file first (export.ScanJSON, then
// CheckNoteOwners), so only a full disk or a crash can stop it, and running
// the same restore again completes it, since restoring is idempotent.
func (db *DB) RestoreInSteps(fill func(l *Loader) error, n int) (Restored, error) {
	return db.restore(fill, n)
}

func (db *DB) restore(fill func(l *Loader) error, every int) (res Restored, err error) {
	tx, err := db.bolt.Begin(true)
	if err != nil {
		return Restored{}, db.writeErr("restore", err)
	}
	l := &Loader{seen: map[string]bool{}, commitEvery: every, bolt: db.bolt, idx: db.idx}
	l.use(tx)
	defer func() {
		if p := recover(); p != nil {
			_ = l.tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = l.tx.Rollback()
		}
	}()
	if err := fill(l); err != nil {
		return Restored{}, db.writeErr("restore", err)
	}
	if err := l.putIndex(); err != nil {
		return Restored{}, db.writeErr("restore", err)
	}
	if err := rebuildIndexes(l.tx); err != nil {
		return Restored{}, db.writeErr("restore", err)
	}
	if err := l.tx.Commit(); err != nil {
		return Restored{}, db.writeErr("restore", err)
	}
	res = l.res
	db.log.Info().Int("contacts", res.Contacts).Int("added", res.Added).Int("updated", res.Updated).
		Int("events", res.Events).Int("new_events", res.NewEvents).Msg("export restored")
	return res, nil
}

// CheckNoteOwners refuses a restore that would give a note id to two
// contacts: owners maps each note id of the file to its contact, and
// replaced holds every contact the file replaces (whose stored notes go).
func (db *DB) CheckNoteOwners(owners map[string]string, replaced map[string]bool) error {
	err := db.bolt.View(func(tx *bolt.Tx) error {
		notes := tx.Bucket(bucketNotes)
		for id, slug := range owners {
			owner := notes.Get([]byte(id))
			if owner != nil && string(owner) != slug && !replaced[string(owner)] {
				return protocol.Errorf(protocol.CodeConflict, "The note id %s belongs to both %s and %s; nothing was imported.", id, owner, slug)
			}
		}
		return nil
	})
	return db.readErr("check note owners", err)
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
