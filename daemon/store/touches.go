package store

import (
	"slices"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// touches are sightings that change only what no badge shows: the day a
// contact was last seen, its headline, the "Connected ..." text. The first
// scroll of each day changes exactly that for every card, and writing it
// before the reply made each of those batches wait for a commit (two
// fsyncs) behind every other tab's (docs/benchmarks.md, issue 12, row 3).
// SeeInputs answers such a batch from memory, since its badges are the
// same either way, and queues the sightings here; one goroutine writes what
// is queued in one transaction, then what was queued meanwhile, and so on.
//
// What that costs: a crash loses the touches of the last commit or so,
// which leaves a contact's last-seen day and headline as they were, a day
// old at worst: never a false record, and the next sighting writes them.
//
// Everything that reads or writes whole contacts waits for the queue to be
// written first (flushTouches: Contact, See's writes, updateContact,
// Import, Close), so no reader sees a contact without a sighting it was
// answered for, and no write is overtaken by an older sighting.
type touchQueue struct {
	mu      sync.Mutex
	idle    sync.Cond // signalled when the queue is written and nobody writes
	pending map[string][]touch
	writing bool
	// queued counts the calls that queued something; written is the count
	// the last finished write took in. flushTouches waits only for what was
	// queued before it, so a steady stream of touches cannot starve it.
	queued, written uint64
	// failedAt is when a write of touches last failed (a full disk): for a
	// while after it, touches are not queued, so a broken disk costs one
	// error line a while, not one a batch.
	failedAt time.Time
}

type touch struct {
	sg  Sighting
	now time.Time
}

// maxTouchesPerWrite bounds the contacts of one transaction of touches.
const maxTouchesPerWrite = 1000

// touchRetry is how long touches are dropped after a failed write.
const touchRetry = 10 * time.Second

// queueTouches queues the sightings s[i] for i in which; false when they
// cannot be queued (a recent failure): the caller then writes them itself.
func (db *DB) queueTouches(s []Sighting, which []int, now time.Time) bool {
	t := &db.touches
	t.mu.Lock()
	defer t.mu.Unlock()
	t.idle.L = &t.mu
	if !t.failedAt.IsZero() && now.Sub(t.failedAt) < touchRetry && now.After(t.failedAt) {
		return false
	}
	if t.pending == nil {
		t.pending = map[string][]touch{}
	}
	added := false
	for _, i := range which {
		sg := s[i]
		list := t.pending[sg.Slug]
		// The same card again (the page scrolls back) changes nothing the
		// queued sighting does not.
		if n := len(list); n > 0 && list[n-1].sg == sg {
			continue
		}
		// A request's strings share its whole message (protocol's fast
		// decoder): copies of their own, so a queued card keeps 100 bytes
		// alive rather than 13 KB.
		sg.Slug, sg.Name, sg.Headline = strings.Clone(sg.Slug), strings.Clone(sg.Name), strings.Clone(sg.Headline)
		sg.ConnectedText, sg.ConnectedOn = strings.Clone(sg.ConnectedText), strings.Clone(sg.ConnectedOn)
		t.pending[sg.Slug] = append(list, touch{sg: sg, now: now})
		added = true
	}
	if added {
		t.queued++
	}
	if !t.writing && len(t.pending) > 0 {
		t.writing = true
		go db.writeTouches()
	}
	return true
}

// writeTouches writes what is queued, until nothing is.
func (db *DB) writeTouches() {
	t := &db.touches
	for {
		t.mu.Lock()
		batch, upTo := t.pending, t.queued
		t.pending = nil
		var slugs []string // batch's, in key order: each page of contacts/ is visited once
		if len(batch) > maxTouchesPerWrite {
			// The rest waits for the next transaction: one of thousands of
			// contacts would hold their dirty pages and the index's lock at
			// once. The first slugs in key order go now: contacts/ is kept
			// in key order, about ten to a leaf page, so neighbours share
			// pages and a write of 1,000 dirties about a hundred pages
			// instead of nearly one per contact. They move to a map of
			// their own and the queue keeps its map: a Go map never
			// shrinks, so copying the rest out would keep both the old,
			// full-sized map and the copy alive through the write
			// (docs/benchmarks.md, "The burst's heap, profiled").
			slugs = slices.Clone(sortedSlugs(batch)[:maxTouchesPerWrite])
			first := make(map[string][]touch, maxTouchesPerWrite)
			for _, slug := range slugs {
				first[slug] = batch[slug]
				delete(batch, slug)
			}
			t.pending, batch, upTo = batch, first, t.written
		}
		if len(batch) == 0 {
			t.writing = false
			t.written = upTo
			t.idle.Broadcast()
			t.mu.Unlock()
			return
		}
		t.mu.Unlock()
		if slugs == nil {
			slugs = sortedSlugs(batch)
		}
		written := 0
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			written = 0
			tx.Bucket(bucketContacts).FillPercent = contactsFill
			for _, slug := range slugs {
				c, found, err := getContact(tx, slug)
				if err != nil {
					return err
				}
				if !found {
					continue // contacts are never deleted; nothing to touch
				}
				changed := false
				for _, tc := range batch[slug] {
					var diff bool
					c, diff = applySightingTo(c, true, tc.sg, dayOf(tc.now))
					changed = changed || diff
				}
				if !changed {
					continue
				}
				if err := db.putContact(tx, c); err != nil {
					return err
				}
				written++
			}
			return nil
		})
		if err != nil {
			db.log.Error().Err(err).Int("contacts", len(slugs)).Msg("cannot record when contacts were last seen; dropped")
		} else {
			db.log.Debug().Int("contacts", written).Msg("last seen recorded")
		}
		t.mu.Lock()
		if err != nil {
			t.failedAt = db.clock()
		}
		t.written = upTo
		t.idle.Broadcast()
		t.mu.Unlock()
	}
}

// flushTouches returns once every touch queued before it was called is
// written (or dropped on a failed write).
func (db *DB) flushTouches() {
	t := &db.touches
	t.mu.Lock()
	t.idle.L = &t.mu
	for upTo := t.queued; t.written < upTo; {
		t.idle.Wait()
	}
	t.mu.Unlock()
}

// sortedSlugs returns the keys of batch in key order.
func sortedSlugs(batch map[string][]touch) []string {
	slugs := make([]string, 0, len(batch))
	for slug := range batch {
		slugs = append(slugs, slug)
	}
	slices.Sort(slugs)
	return slugs
}
