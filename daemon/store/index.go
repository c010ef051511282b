package store

import (
	"encoding/json"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tactful/tactful/daemon/annotate"
	"github.com/tactful/tactful/protocol"
)

// contactIndex keeps, for every stored contact, what the hot path needs in
// memory: the badge rules' input (annotate.Input) and the fields a sighting
// compares (name, headline, "Connected ..." text and date, last seen). A
// page scrolling its list sends batch after batch of people already stored
// exactly as shown; such a batch is answered without a bbolt transaction
// and without decoding JSON. Whole contacts (company, position, every note)
// stay on disk: contact_get and the reminder read them from bbolt.
//
// The invariant: after each committed write transaction, the index holds,
// for every slug, exactly the record of the contact the contacts/ bucket
// holds (indexEntry of that contact).
//
//   - It is built from a read transaction at Open (build).
//   - Every Put into contacts/ registers a tx.OnCommit handler that stores
//     the record of the same contact here (DB.putContact, Loader.Contact).
//     bbolt runs those handlers only after the commit succeeded (the file
//     is fsynced) and before Update, Batch or Commit returns to the writer,
//     so a writer that gets its answer reads its own write back from the
//     index.
//   - A transaction that fails or is rolled back runs no handler: the index
//     stays as it was, which is what is on disk.
//   - bbolt runs commit handlers after it released the writer lock, so two
//     transactions' handlers may in principle overlap. Each record carries
//     a version, taken from one counter when its Put was made (under the
//     writer lock, so in the order the puts reached the file), and an older
//     Put never replaces what a newer one stored.
//   - Contacts are never deleted from contacts/ (only replaced), so the
//     index never needs to forget a slug.
//
// A version names one state of one contact: no two Puts share one, even
// within one transaction (bolt.Batch runs several writers' closures in one).
// Whatever is derived from a record can be cached under (slug, version).
//
// Records are immutable once built, and what the index hands out shares
// only strings and a tags slice that nobody writes to (annotate.Input is
// read-only), so no caller can change what the index holds.
//
// A read-only Open (export, backup, verify) keeps no index (idx is nil),
// nor does an Open that meets a contact it cannot read (a damaged page):
// then every read goes to bbolt, and only the damaged reads fail.
//
// Memory: a record is one allocation for all of a contact's strings, a few
// integers, and a tags slice when it has tags (tag strings are shared by
// every contact carrying them); docs/benchmarks.md, row 5, has the numbers.
type contactIndex struct {
	mu       sync.RWMutex
	contacts map[string]indexEntry
	// versions hands out record versions; see above.
	versions atomic.Uint64

	// tags interns tag strings: a heavy user has thousands of contacts and
	// a handful of tags.
	tagsMu sync.Mutex
	tags   map[string]string
}

// Where each string of a record ends in indexEntry.texts; the latest note
// excerpt runs to the end.
const (
	endSlug = iota
	endName
	endHeadline
	endConnectedText
	endConnectedOn
	endCooldownUntil
	numEnds
)

// indexEntry is the record of one contact: everything the badge rules and
// applySighting read, and nothing else.
type indexEntry struct {
	texts string // slug, name, headline, connected text and day, cool-down end, latest note excerpt
	ends  [numEnds]uint32
	tags  []string // nil when none

	status protocol.Status
	source protocol.DateSource
	// Times as Unix nanoseconds; noTime for a zero time.Time.
	firstSeen, lastSeen, falloutAt, latestWritten int64
	noteCount, textNotes                          int32

	version uint64
}

// noTime stands for the zero time.Time, which has no Unix nanoseconds.
const noTime = math.MinInt64

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return noTime
	}
	return t.UnixNano()
}

