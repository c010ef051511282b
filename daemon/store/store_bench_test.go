package store

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	bolt "go.etcd.io/bbolt"

	"github.com/tactful/tactful/protocol"
)

// The large fixture stands for a heavy user: LinkedIn's maximum of 30,000
// connections and 300,000 events. It is built once per process and copied
// for each benchmark that needs it.
const (
	fixtureContacts = 30000
	fixtureEvents   = 300000
)

var (
	fixtureOnce sync.Once
	fixtureDir  string
	fixturePath string
	fixtureErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureDir != "" {
		os.RemoveAll(fixtureDir)
	}
	os.Exit(code)
}

// fixtureRows are in no particular slug order, as in LinkedIn's export
// (newest connection first).
func fixtureRows(n int) []ImportedContact {
	rows := make([]ImportedContact, n)
	for j := range rows {
		i := (j * 7919) % n // 7919 is prime, so this visits every i once
		rows[i] = ImportedContact{Slug: fixtureSlug(i), Name: fmt.Sprintf("Person %05d", i), Company: "Acme, Inc.",
			Position: "Engineer", ConnectedOn: time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%3650).Format(time.DateOnly)}
	}
	return rows
}

func fixtureSlug(i int) string { return fmt.Sprintf("person-%05d-x", i) }

func buildFixture() (string, error) {
	dir, err := os.MkdirTemp("", "tactful-store-bench-")
	if err != nil {
		return "", err
	}
	fixtureDir = dir
	path := filepath.Join(dir, "fixture.db")
	db, err := Open(path, Options{Logger: zerolog.Nop()})
	if err != nil {
		return "", err
	}
	if _, _, err := db.Import(fixtureRows(fixtureContacts)); err != nil {
		return "", err
	}
	if err := db.Close(); err != nil {
		return "", err
	}
	// The rest of the history goes in directly, without fsync: only the
	// fixture skips durability, never the code under test.
	b, err := bolt.Open(path, 0o600, &bolt.Options{NoSync: true})
	if err != nil {
		return "", err
	}
	defer b.Close()
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const chunk = 50000
	for done := fixtureContacts; done < fixtureEvents; done += chunk {
		err := b.Update(func(tx *bolt.Tx) error {
			for i := done; i < min(done+chunk, fixtureEvents); i++ {
				slug := fixtureSlug(i % fixtureContacts)
				e := protocol.Event{At: at.Add(time.Duration(i) * time.Second), Slug: slug, Name: "Person", Kind: protocol.EventReminderShown,
					Summary: "Removal reminder shown"}
				if err := appendEvent(tx, &e); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return "", err
		}
	}
	return path, b.Sync()
}

// openFixture opens a private copy of the large fixture.
func openFixture(b *testing.B) *DB {
	b.Helper()
	fixtureOnce.Do(func() {
		start := time.Now()
		fixturePath, fixtureErr = buildFixture()
		if fi, err := os.Stat(fixturePath); err == nil {
			b.Logf("built the %d-contact, %d-event fixture (%d MB) in %v", fixtureContacts, fixtureEvents, fi.Size()>>20, time.Since(start))
		}
	})
	if fixtureErr != nil {
		b.Fatal(fixtureErr)
	}
	path := filepath.Join(b.TempDir(), "tactful.db")
	if err := copyFile(fixturePath, path); err != nil {
		b.Fatal(err)
	}
	db, err := Open(path, Options{Logger: zerolog.Nop()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

// BenchmarkSee100 is one contacts_seen batch of 100 cards against a full
// store: 95 known contacts and 5 new ones.
func BenchmarkSee100(b *testing.B) {
	db := openFixture(b)
	batch := make([]Sighting, 100)
	for i := 0; b.Loop(); i++ {
		for j := range batch {
			slug := fixtureSlug((i*100 + j) % fixtureContacts)
			if j >= 95 {
				slug = fmt.Sprintf("newcomer-%d-%d", i, j)
			}
			batch[j] = Sighting{Slug: slug, Name: "Person", Headline: "Engineer at Acme", ConnectedText: "Connected 2 weeks ago",
				ConnectedOn: "2026-11-15", ConnectedSource: protocol.DateFromPageRelative}
		}
		if _, err := db.See(batch); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHistoryContact is the popup's view of one contact in a full store.
func BenchmarkHistoryContact(b *testing.B) {
	db := openFixture(b)
	for i := 0; b.Loop(); i++ {
		evs, _, err := db.History(HistoryQuery{Slug: fixtureSlug(i % fixtureContacts), Limit: 50})
		if err != nil || len(evs) != fixtureEvents/fixtureContacts {
			b.Fatalf("%d events, %v", len(evs), err)
		}
	}
}

// BenchmarkHistoryText searches the whole history of a full store for text
// no event has: the worst case, a full scan.
func BenchmarkHistoryText(b *testing.B) {
	db := openFixture(b)
	for b.Loop() {
		if _, _, err := db.History(HistoryQuery{Text: "nobody wrote this", Limit: 50}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkImport30000 imports LinkedIn's largest export into an empty store,
// then again (nothing changes the second time).
func BenchmarkImport30000(b *testing.B) {
	rows := fixtureRows(fixtureContacts)
	for _, again := range []bool{false, true} {
		b.Run(map[bool]string{false: "fresh", true: "again"}[again], func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				db, err := Open(filepath.Join(b.TempDir(), "t.db"), Options{Logger: zerolog.Nop()})
				if err != nil {
					b.Fatal(err)
				}
				if again {
					if _, _, err := db.Import(rows); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				added, _, err := db.Import(rows)
				if err != nil || (again && added != 0) || (!again && added != fixtureContacts) {
					b.Fatalf("added %d, %v", added, err)
				}
				b.StopTimer()
				db.Close()
				b.StartTimer()
			}
		})
	}
}

// BenchmarkAddNoteParallel has 20 writers adding notes at once, each write
// fsynced before AddNote returns.
func BenchmarkAddNoteParallel(b *testing.B) {
	const writers, contacts = 20, 200
	db, err := Open(filepath.Join(b.TempDir(), "t.db"), Options{Logger: zerolog.Nop()})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var seen []Sighting
	for i := range contacts {
		seen = append(seen, Sighting{Slug: fmt.Sprintf("person-%03d", i), Name: "Person"})
	}
	if _, err := db.See(seen); err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	b.SetParallelism((writers + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := next.Add(1)
			if _, _, err := db.AddNote(fmt.Sprintf("person-%03d", n%contacts), fmt.Sprintf("note-%d", n), "met at a conference"); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "notes/s")
}

// BenchmarkStats is the status request against a full store.
func BenchmarkStats(b *testing.B) {
	db := openFixture(b)
	for b.Loop() {
		st, err := db.Stats()
		if err != nil || st.Events != fixtureEvents {
			b.Fatalf("%+v, %v", st, err)
		}
	}
}

// BenchmarkDump exports a full store, as the export request does.
func BenchmarkDump(b *testing.B) {
	db := openFixture(b)
	for b.Loop() {
		a, err := db.Dump()
		if err != nil || len(a.Events) != fixtureEvents {
			b.Fatalf("%d events, %v", len(a.Events), err)
		}
	}
}
