package server

import (
	"encoding/json"
	"path/filepath"
	"runtime"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/tactful/tactful/daemon/annotate"
	"github.com/tactful/tactful/daemon/benchmarks"
	"github.com/tactful/tactful/daemon/store"
	"github.com/tactful/tactful/protocol"
)

// BenchmarkDaemonWork100 is the daemon's own work for one contacts_seen of
// 100 cards against the large store (30,000 contacts, 300,000 events),
// without the network: what conn.handle does between a read and a write.
// "all" is the whole of it; the others time each step alone, to show where
// the time goes (see docs/benchmarks.md). Besides the wall-clock ns/op each
// reports cpu-ns/op, the CPU time of its thread: on a shared machine the
// wall clock also counts the wait for a free core, the CPU time does not.
//
//	decode          protocol.Decode: JSON and validation
//	dates           annotate.ParseConnected for each card, remembered (dates.go)
//	see             store.SeeInputs: from memory, since after the first
//	                pass over the store nothing changes
//	annotate        Rules.AnnotateInput for each card (what a cache miss costs)
//	encode          json.Marshal of 100 annotations (what a cache miss costs)
//	reply           the reply from cached annotations (annotations.go)
//	read            store.Contact for each card: contact_get's read, from bbolt
//	first-sighting  store.SeeInputs of 100 people never seen: the writes,
//	                100 contacts and 100 first_seen events, one fsynced commit
//	first-sighting-parallel  the same from 8 goroutines at once, as tabs
//	                would: bolt.Batch lets them share commits; ns/op is per
//	                batch of 100 over all of them
func BenchmarkDaemonWork100(b *testing.B) {
	path := filepath.Join(b.TempDir(), "tactful.db")
	if err := benchmarks.CopyLargeStore(path); err != nil {
		b.Fatal(err)
	}
	db, err := store.Open(path, store.Options{Logger: zerolog.Nop()})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	s := New(Config{Store: db, Rules: annotate.Default(), Logger: zerolog.Nop()})
	defer s.Close()

	// Every contact of the store, 100 at a time, as a page scrolls.
	reqs := make([][]byte, benchmarks.Contacts/100)
	for k := range reqs {
		reqs[k] = benchmarks.SeenRequest("7", k*100, 100)
	}
	decoded := make([]*protocol.ContactsSeen, len(reqs))
	for k, data := range reqs {
		req, _, err := protocol.Decode(data)
		if err != nil {
			b.Fatal(err)
		}
		decoded[k] = req.(*protocol.ContactsSeen)
	}
	sightings := make([][]store.Sighting, len(reqs))
	now := time.Now()
	for k, r := range decoded {
		for _, sc := range r.Contacts {
			sg := store.Sighting{Slug: sc.Slug, Name: sc.Name, Headline: sc.Headline, ConnectedText: sc.ConnectedText}
			sg.ConnectedOn, sg.ConnectedSource, _ = annotate.ParseConnected(sc.ConnectedText, r.Locale, now)
			sightings[k] = append(sightings[k], sg)
		}
	}
	// One pass over the store, as the page's first scroll of the day: it
	// writes (last seen moves to today), and fills the annotation cache.
	for _, req := range decoded {
		if _, _, err := s.safeHandle(req); err != nil {
			b.Fatal(err)
		}
	}
	// The pass moved every contact's last seen, which the store writes
	// behind its replies; a read of a contact waits for those writes.
	if _, err := db.Contact(sightings[0][0].Slug); err != nil {
		b.Fatal(err)
	}
	seen, err := db.SeeInputs(sightings[0])
	if err != nil {
		b.Fatal(err)
	}
	visits, err := db.Visits()
	if err != nil {
		b.Fatal(err)
	}
	anns := protocol.Annotations{Header: protocol.Header{Type: protocol.TypeAnnotations, ID: "7"}}
	for _, sn := range seen {
		anns.Annotations = append(anns.Annotations, s.rules.AnnotateInput(sn.Input, visits))
	}

	b.Run("all", func(b *testing.B) {
		defer threadCPU(b)()
		for i := 0; b.Loop(); i++ {
			req, _, err := protocol.Decode(reqs[i%len(reqs)])
			if err != nil {
				b.Fatal(err)
			}
			reply, _, err := s.safeHandle(req)
			if err != nil {
				b.Fatal(err)
			}
			if _, ok := reply.(encodedReply); !ok {
				b.Fatalf("contacts_seen answered %T, not an encoded reply", reply)
			}
		}
	})
	b.Run("decode", func(b *testing.B) {
		defer threadCPU(b)()
		for i := 0; b.Loop(); i++ {
			if _, _, err := protocol.Decode(reqs[i%len(reqs)]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("dates", func(b *testing.B) {
		defer threadCPU(b)()
		for i := 0; b.Loop(); i++ {
			r := decoded[i%len(decoded)]
			for _, sc := range r.Contacts {
				s.dates.parse(sc.ConnectedText, r.Locale, now) // as contactsSeen reads them
			}
		}
	})
	b.Run("see", func(b *testing.B) {
		defer threadCPU(b)()
		for i := 0; b.Loop(); i++ {
			if _, err := db.SeeInputs(sightings[i%len(sightings)]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("annotate", func(b *testing.B) {
		defer threadCPU(b)()
		for b.Loop() {
			for _, sn := range seen {
				s.rules.AnnotateInput(sn.Input, visits)
			}
		}
	})
	b.Run("encode", func(b *testing.B) {
		defer threadCPU(b)()
		for b.Loop() {
			if _, err := json.Marshal(anns); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("reply", func(b *testing.B) {
		defer threadCPU(b)()
		rules := s.rules
		at := rules.Now()
		rules.Now = func() time.Time { return at }
		buf := make([]byte, 0, 32<<10)
		for b.Loop() {
			if _, err := s.annotations.appendAnnotations(buf[:0], seen, rules, visits); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("read", func(b *testing.B) {
		defer threadCPU(b)()
		for i := 0; b.Loop(); i++ {
			for _, sg := range sightings[i%len(sightings)] {
				if _, err := db.Contact(sg.Slug); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	var fresh atomic.Int64
	newBatch := func() []store.Sighting {
		batch := make([]store.Sighting, 100)
		for j := range batch {
			n := fresh.Add(1)
			batch[j] = store.Sighting{Slug: "new-person-" + strconv.FormatInt(n, 10), Name: "New Person " + strconv.FormatInt(n, 10),
				Headline: "Engineer at a new company", ConnectedText: "Connected 2 days ago", ConnectedOn: now.AddDate(0, 0, -2).Format(time.DateOnly),
				ConnectedSource: protocol.DateFromPageRelative}
		}
		return batch
	}
	b.Run("first-sighting", func(b *testing.B) {
		defer threadCPU(b)()
		for b.Loop() {
			// Made in the loop (about 20 µs): StopTimer would stop the
			// world to read the memory statistics, each time.
			if _, err := db.SeeInputs(newBatch()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("first-sighting-parallel", func(b *testing.B) {
		b.SetParallelism(4) // 4 per core: 8 tabs on this machine
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := db.SeeInputs(newBatch()); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// threadCPU locks the benchmark to its thread and returns a func that
// reports the thread's CPU time per op as cpu-ns/op.
func threadCPU(b *testing.B) func() {
	runtime.LockOSThread()
	start := threadTime()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64(threadTime()-start)/float64(b.N), "cpu-ns/op")
		}
		runtime.UnlockOSThread()
	}
}

func threadTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1, &ru); err != nil { // 1 is RUSAGE_THREAD
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
