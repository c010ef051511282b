package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/tactful/tactful/protocol"
)

// A restore of a heavy user's export (30,000 contacts, 300,000 events) is
// too large for one bbolt transaction: every dirty page stays in memory
// until the commit, well over 100 MB of heap. RestoreInSteps reads the file
// once and files it in steps of a few thousand records, each committed, but
// into a staging area the rest of the store never reads:
//
//	restore/                  while a restore is read; gone after it
//	    contacts/             the file's contacts that differ from the stored ones
//	    events/               the file's events the store lacks
//	    contact_events/       their per-contact index keys
//
// Only when the whole file has been read and every record and note id
// checked does the staging area become the store: into an empty store (or
// one holding a step's worth of records of its own, which are carried over)
// its three buckets are moved in place of the store's in one commit (bbolt's
// MoveBucket rewrites one root entry, whatever the bucket's size); into a
// larger store they are merged in steps. A file refused
// anywhere, or a crash while it is read, changes nothing the store shows:
// the staging area is dropped (or, after a crash, by the next restore).
var (
	bucketStaged = []byte("restore")
	// stagedBuckets are the buckets a restore stages, under bucketStaged.
	stagedBuckets = [][]byte{bucketContacts, bucketEvents, bucketContactEvents}
)

// Restored says what a restore did.
type Restored struct {
	// Contacts counts the contacts read; Added those new to the store and
	// Updated those that differed from the stored one.
	Contacts, Added, Updated int
	// Events counts the events read, NewEvents those the store lacked.
	Events, NewEvents int
}

// Loader files the records of an export, either inside Restore's one
// transaction or into RestoreInSteps's staging area. Each record is checked
// (protocol's Validate) before it is written; any error undoes everything.
type Loader struct {
	tx *bolt.Tx
	// contacts, events and contactEvents are where records go: the store's
	// own buckets (Restore) or the staging area's (RestoreInSteps).
	contacts, events, contactEvents *bolt.Bucket
	// stored and storedEvents are the store's own contacts/ and events/,
	// which a record is compared with.
	stored, storedEvents, storedIndex *bolt.Bucket

	seen map[string]bool
	// owners gives each note id of the file its contact, so that a note id
	// two contacts claim is refused before anything becomes visible.
	owners map[string]string
	// index holds the per-contact index keys of the events added, put in
	// key order at the end: in the file's order (time) they would land all
	// over the bucket.
	index indexKeys
	// repair holds index keys the store's own contact_events/ lacks for
	// events its events/ holds: a restore stopped by a crash before schema
	// 2's restores were staged may have left such events.
	repair []indexKey
	// ordered holds while the file's event ids only grow (an export lists
	// them in order): lastID, the last one, is then the largest so far.
	lastID  protocol.EventID
	ordered bool
	res     Restored
	records Records

	// every, when set, commits after that many records and goes on in a
	// new transaction (RestoreInSteps), so memory stays bounded.
	every, pending int
	staged         bool
	db             *DB
}

// indexKey is one key of contact_events/: slug 0x00 id.
type indexKey struct {
	slug string
	id   protocol.EventID
}

func (k indexKey) append(b []byte) []byte {
	b = append(b, k.slug...)
	b = append(b, 0)
	return append(b, k.id[:]...)
}

// indexKeys gathers the index keys of a restore and gives them back in key
// order. A heavy user's 300,000 keys take 20 bytes each (a slug's number
// and the id), in chunks, since one growing slice would copy them over and
// over; they are put in order by counting, not by comparing strings.
type indexKeys struct {
	slugs  []string
	number map[string]uint32
	chunks [][]keyEntry
	n      int
	// ordered holds while the ids came in increasing order, as an
	// export lists them: each slug's ids are then in order already.
	ordered bool
	last    protocol.EventID
}

type keyEntry struct {
	slug uint32
	id   protocol.EventID
}

func (x *indexKeys) add(slug string, id protocol.EventID) {
	if x.number == nil {
		x.number, x.ordered = map[string]uint32{}, true
	}
	num, ok := x.number[slug]
	if !ok {
		num = uint32(len(x.slugs))
		x.number[slug] = num
		x.slugs = append(x.slugs, slug)
	}
	if last := len(x.chunks) - 1; last < 0 || len(x.chunks[last]) == cap(x.chunks[last]) {
		x.chunks = append(x.chunks, make([]keyEntry, 0, 8192))
	}
	last := len(x.chunks) - 1
	x.chunks[last] = append(x.chunks[last], keyEntry{slug: num, id: id})
	x.n++
	x.ordered = x.ordered && bytes.Compare(id[:], x.last[:]) > 0
	x.last = id
}

