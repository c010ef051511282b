package server

import (
	"encoding/json"
	"path/filepath"
	"runtime"
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
//	decode    protocol.Decode: JSON and validation
//	dates     annotate.ParseConnected for each card
//	see       store.See: a read transaction, and a write (fsynced) only
//	          when a card changed something; here, after the first pass
//	          over the store, nothing does
//	read      store.Contact for each card, a read transaction each
//	annotate  Rules.Annotate for each contact
//	encode    json.Marshal of the annotations reply
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
	contacts, err := db.See(sightings[0])
	if err != nil {
		b.Fatal(err)
	}
	reply, _, err := s.safeHandle(decoded[0])
	if err != nil {
		b.Fatal(err)
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
			if _, err := json.Marshal(reply); err != nil {
				b.Fatal(err)
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
			if _, err := db.See(sightings[i%len(sightings)]); err != nil {
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
	b.Run("annotate", func(b *testing.B) {
		defer threadCPU(b)()
		for b.Loop() {
			for _, c := range contacts {
				s.rules.Annotate(c, protocol.Visits{})
			}
		}
	})
	b.Run("encode", func(b *testing.B) {
		defer threadCPU(b)()
		for b.Loop() {
			if _, err := json.Marshal(reply); err != nil {
				b.Fatal(err)
			}
		}
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
