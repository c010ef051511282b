package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tactful/tactful/protocol"
)

// See records the cards the page showed, all in one transaction, and returns
// the stored contacts in the order of s. A contact new to the store gets a
// first_seen event; one seen before keeps its notes, tags, status and history.
func (db *DB) See(s []Sighting) ([]protocol.Contact, error) {
	for _, sg := range s {
		if err := checkSlug(sg.Slug); err != nil {
			return nil, err
		}
		if err := checkDay("connected_on", sg.ConnectedOn); err != nil {
			return nil, err
		}
		if err := checkLines("name", sg.Name, "headline", sg.Headline, "connected_text", sg.ConnectedText); err != nil {
			return nil, err
		}
		if sg.ConnectedOn != "" && dateRank(sg.ConnectedSource) == 0 {
			return nil, protocol.Errorf(protocol.CodeInvalidField, "A connection date needs its source: page_relative or page_absolute, not %q.", sg.ConnectedSource)
		}
	}
	if len(s) == 0 {
		return []protocol.Contact{}, nil
	}
	// Most batches show people already stored exactly as the page shows
	// them again; such a batch is answered from a read transaction, with no
	// write lock and no fsync, so tabs scrolling the list never queue
	// behind each other's commits. LastSeen keeps day precision for that.
	now := db.clock()
	if db.idx != nil {
		// The same question from memory: no transaction, no decoding.
		if out, changed := db.idx.see(s, now); !changed {
			return out, nil
		}
	}
	var out []protocol.Contact
	var changed bool
	if db.idx != nil {
		changed = true // the index said so; the write below reads bbolt
	} else if err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		out, changed, err = applySightings(tx, s, now, nil)
		return err
	}); err != nil {
		return nil, err
	}
	if !changed {
		return out, nil
	}
	// Batch lets tabs that write at once share one commit; the closure
	// starts from what the transaction reads, so bbolt may run it again.
	var added int
	err := db.bolt.Batch(func(tx *bolt.Tx) error {
		added = 0
		var err error
		out, _, err = applySightings(tx, s, now, func(before, c protocol.Contact, found bool) error {
			if err := db.putContact(tx, c); err != nil {
				return err
			}
			// Guided review: listed again after a removal (review.go).
			if ev := reconnectedEvent(before, c, found, now); ev != nil {
				if err := appendEvent(tx, ev); err != nil {
					return err
				}
			}
			if found {
				return nil
			}
			added++
			return appendEvent(tx, &protocol.Event{At: now, Slug: c.Slug, Name: c.Name, Kind: protocol.EventFirstSeen,
				Summary: "First seen on the connections page"})
		})
		return err
	})
	if err != nil {
		return nil, db.writeErr("see", err)
	}
	db.log.Debug().Int("seen", len(s)).Int("new", added).Msg("contacts seen")
	return out, nil
}

// applySightings reads the contact of each sighting and applies it, in
// order. It reports whether any needs a write, and calls write (when not
// nil) for each that does.
func applySightings(tx *bolt.Tx, s []Sighting, now time.Time, write func(before, c protocol.Contact, found bool) error) ([]protocol.Contact, bool, error) {
	out := make([]protocol.Contact, 0, len(s))
	changed := false
	for _, sg := range s {
		c, found, err := getContact(tx, sg.Slug)
		if err != nil {
			return nil, false, err
		}
		before := c
		c, diff := applySighting(c, found, sg, now)
		if reconnected(tx, before, found, now) { // guided review (review.go)
			c.Status, diff = protocol.StatusNone, true
		}
		if diff {
			changed = true
			if write == nil {
				return out, true, nil // the caller writes the batch anyway
			}
			if err := write(before, c, found); err != nil {
				return nil, false, err
			}
		}
		out = append(out, c)
	}
	return out, changed, nil
}

