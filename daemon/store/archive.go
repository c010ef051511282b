package store

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/tactful/tactful/protocol"
)

// Dump returns everything the store holds: contacts sorted by slug, events
// oldest first.
func (db *DB) Dump() (protocol.Archive, error) {
	a := protocol.Archive{Format: protocol.ArchiveFormat, Version: protocol.ArchiveVersion,
		Contacts: []protocol.Contact{}, Events: []protocol.Event{}}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		a.ExportedAt = db.clock()
		err := tx.Bucket(bucketContacts).ForEach(func(k, v []byte) error {
			var c protocol.Contact
			if err := json.Unmarshal(v, &c); err != nil {
				return fmt.Errorf("decode contact %s: %w", k, err)
			}
			normalizeContact(&c)
			a.Contacts = append(a.Contacts, c)
			return nil
		})
		if err != nil {
			return err
		}
		return tx.Bucket(bucketEvents).ForEach(func(k, v []byte) error {
			var e protocol.Event
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("decode event %x: %w", k, err)
			}
			a.Events = append(a.Events, e)
			return nil
		})
	})
	if err != nil {
		return protocol.Archive{}, db.readErr("dump", err)
	}
	return a, nil
}

// Load restores an archive Dump wrote, in one transaction. Each contact in
// it replaces the stored one (added counts new contacts, updated those that
// differed); events the store lacks are added under their own Seq, and the
// sequence moves past the largest. Nothing is changed when the archive is
// not one tactful can read.
func (db *DB) Load(a protocol.Archive) (added, updated int, err error) {
	if err := checkArchive(&a); err != nil {
		return 0, 0, err
	}
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		added, updated = 0, 0
		contacts := tx.Bucket(bucketContacts)
		contacts.FillPercent = contactsFill
		for _, c := range a.Contacts {
			raw, err := json.Marshal(c)
			if err != nil {
				return fmt.Errorf("encode contact: %w", err)
			}
			stored := contacts.Get([]byte(c.Slug))
			switch {
			case stored == nil:
				added++
			case bytes.Equal(stored, raw):
				continue
			default:
				updated++
			}
			if err := contacts.Put([]byte(c.Slug), raw); err != nil {
				return err
			}
		}
		// Within one transaction a bbolt node splits only at commit, so
		// every Put into the middle of a large node moves what follows it:
		// put in key order, events by Seq and then the per-contact index
		// sorted, or a heavy user's restore turns quadratic (minutes
		// instead of seconds for 300,000 events).
		sorted := slices.Clone(a.Events)
		slices.SortFunc(sorted, func(x, y protocol.Event) int { return cmp.Compare(x.Seq, y.Seq) })
		events := tx.Bucket(bucketEvents)
		events.FillPercent = 0.95
		last := events.Sequence()
		var index [][]byte
		for _, e := range sorted {
			last = max(last, e.Seq)
			if events.Get(u64(e.Seq)) != nil {
				continue
			}
			raw, err := json.Marshal(e)
			if err != nil {
				return fmt.Errorf("encode event: %w", err)
			}
			if err := events.Put(u64(e.Seq), raw); err != nil {
				return err
			}
			index = append(index, contactEventKey(e.Slug, e.Seq))
		}
		slices.SortFunc(index, bytes.Compare)
		byContact := tx.Bucket(bucketContactEvents)
		for _, k := range index {
			if err := byContact.Put(k, nil); err != nil {
				return err
			}
		}
		if err := events.SetSequence(last); err != nil {
			return err
		}
		return rebuildIndexes(tx)
	})
	if err != nil {
		return 0, 0, db.writeErr("load", err)
	}
	db.log.Info().Int("contacts", len(a.Contacts)).Int("events", len(a.Events)).Int("added", added).Int("updated", updated).Msg("archive loaded")
	return added, updated, nil
}

// maxSeq bounds sequence numbers an archive may carry: JavaScript reads
// larger ones inexactly, and a store needs room to keep counting.
const maxSeq = 1 << 53

// checkArchive refuses a file that is not a tactful export, and cleans what
// a hand-edited or hostile one could carry, before anything is written.
func checkArchive(a *protocol.Archive) error {
	if a.Format != protocol.ArchiveFormat {
		return protocol.Errorf(protocol.CodeInvalidField, "This is not a tactful export: its format is %q, not %q.", clip(a.Format, 40), protocol.ArchiveFormat)
	}
	if a.Version < 1 || a.Version > protocol.ArchiveVersion {
		return protocol.Errorf(protocol.CodeInvalidField, "This export has version %d; this tactful reads versions 1 to %d. Update tactful to import it.", a.Version, protocol.ArchiveVersion)
	}
	seen := map[string]bool{}
	for i := range a.Contacts {
		c := &a.Contacts[i]
		if err := checkSlug(c.Slug); err != nil {
			return err
		}
		if seen[c.Slug] {
			return protocol.Errorf(protocol.CodeInvalidField, "The export lists contact %s twice.", c.Slug)
		}
		seen[c.Slug] = true
		if !c.Status.Valid() {
			return protocol.Errorf(protocol.CodeInvalidField, "Contact %s has the unknown status %q.", c.Slug, clip(string(c.Status), 40))
		}
		if err := checkDay("connected_on", c.ConnectedOn); err != nil {
			return err
		}
		if err := checkDay("cooldown_until", c.CooldownUntil); err != nil {
			return err
		}
		tags, err := normalizeTags(c.Tags)
		if err != nil {
			return err
		}
		c.Tags = tags
		for _, n := range c.Notes {
			if err := checkNote(n.ID, n.Text); err != nil {
				return err
			}
		}
		normalizeContact(c)
	}
	for _, e := range a.Events {
		if e.Seq == 0 || e.Seq > maxSeq {
			return protocol.Errorf(protocol.CodeInvalidField, "An event in the export has no seq or an impossible one (%d).", e.Seq)
		}
		if !e.Kind.Valid() {
			return protocol.Errorf(protocol.CodeInvalidField, "Event %d has the unknown kind %q.", e.Seq, clip(string(e.Kind), 40))
		}
		if err := checkSlug(e.Slug); err != nil {
			return err
		}
	}
	return nil
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
