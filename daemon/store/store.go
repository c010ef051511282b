// Package store keeps tactful's data in one bbolt file: contacts with their
// notes, tags and status, and an append-only history of everything that
// happened to them.
//
// The bucket tree:
//
//	meta/
//	    schema          -> uint64 big-endian: the layout version (schemaVersion)
//	    visits          -> JSON protocol.Visits: the user's visits to the page (visits.go)
//	contacts/
//	    <slug>          -> JSON protocol.Contact, notes included, and the
//	                       latest guided review as its optional "review"
//	                       member (review.go; no migration: absent = none)
//	notes/
//	    <note id>       -> slug of the contact that holds the note (live notes only)
//	tags/
//	    <tag>           -> uint64 big-endian: how many contacts carry the tag
//	events/
//	    <event id>      -> JSON protocol.Event; the id's 16 bytes (time, then
//	                       64 bits that tell apart one instant's events)
//	contact_events/
//	    <slug> 0x00 <event id> -> empty: the per-contact index into events/
//	restore/            only while a restore is staged (restore.go)
//	    contacts/, events/, contact_events/ -> as above
//
// Slugs never hold a 0x00 byte (protocol.CanonicalSlug allows letters,
// digits, - and _ only), so "slug 0x00" is an unambiguous prefix.
//
// Events are never rewritten or deleted. Every method that changes a contact
// appends its event in the same transaction, so the history and the contacts
// cannot disagree. An event's id (protocol.EventID) is its identity in every
// store and export, so a restore or a merge keeps each event exactly once,
// and its key order is time order.
//
// Schema 1 keyed events by a local sequence number; Open upgrades such a
// file in place, in one transaction (migrate.go).
package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	"github.com/rs/zerolog"
	bolt "go.etcd.io/bbolt"

	"github.com/tactful/tactful/protocol"
)

// initialMmapSize reserves address space (not disk or memory) for a large
// store up front. bbolt remaps when the file outgrows its mapping, and a
// remap copies every dirty node of the transaction and waits for all
// readers: a 30,000-row import spent most of its time doing that.
const initialMmapSize = 256 << 20

// schemaVersion is the layout this package reads and writes. A file with a
// higher version was written by a newer tactful and is refused rather than
// misread; a lower one is upgraded at Open.
const schemaVersion = 2

var (
	bucketMeta          = []byte("meta")
	keySchema           = []byte("schema")
	bucketContacts      = []byte("contacts")
	bucketNotes         = []byte("notes")
	bucketTags          = []byte("tags")
	bucketEvents        = []byte("events")
	bucketContactEvents = []byte("contact_events")

	// allBuckets are created once, at Open.
	allBuckets = [][]byte{bucketMeta, bucketContacts, bucketNotes, bucketTags, bucketEvents, bucketContactEvents}
)

// ErrLocked is wrapped by the error Open returns when another process (or
// another Open in this one) holds the database.
var ErrLocked = errors.New("the database is locked by another tactful daemon")

type lockedError struct{ path string }

func (e *lockedError) Error() string { return "another tactful daemon is using " + e.path }
func (e *lockedError) Unwrap() error { return ErrLocked }

// Options configure Open. The zero value is usable.
type Options struct {
	// Timeout bounds the wait for the file lock; zero means one second.
	Timeout time.Duration
	// Now is the clock for every timestamp; nil means time.Now.
	Now func() time.Time
	// Logger receives the store's log; the zero value discards it. Names and
	// note text are logged at debug level at most.
	Logger zerolog.Logger
	// ReadOnly opens the file with a shared lock and refuses every write.
	ReadOnly bool

	// maxSize caps the file so tests can fill the "disk" for real.
	maxSize int
}

// Sighting is one connection card as the page showed it. Callers pass
// validated, canonical values (protocol.Decode and annotate.ParseConnected
// produce them).
type Sighting struct {
	Slug, Name, Headline, ConnectedText string
	// ConnectedOn is YYYY-MM-DD or "".
	ConnectedOn     string
	ConnectedSource protocol.DateSource
}

// ImportedContact is one row of LinkedIn's Connections.csv.
type ImportedContact struct {
	Slug, Name, Company, Position string
	// ConnectedOn is YYYY-MM-DD or "".
	ConnectedOn string
}

// HistoryQuery selects events for History. Zero fields do not filter.
type HistoryQuery struct {
	Slug  string
	Kinds []protocol.EventKind
	// Text matches case-insensitively against an event's name, summary and text.
	Text  string
	Since time.Time
	// Before is the cursor: only events with ids below it; zero starts at
	// the newest.
	Before protocol.EventID
	// Limit is the page size; 0 means protocol.DefaultHistoryLimit.
	Limit int
}