// each calls fn with every key gathered, in key order, and forgets them.
func (x *indexKeys) each(fn func(key []byte) error) error {
	// Each slug's rank in slug order, then a counting sort by rank, which
	// keeps each slug's ids in the order they came.
	bySlug := make([]uint32, len(x.slugs))
	for i := range bySlug {
		bySlug[i] = uint32(i)
	}
	slices.SortFunc(bySlug, func(a, b uint32) int { return strings.Compare(x.slugs[a], x.slugs[b]) })
	start := make([]int, len(x.slugs)+1) // by rank
	rank := make([]uint32, len(x.slugs))
	for r, num := range bySlug {
		rank[num] = uint32(r)
	}
	for _, c := range x.chunks {
		for _, e := range c {
			start[rank[e.slug]+1]++
		}
	}
	for r := 1; r < len(start); r++ {
		start[r] += start[r-1]
	}
	all := make([]keyEntry, x.n)
	next := slices.Clone(start[:len(x.slugs)])
	for i, c := range x.chunks {
		for _, e := range c {
			r := rank[e.slug]
			all[next[r]] = e
			next[r]++
		}
		x.chunks[i] = nil
	}
	var buf []byte
	for r, num := range bySlug {
		group := all[start[r]:start[r+1]]
		if !x.ordered {
			slices.SortFunc(group, func(a, b keyEntry) int { return bytes.Compare(a.id[:], b.id[:]) })
		}
		for _, e := range group {
			buf = indexKey{slug: x.slugs[num], id: e.id}.append(buf[:0])
			if err := fn(buf); err != nil {
				return err
			}
		}
	}
	*x = indexKeys{}
	return nil
}

// use points the loader at tx.
func (l *Loader) use(tx *bolt.Tx) {
	l.tx = tx
	l.stored, l.storedEvents, l.storedIndex = tx.Bucket(bucketContacts), tx.Bucket(bucketEvents), tx.Bucket(bucketContactEvents)
	l.contacts, l.events, l.contactEvents = l.stored, l.storedEvents, l.storedIndex
	if l.staged {
		s := tx.Bucket(bucketStaged)
		l.contacts, l.events, l.contactEvents = s.Bucket(bucketContacts), s.Bucket(bucketEvents), s.Bucket(bucketContactEvents)
	}
	l.contacts.FillPercent = contactsFill
	// Events are filed by time and never change: pages full to the brim.
	l.events.FillPercent = 1
	l.contactEvents.FillPercent = contactsFill
}

// step commits what is pending once every records are; the next record
// begins the next transaction.
func (l *Loader) step() error {
	l.pending++
	if l.every <= 0 || l.pending < l.every {
		return nil
	}
	return l.commit()
}

// commit commits the step and holds no transaction (nor bbolt's writer
// lock) until begin.
func (l *Loader) commit() error {
	tx := l.tx
	l.tx, l.pending = nil, 0
	return tx.Commit()
}

// begin starts the next step's transaction, unless one is open.
func (l *Loader) begin() error {
	if l.tx != nil {
		return nil
	}
	tx, err := l.db.bolt.Begin(true)
	if err != nil {
		return err
	}
	l.use(tx)
	return nil
}

// Pause commits what a staged restore (RestoreInSteps) has filed so far and
// holds no transaction until the next record, so that a Loader fed by a
// slow reader (an upload) does not keep the store's other writers waiting.
// Inside Restore's one transaction it does nothing.
func (l *Loader) Pause() error {
	if !l.staged || l.tx == nil {
		return nil
	}
	if l.pending == 0 {
		tx := l.tx
		l.tx = nil
		return tx.Rollback()
	}
	return l.commit()
}

// Record is one contact or event of an export, checked (protocol's
// Validate) and encoded as the store keeps it, for Loader.Add. Checking and
// encoding are most of a restore's work and need no transaction, so a
// reader may make records (Records) on a goroutine of its own while a
// Loader files them on another.
type Record struct {
	// contact is set for a valid contact, event for an event.
	contact *protocol.Contact
	event   bool
	slug    string
	id      protocol.EventID
	raw     []byte
	// err is what the check found, or why the record could not be encoded.
	err error
}

