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

	"github.com/tactful/tactful/daemon/annotate"
	"github.com/tactful/tactful/protocol"
)

// Seen is a contact as a sighting left it, as the badges need it: the
// annotation rules' input, and the version of the stored contact it was
// read from (contactIndex). Version is 0 when the input was read in a write
// transaction that did not write this contact, or without an index: it
// names no state, and nothing should be cached under it.
type Seen struct {
	Input   annotate.Input
	Version uint64
}

// See records the cards the page showed, all in one transaction, and returns
// the stored contacts in the order of s. A contact new to the store gets a
// first_seen event; one seen before keeps its notes, tags, status and history.
// The daemon's hot path is SeeInputs, which files the same and returns only
// what the badges need.
func (db *DB) See(s []Sighting) ([]protocol.Contact, error) {
	_, contacts, err := db.see(s, false)
	if err != nil || contacts != nil {
		return contacts, err
	}
	// Nothing changed, and the index answered without reading the file.
	contacts = make([]protocol.Contact, len(s))
	err = db.bolt.View(func(tx *bolt.Tx) error {
		for i, sg := range s {
			var err error
			if contacts[i], err = mustContact(tx, sg.Slug); err != nil {
				return err
			}
		}
		return nil
	})
	return contacts, db.readErr("see", err)
}

// SeeInputs is See, returning for each card what its badges need rather
// than the whole contact. A batch of people stored exactly as the page
// shows them is answered from memory: no transaction, no JSON. So is a
// batch that changes only what no badge shows (a new day's last seen, a
// headline): it is written behind the reply (touches.go).
func (db *DB) SeeInputs(s []Sighting) ([]Seen, error) {
	seen, _, err := db.see(s, true)
	return seen, err
}