// Stats counts what the store holds.
type Stats struct {
	Contacts, Notes, Events int
}

// DB is an open tactful database. Its methods are safe for concurrent use.
type DB struct {
	bolt *bolt.DB
	path string
	now  func() time.Time
	log  zerolog.Logger
	// legacy is set when a read-only Open found an older schema it may not
	// upgrade: Backup works, reading the history does not.
	legacy bool
	// idx holds every contact in memory (index.go); nil on a read-only
	// Open, where every read goes to bbolt.
	idx *contactIndex
	// touches are sightings written behind their reply (touches.go).
	touches touchQueue
	// group lets the sightings' writes share commits (group.go).
	group commitGroup
	// visits are the recorded visits, in memory (visits.go).
	visits visitsMemo
	// restoring admits one staged restore at a time (restore.go).
	restoring sync.Mutex
}

// Open opens or creates the database at path. When another process holds
// it, the error wraps ErrLocked. A file that is not a tactful database, or is
// damaged, is refused and left untouched.
func Open(path string, opts Options) (*DB, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if !opts.ReadOnly {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("create the directory of %s: %w", path, err)
		}
	}
	bdb, err := openBolt(path, &bolt.Options{Timeout: opts.Timeout, ReadOnly: opts.ReadOnly, InitialMmapSize: initialMmapSize,
		MaxSize: opts.maxSize})
	if err != nil {
		return nil, err
	}
	db := &DB{bolt: bdb, path: path, now: opts.Now, log: opts.Logger.With().Str("component", "store").Logger()}
	// bbolt waits MaxBatchDelay for more writers before it commits a batch;
	// its default of 10 ms caps 20 note writers at well under 2,000 notes/s.
	// A commit's fsync is itself the natural gathering window, so keep the
	// extra wait short.
	bdb.MaxBatchDelay = 2 * time.Millisecond
	if err := db.prepareGuarded(opts.ReadOnly); err != nil {
		_ = bdb.Close()
		return nil, err
	}
	if !opts.ReadOnly {
		// A contact that cannot be read (a damaged page deep in the file)
		// costs the index, not the store: reads then go to bbolt, and only
		// they fail, one request at a time, as before the index existed.
		if err := db.buildIndexGuarded(); err != nil {
			db.log.Error().Err(err).Msg("contacts not indexed in memory; reading them from the file")
		}
	}
	db.log.Info().Str("path", path).Bool("read_only", opts.ReadOnly).Msg("store opened")
	return db, nil
}

// openBolt opens the file and turns bbolt's failures into errors a person
// can act on. bbolt refuses files whose meta pages do not validate before it
// writes anything, so a foreign or damaged file is never overwritten.
func openBolt(path string, opts *bolt.Options) (bdb *bolt.DB, err error) {
	// bbolt trusts the pages it maps; a damaged file can make it panic, or
	// fault (see filecheck.go).
	if err := checkFile(path); err != nil {
		return nil, err
	}
	defer faultToDamaged(path, &err, debug.SetPanicOnFault(true))
	// Read the freelist here, under the guard, rather than on a first read.
	opts.PreLoadFreelist = true
	bdb, err = bolt.Open(path, 0o600, opts)
	if err == nil {
		return bdb, nil
	}
	var pathErr *fs.PathError
	switch {
	case errors.Is(err, bolt.ErrTimeout):
		return nil, &lockedError{path: path}
	case errors.As(err, &pathErr):
		return nil, fmt.Errorf("open %s: %w", path, err)
	default:
		return nil, damaged(path, err)
	}
}

func damaged(path string, err error) error {
	return fmt.Errorf("%s is not a tactful database or is damaged: %w", path, err)
}

// prepareGuarded is prepare, with a panic from reading damaged pages turned
// into the error a damaged file gets.
func (db *DB) prepareGuarded(readOnly bool) (err error) {
	defer faultToDamaged(db.path, &err, debug.SetPanicOnFault(true))
	return db.prepare(readOnly)
}

// buildIndexGuarded builds db.idx (index.go) from the file, under the same
// fault guard as prepare. On error db.idx stays nil.
func (db *DB) buildIndexGuarded() (err error) {
	defer faultToDamaged(db.path, &err, debug.SetPanicOnFault(true))
	err = db.bolt.View(func(tx *bolt.Tx) error {
		idx, err := buildIndex(tx)
		if err == nil {
			db.idx = idx
		}
		return err
	})
	// Decoding 30,000 contacts leaves about as much garbage as the index
	// itself; give it back now rather than carry it as resident memory
	// (docs/benchmarks.md, row 5).
	debug.FreeOSMemory()
	return err
}