// applySighting returns c updated with what the page showed, and whether
// that changed anything worth a write: a new contact, another name,
// headline, "Connected ..." text or date, or a LastSeen on an earlier day.
func applySighting(c protocol.Contact, found bool, sg Sighting, now time.Time) (protocol.Contact, bool) {
	if !found {
		c = protocol.Contact{Slug: sg.Slug, FirstSeen: now, LastSeen: now, Tags: []string{}, Notes: []protocol.Note{}}
	}
	diff := !found
	if c.Headline != sg.Headline {
		c.Headline, diff = sg.Headline, true
	}
	if sg.Name != "" && c.Name != sg.Name {
		c.Name, diff = sg.Name, true
	}
	// A markup that hides the date must not erase the one we have.
	if sg.ConnectedText != "" && c.ConnectedText != sg.ConnectedText {
		c.ConnectedText, diff = sg.ConnectedText, true
	}
	if betterDate(c.ConnectedOn, c.ConnectedSource, sg.ConnectedOn, sg.ConnectedSource) &&
		(c.ConnectedOn != sg.ConnectedOn || c.ConnectedSource != sg.ConnectedSource) {
		c.ConnectedOn, c.ConnectedSource, diff = sg.ConnectedOn, sg.ConnectedSource, true
	}
	if !sameDay(c.LastSeen, now) {
		diff = true
	}
	if diff {
		c.LastSeen = now
	}
	return c, diff
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Local().Date()
	by, bm, bd := b.Local().Date()
	return ay == by && am == bm && ad == bd
}

// betterDate decides whether a connection date replaces the stored one. The
// same source replaces itself (a newer reading); across sources the more
// exact one wins, and between two exact sources the stored one stays, so a
// page and an import that disagree by a day do not flip it back and forth.
func betterDate(storedDay string, storedSrc protocol.DateSource, day string, src protocol.DateSource) bool {
	if day == "" {
		return false
	}
	if storedDay == "" || src == storedSrc {
		return true
	}
	return dateRank(src) > dateRank(storedSrc)
}

func dateRank(s protocol.DateSource) int {
	switch {
	case s.Exact():
		return 2
	case s == protocol.DateFromPageRelative:
		return 1
	}
	return 0
}

// Contact returns the stored contact or a not_found error.
func (db *DB) Contact(slug string) (protocol.Contact, error) {
	if db.idx != nil {
		c, found := db.idx.get(slug)
		if !found {
			return protocol.Contact{}, errNoContact(slug)
		}
		return c, nil
	}
	var c protocol.Contact
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		c, err = mustContact(tx, slug)
		return err
	})
	return c, db.readErr("contact", err)
}

// batched says a write goes through bolt's Batch (see notes.go).
const batched = true

// updateContact runs change on the stored contact in one write transaction
// and returns the contact as change left it. change puts the contact and
// appends its events itself, since only it knows whether anything changed.
// With batched, concurrent writers share one commit and change may run more
// than once, each time on a freshly read contact.
func (db *DB) updateContact(op, slug string, batch bool, change func(tx *bolt.Tx, c *protocol.Contact) error) (protocol.Contact, error) {
	run := db.bolt.Update
	if batch {
		run = db.bolt.Batch
	}
	var c protocol.Contact
	err := run(func(tx *bolt.Tx) error {
		var err error
		if c, err = mustContact(tx, slug); err != nil {
			return err
		}
		return change(tx, &c)
	})
	if err != nil {
		return protocol.Contact{}, db.writeErr(op, err)
	}
	return c, nil
}

// SetTags replaces the tags, the status, or both; nil leaves that part alone.
// Each part that really changes appends its own event.
func (db *DB) SetTags(slug string, tags *[]string, status *protocol.Status) (protocol.Contact, error) {
	var newTags []string
	if tags != nil {
		var err error
		if newTags, err = protocol.NormalizeTags(*tags); err != nil {
			return protocol.Contact{}, err
		}
	}
	if status != nil && !status.Valid() {
		return protocol.Contact{}, protocol.Errorf(protocol.CodeInvalidField, "%q is not a status.", *status)
	}
	return db.updateContact("set_tags", slug, !batched, func(tx *bolt.Tx, c *protocol.Contact) error {
		now := db.clock()
		changed := false
		if tags != nil && !slices.Equal(c.Tags, newTags) {
			if err := countTags(tx, c.Tags, -1); err != nil {
				return err
			}
			if err := countTags(tx, newTags, +1); err != nil {
				return err
			}
			c.Tags = newTags
			changed = true
			summary := "Tags cleared"
			if len(newTags) > 0 {
				summary = "Tags set to " + strings.Join(newTags, ", ")
			}
			if err := appendEvent(tx, &protocol.Event{At: now, Slug: slug, Name: c.Name, Kind: protocol.EventTagsChanged,
				Summary: summary, Tags: slices.Clone(newTags)}); err != nil {
				return err
			}
		}
		if status != nil && c.Status != *status {
			c.Status = *status
			changed = true
			if err := appendEvent(tx, &protocol.Event{At: now, Slug: slug, Name: c.Name, Kind: protocol.EventStatusChanged,
				Summary: statusSummary(*status), Status: *status}); err != nil {
				return err
			}
		}
		if !changed {
			return nil
		}
		return db.putContact(tx, *c)
	})
}

