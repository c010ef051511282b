package store

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tactful/tactful/protocol"
)

// contactIndex keeps every stored contact in memory, decoded, so the hot
// path (contacts_seen: a page scrolling its list, batch after batch of
// people already stored exactly as shown) is answered without a bbolt read
// transaction and without decoding JSON. docs/benchmarks.md, row 2, shows
// what that cost before: 100 JSON decodes per batch were most of the
// daemon's own work.
//
// The invariant: after each committed write transaction, the index holds,
// for every slug, exactly the contact that the contacts/ bucket holds.
//
//   - It is built from a read transaction at Open (build).
//   - Every Put into contacts/ registers a tx.OnCommit handler that stores
//     the same contact here (DB.putContact, Loader.Contact). bbolt runs
//     those handlers only after the commit succeeded (the file is fsynced)
//     and before Update, Batch or Commit returns to the writer, so a writer
//     that gets its answer reads its own write back from the index.
//   - A transaction that fails or is rolled back runs no handler: the index
//     stays as it was, which is what is on disk.
//   - bbolt runs commit handlers after it released the writer lock, so two
//     transactions' handlers may in principle overlap. Each entry remembers
//     the id of the transaction that wrote it, and an older transaction
//     never replaces what a newer one wrote.
//   - Contacts are never deleted from contacts/ (only replaced), so the
//     index never needs to forget a slug.
//
// What the index hands out is a copy: slices and pointers are cloned, so no
// caller can change what the index holds. What it stores is cloned too.
//
// A read-only Open (export, backup, verify) keeps no index (idx is nil),
// nor does an Open that meets a contact it cannot read (a damaged page):
// then every read goes to bbolt as before, and only the damaged reads fail.
//
// Memory: the decoded contacts of the heavy store (30,000 people, one in
// ten with a note) take about 15 MB of heap; docs/benchmarks.md, row 5.
type contactIndex struct {
	mu       sync.RWMutex
	contacts map[string]indexEntry
}

type indexEntry struct {
	c    protocol.Contact
	txid int
}

// buildIndex decodes every contact of tx. tx.ID() is the transaction the
// snapshot reflects; entries carry it so later commits supersede them.
func buildIndex(tx *bolt.Tx) (*contactIndex, error) {
	b := tx.Bucket(bucketContacts)
	idx := &contactIndex{contacts: make(map[string]indexEntry, b.Stats().KeyN)}
	txid := tx.ID()
	err := b.ForEach(func(k, v []byte) error {
		var c protocol.Contact
		if err := json.Unmarshal(v, &c); err != nil {
			return fmt.Errorf("decode contact %s: %w", k, err)
		}
		normalizeContact(&c)
		// The key is the bucket's key, as getContact reads it; it shares
		// the decoded slug's bytes when they agree, as they should (k
		// points into the mmap and must not outlive tx).
		key := c.Slug
		if string(k) != key {
			key = string(k)
		}
		idx.contacts[key] = indexEntry{c: c, txid: txid}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return idx, nil
}

// get returns a copy of the contact of slug; found is false when none is
// stored.
func (idx *contactIndex) get(slug string) (protocol.Contact, bool) {
	idx.mu.RLock()
	e, ok := idx.contacts[slug]
	idx.mu.RUnlock()
	if !ok {
		return protocol.Contact{}, false
	}
	return cloneContact(e.c), true
}

// set stores c as written by transaction txid, unless a newer transaction
// already stored this slug.
func (idx *contactIndex) set(c protocol.Contact, txid int) {
	idx.mu.Lock()
	defer idx.mu.Unlock()
	if cur, ok := idx.contacts[c.Slug]; ok && cur.txid > txid {
		return
	}
	idx.contacts[c.Slug] = indexEntry{c: c, txid: txid}
}

// onCommit arranges for c to enter the index once tx has committed. c is
// cloned now, since the writer goes on using its own copy.
func (idx *contactIndex) onCommit(tx *bolt.Tx, c protocol.Contact) {
	if idx == nil {
		return
	}
	c = compactContact(c)
	txid := tx.ID()
	tx.OnCommit(func() { idx.set(c, txid) })
}

// see applies the sightings to the indexed contacts, without writing. It
// returns the contacts as they would be stored, and whether any of them
// needs a write; then the caller runs the write transaction, which reads
// from bbolt, and the index follows its commit.
func (idx *contactIndex) see(s []Sighting, now time.Time) ([]protocol.Contact, bool) {
	out := make([]protocol.Contact, 0, len(s))
	for _, sg := range s {
		c, found := idx.get(sg.Slug)
		c, diff := applySighting(c, found, sg, now)
		if diff {
			return nil, true
		}
		out = append(out, c)
	}
	return out, false
}

// compactContact is a copy of c that shares nothing with it, its slices
// cut to their length.
func compactContact(c protocol.Contact) protocol.Contact {
	return cloneContact(c)
}

// cloneContact copies what a protocol.Contact holds by reference. Empty
// lists stay non-nil, so a clone encodes exactly as the original.
func cloneContact(c protocol.Contact) protocol.Contact {
	if c.Tags != nil {
		c.Tags = slices.Clip(slices.Clone(c.Tags))
	}
	if c.Notes != nil {
		c.Notes = slices.Clip(slices.Clone(c.Notes))
	}
	if c.FalloutAt != nil {
		t := *c.FalloutAt
		c.FalloutAt = &t
	}
	if c.Review != nil {
		r := *c.Review
		c.Review = &r
	}
	return c
}