// Records makes Records. Its zero value is ready; it keeps scratch space
// between records, so each goroutine uses one of its own.
type Records struct {
	// The record being encoded: encoding/json takes an interface, and a
	// record given by value would be copied to the heap for each call.
	contact protocol.Contact
	event   protocol.Event
}

// Contact checks and encodes c.
func (m *Records) Contact(c protocol.Contact) Record {
	r := Record{slug: c.Slug}
	if r.err = c.Validate(); r.err != nil {
		return r
	}
	m.contact = c
	if r.raw, r.err = json.Marshal(&m.contact); r.err != nil {
		r.err = fmt.Errorf("encode contact: %w", r.err)
		return r
	}
	normalizeContact(&c)
	r.contact = &c
	return r
}

// Event checks and encodes e.
func (m *Records) Event(e protocol.Event) Record {
	r := Record{event: true, slug: e.Slug, id: e.ID}
	if r.err = e.Validate(); r.err != nil {
		return r
	}
	m.event = e
	if r.raw, r.err = json.Marshal(&m.event); r.err != nil {
		r.err = fmt.Errorf("encode event: %w", r.err)
	}
	return r
}

// Contact replaces the stored contact of c.Slug with c.
func (l *Loader) Contact(c protocol.Contact) error { return l.Add(l.records.Contact(c)) }

// Event adds e unless the store holds an event with its id already: an
// event is kept exactly once however often it is restored or merged.
func (l *Loader) Event(e protocol.Event) error { return l.Add(l.records.Event(e)) }

// Add files r, a contact or an event (see Contact and Event).
func (l *Loader) Add(r Record) error {
	if r.err != nil {
		what, n := "contact", l.res.Contacts+1
		if r.event {
			what, n = "event", l.res.Events+1
		}
		var pe *protocol.Error
		if !errors.As(r.err, &pe) {
			return r.err
		}
		return recordErr(protocol.Describe(what, n, r.slug), r.err)
	}
	if err := l.begin(); err != nil {
		return err
	}
	switch {
	case r.event:
		return l.addEvent(r)
	case r.contact != nil:
		return l.addContact(r)
	}
	return errors.New("restore: a record not made by Records")
}

func (l *Loader) addContact(r Record) error {
	l.res.Contacts++
	c := r.contact
	if l.seen[c.Slug] {
		return protocol.Errorf(protocol.CodeInvalidField, "The export lists contact %s twice.", c.Slug)
	}
	l.seen[c.Slug] = true
	for _, n := range c.Notes {
		if other, ok := l.owners[n.ID]; ok && other != c.Slug {
			return errNoteOwners(n.ID, other, c.Slug)
		}
		l.owners[n.ID] = c.Slug
	}
	stored := l.stored.Get([]byte(c.Slug))
	switch {
	case stored == nil:
		l.res.Added++
	case bytes.Equal(stored, r.raw):
		return l.step()
	default:
		l.res.Updated++
	}
	if err := l.contacts.Put([]byte(c.Slug), r.raw); err != nil {
		return err
	}
	if !l.staged {
		l.db.idx.onCommit(l.tx, *c)
	}
	return l.step()
}

func (l *Loader) addEvent(r Record) error {
	l.res.Events++
	key := indexKey{slug: r.slug, id: r.id}
	if l.storedEvents.Get(r.id[:]) != nil {
		// A restore stopped by a crash may have filed the event but not
		// yet its index entry; running it again completes both.
		if l.storedIndex.Get(key.append(nil)) == nil {
			l.repair = append(l.repair, key)
		}
		return l.step()
	}
	if l.staged {
		// The same id twice in one file: keep the first. While the ids
		// only grow, as in an export, none can repeat.
		newest := l.ordered && bytes.Compare(r.id[:], l.lastID[:]) > 0
		l.ordered, l.lastID = newest, r.id
		if !newest && l.events.Get(r.id[:]) != nil {
			return l.step()
		}
	}
	if err := l.events.Put(r.id[:], r.raw); err != nil {
		return err
	}
	l.res.NewEvents++
	l.index.add(r.slug, r.id)
	return l.step()
}

// putIndex files the per-contact index keys gathered, sorted, so that they
// go in at one place after another.
func (l *Loader) putIndex() error {
	return l.index.each(func(key []byte) error {
		if err := l.begin(); err != nil {
			return err
		}
		// Put copies the key.
		if err := l.contactEvents.Put(key, nil); err != nil {
			return err
		}
		return l.step()
	})
}