func fromUnixNano(n int64) time.Time {
	if n == noTime {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func (e *indexEntry) text(i int) string {
	start := uint32(0)
	if i > 0 {
		start = e.ends[i-1]
	}
	if i == numEnds {
		return e.texts[start:]
	}
	return e.texts[start:e.ends[i]]
}

func (e *indexEntry) slug() string { return e.text(endSlug) }

// input is the record as the badge rules read it.
func (e *indexEntry) input() annotate.Input {
	return annotate.Input{
		Slug:            e.text(endSlug),
		Name:            e.text(endName),
		Status:          e.status,
		Tags:            e.tags,
		NoteCount:       int(e.noteCount),
		TextNotes:       int(e.textNotes),
		LatestExcerpt:   e.text(numEnds),
		LatestWritten:   fromUnixNano(e.latestWritten),
		ConnectedOn:     e.text(endConnectedOn),
		ConnectedSource: e.source,
		FirstSeen:       fromUnixNano(e.firstSeen),
		CooldownUntil:   e.text(endCooldownUntil),
		FalloutAt:       fromUnixNano(e.falloutAt),
	}
}

// sighted is the record as applySighting reads it.
func (e *indexEntry) sighted() sightedFields {
	return sightedFields{
		Name:            e.text(endName),
		Headline:        e.text(endHeadline),
		ConnectedText:   e.text(endConnectedText),
		ConnectedOn:     e.text(endConnectedOn),
		ConnectedSource: e.source,
		Status:          e.status,
		LastSeen:        fromUnixNano(e.lastSeen),
	}
}

// record builds the record of c with version v.
func (idx *contactIndex) record(c protocol.Contact, v uint64) indexEntry {
	in := annotate.InputOf(c)
	parts := [numEnds + 1]string{c.Slug, c.Name, c.Headline, c.ConnectedText, c.ConnectedOn, c.CooldownUntil, in.LatestExcerpt}
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	buf := make([]byte, 0, n)
	e := indexEntry{
		status:        internStatus(c.Status),
		source:        internSource(c.ConnectedSource),
		firstSeen:     unixNano(c.FirstSeen),
		lastSeen:      unixNano(c.LastSeen),
		falloutAt:     unixNano(in.FalloutAt),
		latestWritten: unixNano(in.LatestWritten),
		noteCount:     int32(min(in.NoteCount, math.MaxInt32)),
		textNotes:     int32(min(in.TextNotes, math.MaxInt32)),
		version:       v,
	}
	for i, p := range parts {
		buf = append(buf, p...)
		if i < numEnds {
			e.ends[i] = uint32(len(buf))
		}
	}
	e.texts = string(buf)
	if len(c.Tags) > 0 {
		e.tags = make([]string, len(c.Tags))
		idx.tagsMu.Lock()
		for i, t := range c.Tags {
			s, ok := idx.tags[t]
			if !ok {
				s = t
				idx.tags[t] = t
			}
			e.tags[i] = s
		}
		idx.tagsMu.Unlock()
	}
	return e
}

// internStatus returns the package constant equal to s, so records share
// it rather than each hold a copy.
func internStatus(s protocol.Status) protocol.Status {
	for _, known := range protocol.Statuses {
		if s == known {
			return known
		}
	}
	return s
}

func internSource(s protocol.DateSource) protocol.DateSource {
	for _, known := range []protocol.DateSource{protocol.DateFromPageRelative, protocol.DateFromImport, protocol.DateFromPageAbsolute} {
		if s == known {
			return known
		}
	}
	return s
}

// buildIndex reads every contact of tx into a new index.
func buildIndex(tx *bolt.Tx) (*contactIndex, error) {
	b := tx.Bucket(bucketContacts)
	idx := &contactIndex{contacts: make(map[string]indexEntry, b.Stats().KeyN), tags: map[string]string{}}
	err := b.ForEach(func(k, v []byte) error {
		var c protocol.Contact
		if err := json.Unmarshal(v, &c); err != nil {
			return fmt.Errorf("decode contact %s: %w", k, err)
		}
		normalizeContact(&c)
		// The key is the bucket's key, as getContact reads it: the record's
		// slug, which it shares, when they agree, as they should.
		e := idx.record(c, idx.versions.Add(1))
		key := e.slug()
		if string(k) != key {
			key = string(k)
		}
		idx.contacts[key] = e
		return nil
	})
	if err != nil {
		return nil, err
	}
	return idx, nil
}

// get returns the record of slug; found is false when none is stored.
func (idx *contactIndex) get(slug string) (indexEntry, bool) {
	idx.mu.RLock()
	e, ok := idx.contacts[slug]
	idx.mu.RUnlock()
	return e, ok
}

// has reports whether a contact slug is stored.
func (idx *contactIndex) has(slug string) bool {
	_, ok := idx.get(slug)
	return ok
}

// set stores e, unless a newer Put already stored this slug.
func (idx *contactIndex) set(slug string, e indexEntry) {
	idx.mu.Lock()
	defer idx.mu.Unlock()
	if cur, ok := idx.contacts[slug]; ok && cur.version > e.version {
		return
	}
	idx.contacts[slug] = e
}

// onCommit arranges for the record of c to enter the index once tx has
// committed, and returns its version (0 without an index). The record is
// built now, since the writer goes on using c.
func (idx *contactIndex) onCommit(tx *bolt.Tx, c protocol.Contact) uint64 {
	if idx == nil {
		return 0
	}
	e := idx.record(c, idx.versions.Add(1))
	tx.OnCommit(func() { idx.set(c.Slug, e) })
	return e.version
}

// see applies the sightings to the records, without writing. It returns
// what the badges need of each contact, and whether any of them needs a
// write; then the caller runs the write transaction, which reads from
// bbolt, and the index follows its commit.
func (idx *contactIndex) see(s []Sighting, day seenDay) ([]Seen, bool) {
	out := make([]Seen, len(s))
	idx.mu.RLock()
	defer idx.mu.RUnlock()
	for i, sg := range s {
		e, found := idx.contacts[sg.Slug]
		if !found {
			return nil, true
		}
		if _, diff := applySighting(e.sighted(), true, sg, day); diff {
			return nil, true
		}
		out[i] = Seen{Input: e.input(), Version: e.version}
	}
	return out, false
}
