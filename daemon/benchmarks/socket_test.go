package benchmarks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/rs/zerolog"

	"github.com/tactful/tactful/daemon/annotate"
	"github.com/tactful/tactful/daemon/pairing"
	"github.com/tactful/tactful/daemon/server"
	"github.com/tactful/tactful/daemon/store"
	"github.com/tactful/tactful/protocol"
)

// env is one tactful server on loopback over a copy of the large store,
// with a bare WebSocket echo mounted beside it on the same http.Server. It
// is built once per process: copying the store takes a second or so.
type env struct {
	dir   string
	db    *store.DB
	srv   *server.Server
	http  *http.Server
	addr  string
	code  string
	reqs  [][]byte // contacts_seen of every contact, 100 at a time
	reply [][]byte // tactful's reply to each, which the echo sends back
}

var (
	envOnce sync.Once
	shared  *env
	envErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if shared != nil {
		shared.close()
	}
	os.Exit(code)
}

func getEnv(b *testing.B) *env {
	b.Helper()
	envOnce.Do(func() { shared, envErr = newEnv() })
	if envErr != nil {
		b.Fatal(envErr)
	}
	return shared
}

func newEnv() (*env, error) {
	dir, err := os.MkdirTemp("", "tactful-bench-env-")
	if err != nil {
		return nil, err
	}
	e := &env{dir: dir}
	if err := e.start(); err != nil {
		e.close()
		return nil, err
	}
	return e, nil
}

func (e *env) start() error {
	if err := e.serve(); err != nil {
		return err
	}
	return e.recordReplies()
}

// serve opens a copy of the large store in e.dir and serves it, with the
// echo beside it, on a loopback port.
func (e *env) serve() error {
	path := filepath.Join(e.dir, "tactful.db")
	if err := CopyLargeStore(path); err != nil {
		return err
	}
	var err error
	if e.db, err = store.Open(path, store.Options{Logger: zerolog.Nop()}); err != nil {
		return err
	}
	if e.code, err = pairing.Ensure(e.dir); err != nil {
		return err
	}
	keeper, err := pairing.NewKeeper(e.dir, zerolog.Nop())
	if err != nil {
		return err
	}
	// The rate limit protects a real daemon from a runaway tab; the
	// benchmarks send as fast as they can on purpose, so it is lifted.
	e.srv = server.New(server.Config{Store: e.db, Rules: annotate.Default(), Pairing: keeper, Logger: zerolog.Nop(),
		MaxConns: 64, RateLimit: 1e9, RateBurst: 1e9})
	mux := http.NewServeMux()
	mux.Handle(protocol.Path, e.srv)
	mux.HandleFunc("/echo", e.echo)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	e.addr = ln.Addr().String()
	e.http = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go e.http.Serve(ln)
	return nil
}

// recordReplies sends every contact once through tactful and keeps the
// replies for the echo.
func (e *env) recordReplies() error {
	e.reqs = make([][]byte, Contacts/100)
	e.reply = make([][]byte, len(e.reqs))
	for k := range e.reqs {
		e.reqs[k] = SeenRequest("1", k*100, 100)
	}
	// One pass through tactful records the replies the echo will send, so
	// both carry exactly the same bytes each way.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c, err := e.dialTactful(ctx)
	if err != nil {
		return err
	}
	defer c.CloseNow()
	for k, req := range e.reqs {
		if e.reply[k], err = roundTrip(ctx, c, req); err != nil {
			return err
		}
		if !isType(e.reply[k], protocol.TypeAnnotations) {
			return fmt.Errorf("contacts_seen answered %.200s", e.reply[k])
		}
	}
	// That first pass of the day moved every contact's last seen, which
	// the store writes behind its replies; a read of a contact waits for
	// those writes, so the benchmarks start from a quiet store.
	if _, err := e.db.Contact(Slug(0)); err != nil {
		return err
	}
	return nil
}

func (e *env) close() {
	if e.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		e.http.Shutdown(ctx)
		cancel()
	}
	if e.srv != nil {
		e.srv.Close()
	}
	if e.db != nil {
		e.db.Close()
	}
	os.RemoveAll(e.dir)
}

// echo is the physical limit: the same library, read limit and Accept
// options as tactful's /ws, and no work. For the k-th message on a
// connection it sends tactful's recorded reply to the k-th contacts_seen.
func (e *env) echo(w http.ResponseWriter, r *http.Request) {
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return
	}
	defer ws.CloseNow()
	ws.SetReadLimit(protocol.MaxMessageBytes)
	ctx := context.Background()
	for k := 0; ; k++ {
		if _, _, err := ws.Read(ctx); err != nil {
			return
		}
		if err := ws.Write(ctx, websocket.MessageText, e.reply[k%len(e.reply)]); err != nil {
			return
		}
	}
}

func (e *env) dialEcho(ctx context.Context) (*websocket.Conn, error) {
	c, _, err := websocket.Dial(ctx, "ws://"+e.addr+"/echo", nil)
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(protocol.MaxMessageBytes)
	return c, nil
}