func statusSummary(s protocol.Status) string {
	if s == protocol.StatusNone {
		return "Status cleared"
	}
	return "Status: " + string(s)
}

// countTags moves the in-use counts of tags by delta, dropping tags that
// reach zero so Tags lists only what some contact carries.
func countTags(tx *bolt.Tx, tags []string, delta int64) error {
	b := tx.Bucket(bucketTags)
	for _, t := range tags {
		var n int64
		if v := b.Get([]byte(t)); len(v) == 8 {
			n = int64(binary.BigEndian.Uint64(v))
		}
		n += delta
		var err error
		if n <= 0 {
			err = b.Delete([]byte(t))
		} else {
			err = b.Put([]byte(t), u64(uint64(n)))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// MarkFallout records a disagreement: FalloutAt is now and the cool-down
// lasts until the day until (YYYY-MM-DD).
func (db *DB) MarkFallout(slug string, until string, text string) (protocol.Contact, error) {
	if err := checkDay("until", until); err != nil {
		return protocol.Contact{}, err
	}
	if until == "" {
		return protocol.Contact{}, protocol.Errorf(protocol.CodeMissingField, "Say until which day the cool-down lasts.")
	}
	return db.updateContact("mark_fallout", slug, !batched, func(tx *bolt.Tx, c *protocol.Contact) error {
		now := db.clock()
		c.FalloutAt, c.CooldownUntil = &now, until
		if err := db.putContact(tx, *c); err != nil {
			return err
		}
		return appendEvent(tx, &protocol.Event{At: now, Slug: slug, Name: c.Name, Kind: protocol.EventFalloutMarked,
			Summary: "Disagreement marked; cool-down until " + until, Until: until, Text: text})
	})
}

// RecordReminder notes in the history that the removal reminder was shown,
// and returns the contact it was shown for, read in the same transaction.
func (db *DB) RecordReminder(slug string) (protocol.Contact, error) {
	return db.updateContact("record_reminder", slug, !batched, func(tx *bolt.Tx, c *protocol.Contact) error {
		return appendEvent(tx, &protocol.Event{At: db.clock(), Slug: slug, Name: c.Name, Kind: protocol.EventReminderShown,
			Summary: "Removal reminder shown"})
	})
}

// RecordOutcome records what the user did after the reminder. Removing and
// unfollowing also set the status; keeping leaves it as it was.
func (db *DB) RecordOutcome(slug string, o protocol.Outcome) (protocol.Contact, error) {
	var summary string
	var status protocol.Status
	switch o {
	case protocol.OutcomeRemoved:
		summary, status = "Removed the connection", protocol.StatusRemoved
	case protocol.OutcomeUnfollowed:
		summary, status = "Unfollowed instead", protocol.StatusUnfollowed
	case protocol.OutcomeKept:
		summary = "Kept the connection"
	default:
		return protocol.Contact{}, protocol.Errorf(protocol.CodeInvalidField, "%q is not an outcome; use removed, kept or unfollowed.", o)
	}
	return db.updateContact("record_outcome", slug, !batched, func(tx *bolt.Tx, c *protocol.Contact) error {
		ev := protocol.Event{At: db.clock(), Slug: slug, Name: c.Name, Kind: protocol.EventOutcome, Summary: summary, Outcome: o}
		if status != "" && c.Status != status {
			c.Status, ev.Status = status, status
			if err := db.putContact(tx, *c); err != nil {
				return err
			}
		}
		return appendEvent(tx, &ev)
	})
}

// Import files the rows of LinkedIn's export in one transaction. It sets
// company, position, the exact connection date, and the name of contacts the
// page has not shown yet (the page's name is the more current one); notes,
// tags and status stay as they are. Imported contacts have a zero LastSeen
// until the page shows them. Only contacts it adds get an imported event, and updated counts the
// rows that really changed something, so importing the same file twice
// reports 0 and 0 the second time.
func (db *DB) Import(rows []ImportedContact) (added, updated int, err error) {
	for i, r := range rows {
		if err := checkSlug(r.Slug); err != nil {
			return 0, 0, protocol.Errorf(protocol.CodeInvalidSlug, "Row %d: %s", i+1, protocol.ErrorMessage(err))
		}
		if err := checkDay("connected_on", r.ConnectedOn); err != nil {
			return 0, 0, protocol.Errorf(protocol.CodeInvalidField, "Row %d: %s", i+1, protocol.ErrorMessage(err))
		}
		if err := checkLines("name", r.Name, "company", r.Company, "position", r.Position); err != nil {
			return 0, 0, protocol.Errorf(protocol.CodeInvalidField, "Row %d: %s", i+1, protocol.ErrorMessage(err))
		}
	}
	// In slug order every contact and every per-contact index key goes in
	// at the end of its bucket; in the file's order each Put would move the
	// rest of a huge uncommitted node (see Load).
	rows = slices.Clone(rows)
	slices.SortStableFunc(rows, func(a, b ImportedContact) int { return strings.Compare(a.Slug, b.Slug) })
	// One transaction, one fsync: 30,000 rows fit comfortably, and a failed
	// import leaves nothing half done.
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		added, updated = 0, 0
		now := db.clock()
		// A bulk write splits the pages it fills at commit; bbolt's default
		// half-full split would leave the contacts taking twice their size
		// in the file and in memory (docs/benchmarks.md, row 5).
		tx.Bucket(bucketContacts).FillPercent = contactsFill
		for _, r := range rows {
			c, found, err := getContact(tx, r.Slug)
			if err != nil {
				return err
			}
			if !found {
				c = protocol.Contact{Slug: r.Slug, Name: r.Name, Company: r.Company, Position: r.Position, FirstSeen: now,
					Tags: []string{}, Notes: []protocol.Note{}}
				if r.ConnectedOn != "" {
					c.ConnectedOn, c.ConnectedSource = r.ConnectedOn, protocol.DateFromImport
				}
				if err := db.putContact(tx, c); err != nil {
					return err
				}
				if err := appendEvent(tx, &protocol.Event{At: now, Slug: c.Slug, Name: c.Name, Kind: protocol.EventImported,
					Summary: "Imported from LinkedIn's export"}); err != nil {
					return err
				}
				added++
				continue
			}
			before := c
			// Once the page has shown a contact, its name is the current one;
			// until then the latest export knows best.
			if c.LastSeen.IsZero() || c.Name == "" {
				c.Name = r.Name
			}
			c.Company, c.Position = r.Company, r.Position
			if betterDate(c.ConnectedOn, c.ConnectedSource, r.ConnectedOn, protocol.DateFromImport) {
				c.ConnectedOn, c.ConnectedSource = r.ConnectedOn, protocol.DateFromImport
			}
			if c.Name == before.Name && c.Company == before.Company && c.Position == before.Position &&
				c.ConnectedOn == before.ConnectedOn && c.ConnectedSource == before.ConnectedSource {
				continue
			}
			if err := db.putContact(tx, c); err != nil {
				return err
			}
			updated++
		}
		return nil
	})
	if err != nil {
		return 0, 0, db.writeErr("import", err)
	}
	db.log.Info().Int("rows", len(rows)).Int("added", added).Int("updated", updated).Msg("connections imported")
	return added, updated, nil
}

// Tags lists every tag some contact carries, sorted.
func (db *DB) Tags() ([]string, error) {
	tags := []string{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketTags).ForEach(func(k, _ []byte) error {
			tags = append(tags, string(k))
			return nil
		})
	})
	return tags, db.readErr("tags", err)
}

