package benchmarks

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/tactful/tactful/protocol"
)

// TestBurstHeapProfile takes the heap profile docs/benchmarks.md reads for
// issue 12: the live heap at the peak of the first-sighting burst, the
// day's first sighting of all 30,000 contacts of the large store by 50
// clients sending 20 batches/s of 100 cards each, as tactful-load does.
//
// It only measures: it runs when TACTFUL_HEAP_PROFILE names a directory,
// where it writes idle.pprof (after Open and the connections' handshakes,
// before the burst) and peak.pprof (the largest live heap seen, each
// sample taken right after a runtime.GC, every 100 ms). Read them with
//
//	go tool pprof -top -inuse_space peak.pprof
//	go tool pprof -top -sample_index=alloc_space -base idle.pprof peak.pprof
//
// The process also holds the clients; their frames (this file's,
// websocket.Dial, SeenRequest) are told apart by -top's function names.
func TestBurstHeapProfile(t *testing.T) {
	out := os.Getenv("TACTFUL_HEAP_PROFILE")
	if out == "" {
		t.Skip("set TACTFUL_HEAP_PROFILE=dir to profile the first-sighting burst")
	}
	// Finer sampling than the default 512 KiB, from before the store opens,
	// so the index built at Open is counted as well as the burst.
	runtime.MemProfileRate = 16 << 10

	const clients, rate, batch, seconds = 50, 20, 100, 5
	// The benchmarks' server, without their warm-up pass: that pass would
	// be the very burst this test profiles.
	e := &env{dir: t.TempDir()}
	if err := e.serve(); err != nil {
		t.Fatal(err)
	}
	defer e.close()
	db := e.db

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	conns := make([]*websocket.Conn, clients)
	for i := range conns {
		var err error
		if conns[i], err = e.dialTactful(ctx); err != nil {
			t.Fatal(err)
		}
		defer conns[i].CloseNow()
	}
	// The clients share one set of requests covering every contact once
	// (4.5 MB): tactful-load's own, 64 a client, would be 48 MB of this
	// process's heap beside the daemon's. Client i scrolls on from batch
	// i*6, so the 50 clients' first 6 batches (0.3 s) see everyone.
	reqs := make([][]byte, Contacts/batch)
	for k := range reqs {
		reqs[k] = SeenRequest(strconv.Itoa(k), k*batch, batch)
	}
	writeProfile := func(name string, p []byte) {
		if err := os.WriteFile(filepath.Join(out, name), p, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// live takes a heap profile of what is live now; the profile is as of
	// the last finished collection, so one runs first.
	live := func() (uint64, []byte) {
		runtime.GC()
		// What that collection marked live: HeapAlloc would add what the
		// burst allocated since, which the profile does not show.
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		metrics.Read(sample)
		var buf bytes.Buffer
		if err := pprof.WriteHeapProfile(&buf); err != nil {
			t.Fatal(err)
		}
		return sample[0].Value.Uint64(), buf.Bytes()
	}
	idleHeap, idle := live()
	writeProfile("idle.pprof", idle)

	done := make(chan struct{})
	var peakHeap uint64
	var peak []byte
	var peakAt time.Duration
	samplerDone := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(samplerDone)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			if h, p := live(); h > peakHeap {
				peakHeap, peak, peakAt = h, p, time.Since(start)
			}
		}
	}()

	interval := time.Second / rate
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			first := start.Add(interval * time.Duration(i) / clients)
			for k := range rate * seconds {
				req := reqs[(i*len(reqs)/clients+k)%len(reqs)]
				time.Sleep(time.Until(first.Add(time.Duration(k) * interval)))
				reply, err := roundTrip(ctx, c, req)
				if err != nil {
					errs <- err
					return
				}
				if !isType(reply, protocol.TypeAnnotations) {
					t.Errorf("contacts_seen answered %.200s", reply)
					return
				}
			}
		}()
	}
	wg.Wait()
	// The queued last-seen days are written behind the replies; reading a
	// contact waits for them, so the burst's writes are inside the window.
	if _, err := db.Contact(Slug(0)); err != nil {
		t.Fatal(err)
	}
	close(done)
	<-samplerDone
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	writeProfile("peak.pprof", peak)
	t.Logf("live heap: idle %.1f MiB, peak %.1f MiB at %v of %v", float64(idleHeap)/(1<<20), float64(peakHeap)/(1<<20),
		peakAt.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
}
