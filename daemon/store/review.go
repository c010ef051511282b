package store

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tactful/tactful/protocol"
)

// Guided review (issue 13). A contact's latest review is the optional
// "review" member of its JSON in contacts/ (protocol.Contact.Review); every
// decision is also a reviewed event. Older stores simply have no review, so
// no schema change or migration comes with it.

// SaveReview stores rev as the contact's latest review, in one transaction:
// the review, the tags when tags is not nil (replaced, as SetTags does), the
// status the decision implies (protocol.StatusAfter), and a reviewed event
// carrying the decision, its day, the why line and the tags. rev.At is set
// to now. A day before today (the store's clock) is refused.
func (db *DB) SaveReview(slug string, rev protocol.Review, tags *[]string) (protocol.Contact, error) {
	if err := db.checkReview(&rev); err != nil {
		return protocol.Contact{}, err
	}
	var newTags []string
	if tags != nil {
		var err error
		if newTags, err = protocol.NormalizeTags(*tags); err != nil {
			return protocol.Contact{}, err
		}
	}
	return db.updateContact("save_review", slug, !batched, func(tx *bolt.Tx, c *protocol.Contact) error {
		now := db.clock()
		rev.At = now
		ev := protocol.Event{At: now, Slug: slug, Name: c.Name, Kind: protocol.EventReviewed,
			Summary: "Reviewed: " + rev.Phrase(), Text: rev.Why, Decision: rev.Decision, On: rev.On}
		if tags != nil {
			if !slices.Equal(c.Tags, newTags) {
				if err := countTags(tx, c.Tags, -1); err != nil {
					return err
				}
				if err := countTags(tx, newTags, +1); err != nil {
					return err
				}
				c.Tags = newTags
			}
			ev.Tags = slices.Clone(newTags)
		}
		if status := protocol.StatusAfter(rev.Decision, c.Status); status != c.Status {
			c.Status, ev.Status = status, status
		}
		r := rev
		c.Review = &r
		if err := db.putContact(tx, *c); err != nil {
			return err
		}
		return appendEvent(tx, &ev)
	})
}

// checkReview validates a review about to be saved, and refuses a day that
// has passed.
func (db *DB) checkReview(rev *protocol.Review) error {
	if err := rev.Validate(); err != nil {
		return err
	}
	if rev.On != "" {
		return protocol.CheckReviewDay(rev.On, db.now().In(time.Local))
	}
	return nil
}

// ApplyRemovalPlan gives each listed contact the decision remove_on at its
// day, all in one transaction: an unknown slug or a day that has passed
// changes nothing at all. What the earlier review said (why, assessment,
// message, draft) stays. A contact whose review already says remove_on
// that day is left as it is, so applying a plan twice adds nothing.
// It returns the contacts the plan changed.
func (db *DB) ApplyRemovalPlan(schedule []protocol.Scheduled) ([]protocol.Contact, error) {
	if len(schedule) > protocol.MaxPlanSize {
		return nil, protocol.Errorf(protocol.CodeBatchTooLarge, "At most %d dates fit in one plan; this one has %d. Split it.", protocol.MaxPlanSize, len(schedule))
	}
	for _, s := range schedule {
		if err := checkSlug(s.Slug); err != nil {
			return nil, err
		}
		rev := protocol.Review{Decision: protocol.DecisionRemoveOn, On: s.On}
		if err := db.checkReview(&rev); err != nil {
			return nil, protocol.Errorf(protocol.ErrorCode(err), "%s: %s", s.Slug, protocol.ErrorMessage(err))
		}
	}
	var changed []protocol.Contact
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		changed = changed[:0]
		now := db.clock()
		for _, s := range schedule {
			c, err := mustContact(tx, s.Slug)
			if err != nil {
				return err
			}
			if c.Review != nil && c.Review.Decision == protocol.DecisionRemoveOn && c.Review.On == s.On {
				continue
			}
			rev := protocol.Review{Decision: protocol.DecisionRemoveOn, On: s.On, At: now}
			if c.Review != nil {
				rev.Why, rev.Assessment, rev.Message, rev.Draft = c.Review.Why, c.Review.Assessment, c.Review.Message, c.Review.Draft
			}
			ev := protocol.Event{At: now, Slug: c.Slug, Name: c.Name, Kind: protocol.EventReviewed,
				Summary: "Reviewed: " + rev.Phrase() + " (spread-out plan)", Text: rev.Why, Decision: rev.Decision, On: rev.On}
			if status := protocol.StatusAfter(rev.Decision, c.Status); status != c.Status {
				c.Status, ev.Status = status, status
			}
			c.Review = &rev
			if err := db.putContact(tx, c); err != nil {
				return err
			}
			if err := appendEvent(tx, &ev); err != nil {
				return err
			}
			changed = append(changed, c)
		}
		return nil
	})
	if err != nil {
		return nil, db.writeErr("apply_removal_plan", err)
	}
	db.log.Info().Int("dates", len(schedule)).Int("changed", len(changed)).Msg("removal plan applied")
	return changed, nil
}