// Stats counts contacts, live notes and events.
func (db *DB) Stats() (Stats, error) {
	var s Stats
	err := db.bolt.View(func(tx *bolt.Tx) error {
		s.Contacts = tx.Bucket(bucketContacts).Stats().KeyN
		s.Notes = tx.Bucket(bucketNotes).Stats().KeyN
		s.Events = tx.Bucket(bucketEvents).Stats().KeyN
		return nil
	})
	return s, db.readErr("stats", err)
}

// getContact decodes the stored contact; found is false when there is none.
func getContact(tx *bolt.Tx, slug string) (c protocol.Contact, found bool, err error) {
	raw := tx.Bucket(bucketContacts).Get([]byte(slug))
	if raw == nil {
		return c, false, nil
	}
	// Unmarshal copies: nothing returned points into the mmap.
	if err := json.Unmarshal(raw, &c); err != nil {
		return c, false, fmt.Errorf("decode contact %s: %w", slug, err)
	}
	normalizeContact(&c)
	return c, true, nil
}

func mustContact(tx *bolt.Tx, slug string) (protocol.Contact, error) {
	c, found, err := getContact(tx, slug)
	if err == nil && !found {
		err = errNoContact(slug)
	}
	return c, err
}

// putContact stores c, and has the index follow once tx commits.
func (db *DB) putContact(tx *bolt.Tx, c protocol.Contact) error {
	raw, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode contact: %w", err)
	}
	if err := tx.Bucket(bucketContacts).Put([]byte(c.Slug), raw); err != nil {
		return err
	}
	db.idx.onCommit(tx, c)
	return nil
}