// dialTactful connects to /ws and says hello with the pairing code.
func (e *env) dialTactful(ctx context.Context) (*websocket.Conn, error) {
	c, _, err := websocket.Dial(ctx, "ws://"+e.addr+protocol.Path, nil)
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(protocol.MaxMessageBytes)
	hello := fmt.Appendf(nil, `{"type":"hello","id":"0","protocol":%d,"client":"bench","pairing_code":%q}`, protocol.Version, e.code)
	reply, err := roundTrip(ctx, c, hello)
	if err != nil {
		c.CloseNow()
		return nil, err
	}
	if !isType(reply, protocol.TypeWelcome) {
		c.CloseNow()
		return nil, fmt.Errorf("hello answered %.200s", reply)
	}
	return c, nil
}

// roundTrip sends msg and returns the reply, skipping the contact_changed
// events the server pushes when another connection changes a contact.
func roundTrip(ctx context.Context, c *websocket.Conn, msg []byte) ([]byte, error) {
	if err := c.Write(ctx, websocket.MessageText, msg); err != nil {
		return nil, err
	}
	for {
		_, reply, err := c.Read(ctx)
		if err != nil || !isType(reply, protocol.TypeContactChanged) {
			return reply, err
		}
	}
}

// isType reports whether a reply of the server has type typ. The server
// encodes the header first, so looking at the start is enough and costs the
// client nothing.
func isType(msg []byte, typ string) bool {
	return bytes.HasPrefix(msg, []byte(`{"type":"`+typ+`"`))
}

// BenchmarkContactsSeen100 is one contacts_seen of 100 cards, end to end
// on loopback: one client, one request in flight, against the large store.
// "echo" sends the same bytes each way to a handler that does nothing; the
// ratio tactful/echo is the daemon's cost over the physical limit.
// p50-ns and p99-ns are the median and 99th percentile round trip.
// cpu-ns/op is the CPU time of the whole process (client and server) per
// round trip: on a shared machine the wall clock also counts the wait for a
// free core, the CPU time does not.
func BenchmarkContactsSeen100(b *testing.B) {
	e := getEnv(b)
	b.Run("echo", func(b *testing.B) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		c, err := e.dialEcho(ctx)
		if err != nil {
			b.Fatal(err)
		}
		defer c.CloseNow()
		defer processCPU(b)()
		var lat latencies
		defer func() { lat.report(b) }()
		for i := 0; b.Loop(); i++ {
			start := time.Now()
			if _, err := roundTrip(ctx, c, e.reqs[i%len(e.reqs)]); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(start))
		}
	})
	var reqBytes, replyBytes int
	for k := range e.reqs {
		reqBytes += len(e.reqs[k])
		replyBytes += len(e.reply[k])
	}
	b.Logf("average sizes: request %d bytes, reply %d bytes", reqBytes/len(e.reqs), replyBytes/len(e.reply))
	b.Run("tactful", func(b *testing.B) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		c, err := e.dialTactful(ctx)
		if err != nil {
			b.Fatal(err)
		}
		defer c.CloseNow()
		defer processCPU(b)()
		var lat latencies
		defer func() { lat.report(b) }()
		for i := 0; b.Loop(); i++ {
			start := time.Now()
			reply, err := roundTrip(ctx, c, e.reqs[i%len(e.reqs)])
			lat = append(lat, time.Since(start))
			if err != nil {
				b.Fatal(err)
			}
			if !isType(reply, protocol.TypeAnnotations) {
				b.Fatalf("contacts_seen answered %.200s", reply)
			}
		}
	})
}

// noteSeq makes note ids unique across the runs of one process, whose
// store is shared.
var noteSeq atomic.Int64

// BenchmarkNoteAdd20 has 20 clients, each on its own connection, adding
// notes as fast as the daemon answers; every note is fsynced before its
// reply. One op is one note; notes/s is the daemon's total.
func BenchmarkNoteAdd20(b *testing.B) {
	const writers = 20
	e := getEnv(b)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	conns := make([]*websocket.Conn, writers)
	for w := range conns {
		c, err := e.dialTactful(ctx)
		if err != nil {
			b.Fatal(err)
		}
		defer c.CloseNow()
		conns[w] = c
	}
	var left atomic.Int64
	left.Store(int64(b.N))
	var failed atomic.Value
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var msg []byte
			for left.Add(-1) >= 0 {
				n := noteSeq.Add(1)
				msg = append(msg[:0], `{"type":"note_add","id":"n","slug":"`...)
				msg = append(msg, Slug(int(n*7)%Contacts)...)
				msg = append(msg, `","note_id":"bench-`...)
				msg = strconv.AppendInt(msg, n, 10)
				msg = append(msg, `","text":"Met at the conference; ask how the launch went."}`...)
				reply, err := roundTrip(ctx, c, msg)
				if err == nil && !isType(reply, protocol.TypeNoteSaved) {
					err = fmt.Errorf("note_add answered %.200s", reply)
				}
				if err != nil {
					failed.CompareAndSwap(nil, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if err, _ := failed.Load().(error); err != nil && !errors.Is(err, context.Canceled) {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "notes/s")
}

// latencies are the round trips of one benchmark run; report gives their
// median and 99th percentile as p50-ns and p99-ns, beside the mean (ns/op).
type latencies []time.Duration

func (l latencies) report(b *testing.B) {
	if len(l) == 0 {
		return
	}
	slices.Sort(l)
	b.ReportMetric(float64(l[len(l)/2]), "p50-ns")
	b.ReportMetric(float64(l[min(len(l)-1, len(l)*99/100)]), "p99-ns")
}

// processCPU returns a func that reports the process's CPU time per op as
// cpu-ns/op.
func processCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