// ForEachContact calls fn with every stored contact, in slug order from the
// file or in no particular order from memory; it stops at fn's first error.
// fn must neither change c nor keep its slices (from memory, c shares them
// with the index), nor call the store: it runs under the index's read lock.
// From memory, c is what the index keeps of the contact (index.go, view):
// no position, notes without their text, the review's decision and day
// only; read the whole contact with Contact.
func (db *DB) ForEachContact(fn func(c protocol.Contact) error) error {
	if db.idx != nil {
		return db.idx.each(fn)
	}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketContacts).ForEach(func(k, v []byte) error {
			var c protocol.Contact
			if err := json.Unmarshal(v, &c); err != nil {
				return fmt.Errorf("decode contact %s: %w", k, err)
			}
			normalizeContact(&c)
			return fn(c)
		})
	})
	return db.readErr("contacts", err)
}

// EventsSince calls fn with every event of kinds (all kinds when empty)
// whose id falls at or after since, oldest first. An event's id never
// carries a time before its own, so no event at or after since is missed;
// a caller that needs At ≥ since checks At.
func (db *DB) EventsSince(since time.Time, kinds []protocol.EventKind, fn func(e protocol.Event) error) error {
	if db.legacy {
		return errLegacy(db.path)
	}
	cannotMatch := rawFilter(kinds, "")
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketEvents).Cursor()
		for k, v := c.Seek(u64(uint64(max(since.UnixNano(), 0)))); k != nil; k, v = c.Next() {
			if cannotMatch(v) {
				continue
			}
			var e protocol.Event
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("decode event %x: %w", k, err)
			}
			if len(kinds) > 0 && !slices.Contains(kinds, e.Kind) {
				continue
			}
			if err := fn(e); err != nil {
				return err
			}
		}
		return nil
	})
	return db.readErr("events", err)
}

// reconnectGrace is how long after a removal the connections page may
// still list the person without it meaning anything: LinkedIn's list, or a
// page left open, can lag behind the removal. A reconnection takes an
// invitation and its acceptance, so waiting costs only a delay in
// recording it, where a false "reconnected" would stay in the history.
const reconnectGrace = 12 * time.Hour

// reconnected reports whether a sighting of before means the person is
// connected again: their status says removed, and the removal is older than
// reconnectGrace. The store's index answers unchanged cards without a
// transaction, so a reconnection is noticed with the first sighting that
// writes (a new day's, at the latest).
func reconnected(tx *bolt.Tx, before protocol.Contact, found bool, now time.Time) bool {
	if !found || before.Status != protocol.StatusRemoved {
		return false
	}
	at, ok := removedAt(tx, before.Slug)
	return !ok || now.Sub(at) >= reconnectGrace
}

// removedAt is when the contact's newest removal was recorded: an outcome
// "removed" or a status set to removed, among its newest events.
func removedAt(tx *bolt.Tx, slug string) (time.Time, bool) {
	const look = 50 // a removal is among the newest events of someone still removed
	it := newEventIter(tx, slug, protocol.EventID{})
	n := 0
	for id, ok := it.first(); ok && n < look; id, ok = it.prev() {
		n++
		raw := tx.Bucket(bucketEvents).Get(id[:])
		if raw == nil {
			continue
		}
		var e protocol.Event
		if json.Unmarshal(raw, &e) != nil {
			continue
		}
		if e.Status == protocol.StatusRemoved || e.Outcome == protocol.OutcomeRemoved {
			return e.At, true
		}
	}
	return time.Time{}, false
}

// reconnectedEvent is the history's record that someone removed was listed
// on the connections page again (reconnected); nil for any other sighting.
// See applySightings and See (contacts.go).
func reconnectedEvent(before, after protocol.Contact, found bool, now time.Time) *protocol.Event {
	if !found || before.Status != protocol.StatusRemoved || after.Status == protocol.StatusRemoved {
		return nil
	}
	return &protocol.Event{At: now, Slug: before.Slug, Name: after.Name, Kind: protocol.EventReconnected,
		Summary: "Seen connected again after the removal"}
}