// prepare checks the root of the file and, on a fresh file, creates the
// buckets. It only writes when something is missing, so opening a foreign
// bbolt file changes nothing in it.
func (db *DB) prepare(readOnly bool) error {
	var fresh bool
	var version uint64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		fresh, version, err = checkRoot(tx, db.path)
		return err
	})
	if err != nil {
		return err
	}
	if !fresh {
		if version < schemaVersion {
			if readOnly {
				db.legacy = true
				return nil
			}
			return db.migrate(version)
		}
		return nil
	}
	if readOnly {
		return damaged(db.path, errors.New("it holds no tactful data yet"))
	}
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Put(keySchema, u64(schemaVersion))
	})
	if err != nil {
		return fmt.Errorf("create the buckets of %s: %w", db.path, err)
	}
	return nil
}

// checkRoot reports whether the file is a fresh bbolt file (no buckets at
// all) and refuses one that is someone else's, damaged, or newer.
func checkRoot(tx *bolt.Tx, path string) (fresh bool, version uint64, err error) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		empty := true
		_ = tx.ForEach(func([]byte, *bolt.Bucket) error {
			empty = false
			return nil
		})
		if !empty {
			return false, 0, damaged(path, errors.New("it has no tactful schema version"))
		}
		return true, 0, nil
	}
	raw := meta.Get(keySchema)
	if len(raw) != 8 {
		return false, 0, damaged(path, errors.New("its schema version is unreadable"))
	}
	v := binary.BigEndian.Uint64(raw)
	if v > schemaVersion {
		return false, v, fmt.Errorf("%s was written by a newer tactful (database schema %d; this tactful reads up to %d): update tactful to open it", path, v, schemaVersion)
	}
	if v < 1 {
		return false, v, damaged(path, fmt.Errorf("schema version %d does not exist", v))
	}
	for _, name := range allBuckets {
		if tx.Bucket(name) == nil {
			return false, v, damaged(path, fmt.Errorf("bucket %s is missing", name))
		}
	}
	return false, v, nil
}

// Path is the database file.
func (db *DB) Path() string { return db.path }

// Close releases the file and its lock.
func (db *DB) Close() error {
	db.flushTouches()
	return db.bolt.Close()
}

// Verify checks a database file without changing it: bbolt's page checks,
// then tactful's root. It takes a shared lock, so it fails with ErrLocked on
// a file a running daemon holds; verify a Backup instead.
func Verify(path string) (err error) {
	// A damaged page can make bbolt panic outside tx.Check's own guard.
	defer faultToDamaged(path, &err, debug.SetPanicOnFault(true))
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("verify %s: %w", path, err)
	}
	bdb, err := openBolt(path, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return err
	}
	defer bdb.Close()
	return bdb.View(func(tx *bolt.Tx) error {
		if err := touchEveryPage(tx); err != nil {
			return damaged(path, err)
		}
		var problems []error
		// Read the channel to its end even after enough problems: the
		// checking goroutine reads pages of this transaction until it closes.
		for err := range tx.Check() {
			if len(problems) < 5 {
				problems = append(problems, err)
			}
		}
		if len(problems) > 0 {
			return damaged(path, errors.Join(problems...))
		}
		fresh, _, err := checkRoot(tx, path)
		if err != nil {
			return err
		}
		if fresh {
			return damaged(path, errors.New("it holds no tactful data"))
		}
		return nil
	})
}

func (db *DB) clock() time.Time {
	// UTC without a monotonic reading: what is returned equals what is read back.
	return db.now().UTC().Round(0)
}

func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

// errStorage is what a failed write tells the client; the cause goes to the log.
func errStorage() error {
	return protocol.Errorf(protocol.CodeStorage, "The database could not be written (is the disk full or the home read-only?); nothing was changed.")
}

func errNoContact(slug string) error {
	return protocol.Errorf(protocol.CodeNotFound, "No contact %s is stored yet.", slug)
}

// writeErr passes a client's *protocol.Error on and turns anything else from
// a write transaction into storage_failed, logging the cause.
func (db *DB) writeErr(op string, err error) error {
	if err == nil {
		return nil
	}
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return pe
	}
	db.log.Error().Err(err).Str("op", op).Msg("store write failed")
	return errStorage()
}

func (db *DB) readErr(op string, err error) error {
	if err == nil {
		return nil
	}
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return pe
	}
	return fmt.Errorf("store %s: %w", op, err)
}