func recordErr(what string, err error) error {
	return protocol.Errorf(protocol.ErrorCode(err), "In the export, %s: %s", what, protocol.ErrorMessage(err))
}

func errNoteOwners(id, one, other string) error {
	return protocol.Errorf(protocol.CodeConflict, "The note id %s belongs to both %s and %s; nothing was imported.", id, one, other)
}

func (db *DB) newLoader(staged bool, every int) *Loader {
	return &Loader{seen: map[string]bool{}, owners: map[string]string{}, ordered: true,
		staged: staged, every: every, db: db}
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
// Every dirty page stays in memory until the commit: a heavy user's export
// takes RestoreInSteps.
func (db *DB) Restore(fill func(l *Loader) error) (res Restored, err error) {
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		l := db.newLoader(false, 0)
		l.use(tx)
		if err := fill(l); err != nil {
			return err
		}
		for _, k := range l.repair {
			l.index.add(k.slug, k.id)
		}
		if err := l.putIndex(); err != nil {
			return err
		}
		res = l.res
		return rebuildIndexes(tx, nil)
	})
	if err != nil {
		return Restored{}, db.writeErr("restore", err)
	}
	db.logRestored(res)
	return res, nil
}

// RestoreInSteps is Restore for a file of any size: fill's records are
// staged in transactions of n records each (see bucketStaged), so a heavy
// user's restore holds only n records' pages in memory, and the store
// changes only once fill has returned and every check has passed. Nothing
// the store shows changes when fill or a check fails.
//
// Into an empty store the staged buckets become the store's in one commit.
// Into a store that holds data the staged records are then merged in steps
// of n: only a full disk or a crash can stop that part way, and running the
// same restore again completes it, since restoring is idempotent.
func (db *DB) RestoreInSteps(fill func(l *Loader) error, n int) (res Restored, err error) {
	db.restoring.Lock()
	defer db.restoring.Unlock()
	if err := db.stage(); err != nil {
		return Restored{}, db.writeErr("restore", err)
	}
	l, err := db.fillStaged(fill, n)
	if err != nil {
		if derr := db.dropStaged(); derr != nil {
			db.log.Error().Err(derr).Msg("staged restore not dropped; the next restore drops it")
		}
		return Restored{}, db.writeErr("restore", err)
	}
	if err := db.applyStaged(l, n); err != nil {
		return Restored{}, db.writeErr("restore", err)
	}
	db.logRestored(l.res)
	return l.res, nil
}

func (db *DB) logRestored(res Restored) {
	db.log.Info().Int("contacts", res.Contacts).Int("added", res.Added).Int("updated", res.Updated).
		Int("events", res.Events).Int("new_events", res.NewEvents).Msg("export restored")
}

// stage makes an empty staging area, dropping what a restore stopped by a
// crash left.
func (db *DB) stage() error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketStaged); err != nil && !errors.Is(err, bolt.ErrBucketNotFound) {
			return err
		}
		s, err := tx.CreateBucket(bucketStaged)
		if err != nil {
			return err
		}
		for _, name := range stagedBuckets {
			if _, err := s.CreateBucket(name); err != nil {
				return err
			}
		}
		return nil
	})
}

func (db *DB) dropStaged() error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketStaged); err != nil && !errors.Is(err, bolt.ErrBucketNotFound) {
			return err
		}
		return nil
	})
}

// fillStaged runs fill into the staging area, files the sorted index keys
// there, and checks the file's note ids against the store's.
func (db *DB) fillStaged(fill func(l *Loader) error, n int) (_ *Loader, err error) {
	l := db.newLoader(true, n)
	defer func() {
		p := recover()
		if (p != nil || err != nil) && l.tx != nil {
			_ = l.tx.Rollback()
		}
		if p != nil {
			panic(p)
		}
	}()
	if err := fill(l); err != nil {
		return nil, err
	}
	if err := l.putIndex(); err != nil {
		return nil, err
	}
	if err := l.begin(); err != nil {
		return nil, err
	}
	// A note id the store gives to a contact the file leaves in place.
	notes := l.tx.Bucket(bucketNotes)
	for id, slug := range l.owners {
		if owner := notes.Get([]byte(id)); owner != nil && string(owner) != slug && !l.seen[string(owner)] {
			return nil, errNoteOwners(id, string(owner), slug)
		}
	}
	return l, l.commit()
}