// see files the sightings; with deferQuiet, those that change no badge are
// queued as touches. contacts is nil when the index answered.
func (db *DB) see(s []Sighting, deferQuiet bool) (seen []Seen, contacts []protocol.Contact, err error) {
	if len(s) == 0 {
		return []Seen{}, []protocol.Contact{}, nil
	}
	// Most batches show people already stored exactly as the page shows
	// them again; such a batch is answered from memory (or, without an
	// index, a read transaction), with no write lock and no fsync, so tabs
	// scrolling the list never queue behind each other's commits. LastSeen
	// keeps day precision for that.
	now := db.clock()
	day := dayOf(now)
	// From memory, only the dates are checked: the index says unchanged
	// only when every other field equals the stored one (or is empty, which
	// changes nothing), and what is stored passed checkSighting's checks
	// when it was written (See, Import and Load check every contact they
	// write). A date is checked even so, since one that loses to the stored
	// date is not compared.
	if db.idx != nil && datesValid(s) {
		out, quiet, loud := db.idx.see(s, day)
		if !loud && len(quiet) == 0 {
			return out, nil, nil
		}
		// The quiet ones differ from what is stored, so they are checked.
		if !loud && deferQuiet && checkSightings(s, quiet) && db.queueTouches(s, quiet, now) {
			return out, nil, nil
		}
	}
	// Written here, after the touches queued before: a write must not be
	// overtaken by an older sighting.
	db.flushTouches()
	for _, sg := range s {
		if err := checkSighting(sg); err != nil {
			return nil, nil, err
		}
	}
	// The index said the batch changes something, or has no say: the file
	// decides (a removed contact listed again, say), and a batch that
	// changes nothing after all is answered without a write.
	{
		var changed bool
		if err := db.bolt.View(func(tx *bolt.Tx) error {
			var err error
			contacts, changed, err = applySightings(tx, s, day, nil)
			return err
		}); err != nil {
			return nil, nil, err
		}
		if !changed {
			return seenOf(contacts), contacts, nil
		}
	}
	// Tabs that write at once share one commit (group.go); the closure
	// starts from what the transaction reads, so it may run again.
	var added int
	var versions []uint64
	err = db.groupUpdate(func(tx *bolt.Tx) error {
		added = 0
		versions = make([]uint64, len(s))
		var err error
		contacts, _, err = applySightings(tx, s, day, func(i int, before, c protocol.Contact, found bool) error {
			v, err := db.putContactVersion(tx, c)
			if err != nil {
				return err
			}
			versions[i] = v
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
		return nil, nil, db.writeErr("see", err)
	}
	db.log.Debug().Int("seen", len(s)).Int("new", added).Msg("contacts seen")
	seen = seenOf(contacts)
	for i := range seen {
		seen[i].Version = versions[i]
	}
	return seen, contacts, nil
}

// checkSighting refuses what no contact may store.
func checkSighting(sg Sighting) error {
	if err := checkSlug(sg.Slug); err != nil {
		return err
	}
	if err := checkDay("connected_on", sg.ConnectedOn); err != nil {
		return err
	}
	if err := checkLines("name", sg.Name, "headline", sg.Headline, "connected_text", sg.ConnectedText); err != nil {
		return err
	}
	return checkDateSource(sg)
}

func checkDateSource(sg Sighting) error {
	if sg.ConnectedOn != "" && dateRank(sg.ConnectedSource) == 0 {
		return protocol.Errorf(protocol.CodeInvalidField, "A connection date needs its source: page_relative or page_absolute, not %q.", sg.ConnectedSource)
	}
	return nil
}

// checkSightings reports whether s[i] passes checkSighting for each i of
// which.
func checkSightings(s []Sighting, which []int) bool {
	for _, i := range which {
		if checkSighting(s[i]) != nil {
			return false
		}
	}
	return true
}

// datesValid reports whether the connection dates of s pass checkSighting.
func datesValid(s []Sighting) bool {
	for _, sg := range s {
		if checkDay("connected_on", sg.ConnectedOn) != nil || checkDateSource(sg) != nil {
			return false
		}
	}
	return true
}

// seenDay is the instant of a batch of sightings and the local calendar
// day it falls on, as Unix nanoseconds [start, end): LastSeen keeps day
// precision, and comparing against the day's bounds spares a time zone
// conversion per card.
type seenDay struct {
	now        time.Time
	start, end int64
}

func dayOf(now time.Time) seenDay {
	l := now.Local()
	y, m, d := l.Date()
	return seenDay{now: now, start: time.Date(y, m, d, 0, 0, 0, 0, time.Local).UnixNano(),
		end: time.Date(y, m, d+1, 0, 0, 0, 0, time.Local).UnixNano()}
}

// holds reports whether t falls on the day.
func (d seenDay) holds(t time.Time) bool {
	if t.IsZero() {
		return false
	}
	n := t.UnixNano()
	return n >= d.start && n < d.end
}

func seenOf(contacts []protocol.Contact) []Seen {
	out := make([]Seen, len(contacts))
	for i, c := range contacts {
		out[i] = Seen{Input: annotate.InputOf(c)}
	}
	return out
}

// applySightings reads the contact of each sighting and applies it, in
// order. It reports whether any needs a write, and calls write (when not
// nil) for each that does, with its place in s and the contact as it was.
func applySightings(tx *bolt.Tx, s []Sighting, day seenDay, write func(i int, before, c protocol.Contact, found bool) error) ([]protocol.Contact, bool, error) {
	out := make([]protocol.Contact, 0, len(s))
	changed := false
	for i, sg := range s {
		c, found, err := getContact(tx, sg.Slug)
		if err != nil {
			return nil, false, err
		}
		before := c
		c, diff := applySightingTo(c, found, sg, day)
		// Guided review (review.go). Only here, where the history is at
		// hand: the index sends every sighting of a removed contact here.
		if reconnected(tx, before, found, day.now) {
			c.Status, diff = protocol.StatusNone, true
		}
		if diff {
			changed = true
			if write == nil {
				return out, true, nil // the caller writes the batch anyway
			}
			if err := write(i, before, c, found); err != nil {
				return nil, false, err
			}
		}
		out = append(out, c)
	}
	return out, changed, nil
}

// sightedFields are what a sighting reads of a stored contact, and all it
// may change: the store's index keeps them in memory (index.go), so an
// unchanged sighting is decided without reading the file.
type sightedFields struct {
	Name, Headline, ConnectedText string
	ConnectedOn                   string
	ConnectedSource               protocol.DateSource
	Status                        protocol.Status
	LastSeen                      time.Time
}

func sightedOf(c protocol.Contact) sightedFields {
	return sightedFields{Name: c.Name, Headline: c.Headline, ConnectedText: c.ConnectedText, ConnectedOn: c.ConnectedOn,
		ConnectedSource: c.ConnectedSource, Status: c.Status, LastSeen: c.LastSeen}
}

func (f sightedFields) applyTo(c *protocol.Contact) {
	c.Name, c.Headline, c.ConnectedText, c.ConnectedOn = f.Name, f.Headline, f.ConnectedText, f.ConnectedOn
	c.ConnectedSource, c.Status, c.LastSeen = f.ConnectedSource, f.Status, f.LastSeen
}

// badgeChanged reports whether a sighting changed what the badges read
// (annotate.Input): anything but the last-seen day, the headline and the
// "Connected ..." text.
func badgeChanged(before, after sightedFields) bool {
	return before.Name != after.Name || before.ConnectedOn != after.ConnectedOn ||
		before.ConnectedSource != after.ConnectedSource || before.Status != after.Status
}

// applySightingTo returns c updated with what the page showed, and whether
// that changed anything worth a write; a contact not found is new.
func applySightingTo(c protocol.Contact, found bool, sg Sighting, day seenDay) (protocol.Contact, bool) {
	if !found {
		c = protocol.Contact{Slug: sg.Slug, FirstSeen: day.now, LastSeen: day.now, Tags: []string{}, Notes: []protocol.Note{}}
	}
	f, diff := applySighting(sightedOf(c), found, sg, day)
	f.applyTo(&c)
	return c, diff
}

// applySighting returns c updated with what the page showed, and whether
// that changed anything worth a write: a new contact, another name,
// headline, "Connected ..." text or date, or a LastSeen on an earlier day.
func applySighting(c sightedFields, found bool, sg Sighting, day seenDay) (sightedFields, bool) {
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
	if !day.holds(c.LastSeen) {
		diff = true
	}
	if diff {
		c.LastSeen = day.now
	}
	return c, diff
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

// Contact returns the stored contact or a not_found error. It reads the
// file: the index keeps only what badges need.
func (db *DB) Contact(slug string) (protocol.Contact, error) {
	if db.idx != nil && !db.idx.has(slug) {
		return protocol.Contact{}, errNoContact(slug)
	}
	db.flushTouches()
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
	db.flushTouches()
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
	db.flushTouches()
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
	_, err := db.putContactVersion(tx, c)
	return err
}

// putContactVersion is putContact, returning the version the index will
// give c (0 without an index).
func (db *DB) putContactVersion(tx *bolt.Tx, c protocol.Contact) (uint64, error) {
	raw, err := json.Marshal(c)
	if err != nil {
		return 0, fmt.Errorf("encode contact: %w", err)
	}
	if err := tx.Bucket(bucketContacts).Put([]byte(c.Slug), raw); err != nil {
		return 0, err
	}
	return db.idx.onCommit(tx, c), nil
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
