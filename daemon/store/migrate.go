package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/tactful/tactful/protocol"
)

// migrate upgrades the file from schema version to schemaVersion in one
// write transaction: a crash or a full disk halfway leaves the old layout
// as it was.
func (db *DB) migrate(version uint64) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if version < 2 {
			if err := migrateEventIDs(tx); err != nil {
				return fmt.Errorf("give events their ids: %w", err)
			}
		}
		return tx.Bucket(bucketMeta).Put(keySchema, u64(schemaVersion))
	})
	if err != nil {
		return fmt.Errorf("upgrade %s from database schema %d to %d: %w", db.path, version, schemaVersion, err)
	}
	db.log.Info().Uint64("from", version).Int("to", schemaVersion).Msg("database schema upgraded")
	return nil
}

// migrateEventIDs moves schema 1's events, keyed by a local sequence number,
// under ids (schema 2). Each gets protocol.LegacyEventID, the id a version 1
// export of the same event gets when it is read, so restoring an old export
// into the upgraded store adds nothing twice.
func migrateEventIDs(tx *bolt.Tx) error {
	type moved struct {
		id  protocol.EventID
		raw []byte
	}
	var events []moved
	taken := map[protocol.EventID]bool{}
	err := tx.Bucket(bucketEvents).ForEach(func(k, v []byte) error {
		// Schema 1's "seq" is not a field of protocol.Event any more, so
		// decoding drops it.
		var e protocol.Event
		if err := json.Unmarshal(v, &e); err != nil {
			return fmt.Errorf("decode event %x: %w", k, err)
		}
		id, err := protocol.LegacyEventID(e)
		if err != nil {
			return err
		}
		// Two events of one instant with the same content: keep both.
		for taken[id] {
			id = id.Next()
		}
		taken[id] = true
		e.ID = id
		raw, err := json.Marshal(e)
		if err != nil {
			return err
		}
		events = append(events, moved{id: id, raw: raw})
		return nil
	})
	if err != nil {
		return err
	}
	for _, name := range [][]byte{bucketEvents, bucketContactEvents} {
		if err := tx.DeleteBucket(name); err != nil {
			return err
		}
		if _, err := tx.CreateBucket(name); err != nil {
			return err
		}
	}
	slices.SortFunc(events, func(a, b moved) int { return bytes.Compare(a.id[:], b.id[:]) })
	b := tx.Bucket(bucketEvents)
	b.FillPercent = 0.95
	var index [][]byte
	for _, m := range events {
		if err := b.Put(m.id[:], m.raw); err != nil {
			return err
		}
		var head struct {
			Slug string `json:"slug"`
		}
		if err := json.Unmarshal(m.raw, &head); err != nil {
			return err
		}
		index = append(index, contactEventKey(head.Slug, m.id))
	}
	slices.SortFunc(index, bytes.Compare)
	byContact := tx.Bucket(bucketContactEvents)
	for _, k := range index {
		if err := byContact.Put(k, nil); err != nil {
			return err
		}
	}
	return nil
}

func errLegacy(path string) error {
	return fmt.Errorf("%s uses an older database layout, and a read-only open cannot upgrade it: run `tactful serve` once, or read a backup", path)
}