// normalizeContact makes empty lists non-nil so clients always see [] and a
// contact compares equal to itself after a trip through JSON.
func normalizeContact(c *protocol.Contact) {
	if c.Tags == nil {
		c.Tags = []string{}
	}
	if c.Notes == nil {
		c.Notes = []protocol.Note{}
	}
}

// appendEvent gives e a new id and files it in the history and the
// per-contact index.
func appendEvent(tx *bolt.Tx, e *protocol.Event) error {
	id, err := protocol.NewEventID(e.At)
	if err != nil {
		return err
	}
	events := tx.Bucket(bucketEvents)
	if last, _ := events.Cursor().Last(); last != nil && bytes.Compare(id[:], last) <= 0 {
		// The clock stood still or went back: file the event just after the
		// newest, so a store's own events keep the order they happened in.
		prev, _ := protocol.EventIDFromKey(last)
		if id, err = protocol.NewEventID(time.Unix(0, prev.UnixNano()+1)); err != nil {
			return err
		}
	}
	// History is append-only: an id that somehow points at a stored event
	// must fail the write, never overwrite what happened.
	if events.Get(id[:]) != nil {
		return fmt.Errorf("event id %s is already taken", id)
	}
	e.ID = id
	// Keys only ever grow here, so pages never need room for later inserts;
	// the default half-full split would double the size of the history.
	events.FillPercent = 0.95
	return putEvent(tx, *e)
}

func putEvent(tx *bolt.Tx, e protocol.Event) error {
	raw, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encode event: %w", err)
	}
	if err := tx.Bucket(bucketEvents).Put(e.ID[:], raw); err != nil {
		return err
	}
	return tx.Bucket(bucketContactEvents).Put(contactEventKey(e.Slug, e.ID), nil)
}

// contactsFill is how full bulk writes pack the contacts' pages: room is
// left for the notes and tags a contact gains later.
const contactsFill = 0.9

func contactEventKey(slug string, id protocol.EventID) []byte {
	k := make([]byte, 0, len(slug)+1+len(id))
	k = append(k, slug...)
	k = append(k, 0)
	return append(k, id[:]...)
}

func contactEventPrefix(slug string) []byte {
	return append([]byte(slug), 0)
}

func checkSlug(slug string) error { return protocol.CheckSlug(slug) }

func checkDay(field, day string) error { return protocol.CheckDay(field, day) }

// checkLines checks name, value pairs of one-line fields with
// protocol.CheckLine: whatever writes a contact, no control character and
// nothing longer than the wire allows gets stored.
func checkLines(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if err := protocol.CheckLine(pairs[i], pairs[i+1], protocol.MaxNameChars); err != nil {
			return err
		}
	}
	return nil
}