// applyStaged makes the staged records the store's. When the store holds
// at most n records of its own (none, or what a fresh install saw before
// its owner restored an export) the staged buckets replace the store's in
// one commit, and those records join them. A larger store gets the staged
// records merged in, n at a time.
func (db *DB) applyStaged(l *Loader, n int) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		// bbolt's MoveBucket moves a bucket as last committed: whatever
		// this transaction wrote into it would be lost. So the store's own
		// records are read first, and written after the move.
		own := map[string][][2][]byte{}
		count := 0
		for _, name := range stagedBuckets {
			c := tx.Bucket(name).Cursor()
			for k, v := c.First(); k != nil; k, v = c.Next() {
				if count++; count > n {
					return errNotEmpty
				}
				own[string(name)] = append(own[string(name)], [2][]byte{bytes.Clone(k), bytes.Clone(v)})
			}
		}
		staged := tx.Bucket(bucketStaged)
		for _, name := range stagedBuckets {
			if err := tx.DeleteBucket(name); err != nil {
				return err
			}
			if err := tx.MoveBucket(name, staged, nil); err != nil {
				return err
			}
		}
		if err := tx.DeleteBucket(bucketStaged); err != nil {
			return err
		}
		for _, name := range stagedBuckets {
			b := tx.Bucket(name)
			for _, kv := range own[string(name)] {
				if b.Get(kv[0]) != nil {
					continue // the file's contact replaces the store's
				}
				if err := b.Put(kv[0], kv[1]); err != nil {
					return err
				}
			}
		}
		var buf []byte
		for _, k := range l.repair {
			buf = k.append(buf[:0])
			if err := tx.Bucket(bucketContactEvents).Put(buf, nil); err != nil {
				return err
			}
		}
		return rebuildIndexes(tx, db.idx)
	})
	if !errors.Is(err, errNotEmpty) {
		return err
	}
	return db.mergeStaged(l, n)
}

var errNotEmpty = errors.New("the store holds data")

// mergeStaged copies the staged records into a store that holds data, n at
// a time, then rebuilds the note and tag indexes and drops the staging area
// in a last commit.
func (db *DB) mergeStaged(l *Loader, n int) error {
	if n <= 0 {
		n = math.MaxInt
	}
	copies := []struct {
		name []byte
		put  func(tx *bolt.Tx, k, v []byte) error
	}{
		{bucketContacts, func(tx *bolt.Tx, k, v []byte) error {
			var c protocol.Contact
			if err := json.Unmarshal(v, &c); err != nil {
				return fmt.Errorf("decode staged contact %s: %w", k, err)
			}
			b := tx.Bucket(bucketContacts)
			b.FillPercent = contactsFill
			if err := b.Put(k, bytes.Clone(v)); err != nil {
				return err
			}
			normalizeContact(&c)
			db.idx.onCommit(tx, c)
			return nil
		}},
		{bucketEvents, func(tx *bolt.Tx, k, v []byte) error {
			b := tx.Bucket(bucketEvents)
			if b.Get(k) != nil {
				return nil
			}
			return b.Put(k, bytes.Clone(v))
		}},
		{bucketContactEvents, func(tx *bolt.Tx, k, _ []byte) error {
			return tx.Bucket(bucketContactEvents).Put(k, nil)
		}},
	}
	for _, cp := range copies {
		var after []byte
		for done := false; !done; {
			err := db.bolt.Update(func(tx *bolt.Tx) error {
				c := tx.Bucket(bucketStaged).Bucket(cp.name).Cursor()
				k, v := c.First()
				if after != nil {
					if k, v = c.Seek(after); bytes.Equal(k, after) {
						k, v = c.Next()
					}
				}
				for i := 0; k != nil && i < n; i++ {
					if err := cp.put(tx, k, v); err != nil {
						return err
					}
					after = bytes.Clone(k)
					k, v = c.Next()
				}
				done = k == nil
				return nil
			})
			if err != nil {
				return err
			}
		}
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		var buf []byte
		for _, k := range l.repair {
			buf = k.append(buf[:0])
			if err := tx.Bucket(bucketContactEvents).Put(buf, nil); err != nil {
				return err
			}
		}
		if err := tx.DeleteBucket(bucketStaged); err != nil {
			return err
		}
		return rebuildIndexes(tx, nil)
	})
}
