package store

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
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

	// pending collects the records of the write transaction in progress
	// (onCommit).
	pendingMu sync.Mutex
	pending   *pendingRecords

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
	endReviewOn
	endCompany
	numEnds
)

// indexEntry is the record of one contact: everything the badge rules and
// applySighting read, and nothing else.
type indexEntry struct {
	texts string // slug, name, headline, connected text and day, cool-down end, review day, company, latest note excerpt
	ends  [numEnds]uint32
	tags  []string // nil when none

	status   protocol.Status
	source   protocol.DateSource
	decision protocol.Decision
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
		ReviewDecision:  e.decision,
		ReviewOn:        e.text(endReviewOn),
	}
}

// view is the record as a protocol.Contact, for the scans over every
// contact (ForEachContact: guided review's queue, plans and summary). It
// holds what the record keeps: no position, notes without their text (as
// many as the contact has), the review's decision and day only. Its tags
// are the record's own: read them, never change them.
func (e *indexEntry) view() protocol.Contact {
	c := protocol.Contact{
		Slug:            e.text(endSlug),
		Name:            e.text(endName),
		Headline:        e.text(endHeadline),
		Company:         e.text(endCompany),
		ConnectedOn:     e.text(endConnectedOn),
		ConnectedSource: e.source,
		ConnectedText:   e.text(endConnectedText),
		FirstSeen:       fromUnixNano(e.firstSeen),
		LastSeen:        fromUnixNano(e.lastSeen),
		Tags:            e.tags,
		Status:          e.status,
		CooldownUntil:   e.text(endCooldownUntil),
		Notes:           noNotes,
	}
	if c.Tags == nil {
		c.Tags = noTags
	}
	if e.falloutAt != noTime {
		t := fromUnixNano(e.falloutAt)
		c.FalloutAt = &t
	}
	if e.noteCount > 0 {
		c.Notes = make([]protocol.Note, e.noteCount)
	}
	if e.decision != "" {
		c.Review = &protocol.Review{Decision: e.decision, On: e.text(endReviewOn)}
	}
	return c
}

// noTags and noNotes are the empty lists of views (never written to).
var (
	noTags  = []string{}
	noNotes = []protocol.Note{}
)

// each calls fn with the view of every record, under the read lock.
func (idx *contactIndex) each(fn func(c protocol.Contact) error) error {
	idx.mu.RLock()
	defer idx.mu.RUnlock()
	for _, e := range idx.contacts {
		if err := fn(e.view()); err != nil {
			return err
		}
	}
	return nil
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
	parts := [numEnds + 1]string{c.Slug, c.Name, c.Headline, c.ConnectedText, c.ConnectedOn, c.CooldownUntil, in.ReviewOn, c.Company, in.LatestExcerpt}
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	buf := make([]byte, 0, n)
	e := indexEntry{
		status:        internStatus(c.Status),
		source:        internSource(c.ConnectedSource),
		decision:      internDecision(in.ReviewDecision),
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

func internDecision(d protocol.Decision) protocol.Decision {
	for _, known := range protocol.Decisions {
		if d == known {
			return known
		}
	}
	return d
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

// setAll stores each record of p, unless a newer Put already stored its
// slug. One lock for a whole transaction's records: a commit of thousands
// of first sightings must not make the readers queue thousands of times.
func (idx *contactIndex) setAll(p *pendingRecords) {
	// A few hundred at a time: a reader waits for one chunk at most. A
	// reader between two chunks sees some records of the transaction and
	// not yet others, each of them a committed state of its contact.
	for chunk := range slices.Chunk(p.records, 256) {
		idx.mu.Lock()
		for _, r := range chunk {
			if cur, ok := idx.contacts[r.slug]; ok && cur.version > r.e.version {
				continue
			}
			idx.contacts[r.slug] = r.e
		}
		idx.mu.Unlock()
	}
}

// pendingRecords are the records one write transaction put, for its
// commit handler.
type pendingRecords struct {
	tx      *bolt.Tx
	records []pendingRecord
}

type pendingRecord struct {
	slug string
	e    indexEntry
}

// onCommit arranges for the record of c to enter the index once tx has
// committed, and returns its version (0 without an index). The record is
// built now, since the writer goes on using c. A transaction registers one
// handler, for all the records it puts.
func (idx *contactIndex) onCommit(tx *bolt.Tx, c protocol.Contact) uint64 {
	if idx == nil {
		return 0
	}
	e := idx.record(c, idx.versions.Add(1))
	// Only the one open write transaction puts (bbolt's writer lock), but
	// its handlers may run while the next one already puts: each
	// transaction has its own list. p holds on to its transaction, so no
	// later one (after a rollback, which runs no handler) can reuse its
	// address and be taken for it.
	idx.pendingMu.Lock()
	p := idx.pending
	if p == nil || p.tx != tx {
		p = &pendingRecords{tx: tx}
		idx.pending = p
		tx.OnCommit(func() {
			idx.setAll(p)
			idx.pendingMu.Lock()
			if idx.pending == p {
				idx.pending = nil
			}
			idx.pendingMu.Unlock()
		})
	}
	p.records = append(p.records, pendingRecord{slug: e.slug(), e: e})
	idx.pendingMu.Unlock()
	return e.version
}

// see applies the sightings to the records, without writing. It returns
// what the badges need of each contact; loud when a sighting changes what
// a badge reads (or adds a contact), so the caller must write the batch
// before it answers; and which sightings change only what no badge shows
// (touches.go). The caller's write transaction reads from bbolt, and the
// index follows its commit.
func (idx *contactIndex) see(s []Sighting, day seenDay) (out []Seen, quiet []int, loud bool) {
	out = make([]Seen, len(s))
	idx.mu.RLock()
	defer idx.mu.RUnlock()
	for i, sg := range s {
		e, found := idx.contacts[sg.Slug]
		// A removed contact listed again may be connected again, which
		// the history decides (guided review's reconnection): the file
		// answers.
		if !found || e.status == protocol.StatusRemoved {
			return nil, nil, true
		}
		before := e.sighted()
		if after, diff := applySighting(before, true, sg, day); diff {
			if badgeChanged(before, after) {
				return nil, nil, true
			}
			quiet = append(quiet, i)
		}
		out[i] = Seen{Input: e.input(), Version: e.version}
	}
	return out, quiet, false
}
