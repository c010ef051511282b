// Command tactful-load is a load generator for the tactful daemon: many
// clients, each sending contacts_seen batches at a steady rate, as open tabs
// of the connections page would. It reports the latency percentiles, the
// errors and, given the daemon's PID, its resident memory idle and under
// load. docs/benchmarks.md shows its results; `make bench` runs it.
//
//	tactful-load -serve bin/tactful                 # a daemon of its own on the large store
//	tactful-load -addr 127.0.0.1:47291 -home ~/.local/share/tactful -pid 1234
//
// With -serve it starts `tactful serve` on a free loopback port, in -home
// or, without one, in a temporary home holding a copy of the benchmarks'
// large store (30,000 contacts, 300,000 events), and stops it at the end.
// Otherwise it loads the daemon at -addr, reading the pairing code from
// -home. Every run stops by itself after -duration.
//
// Latency is measured from when a request was due, not when it was sent: a
// client that falls behind its schedule counts the wait, so a slow daemon
// cannot hide in fewer requests (coordinated omission). Requests are encoded
// before the run and replies are only checked for their type, so the
// generator's own CPU, which shares the machine with the daemon, stays small.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/coder/websocket"

	"github.com/tactful/tactful/daemon"
	"github.com/tactful/tactful/daemon/benchmarks"
	"github.com/tactful/tactful/daemon/pairing"
	"github.com/tactful/tactful/protocol"
)

// Config is what one run does; the flags fill it.
type Config struct {
	Addr     string
	Home     string
	Clients  int
	Rate     float64 // batches a second, per client
	Duration time.Duration
	Batch    int // contacts per batch
	Timeout  time.Duration
	Serve    string // the tactful binary to start, or ""
	// ServeFlags are more flags for `tactful serve`.
	ServeFlags []string
	PID        int // the daemon's process, for its memory; 0 for none
	// Series prints the latency percentiles of each second of the run, to
	// tell the first sightings of the day (the run's first seconds write)
	// from the rest.
	Series bool
}

// Result is what a run measured.
type Result struct {
	Sent, OK, Errors int
	// ErrorKinds counts errors by what went wrong: a reply's code, "dial",
	// "timeout", "closed".
	ErrorKinds           map[string]int
	P50, P90, P99, Max   time.Duration
	Elapsed              time.Duration
	RSSIdleKB, RSSPeakKB int64 // kB; 0 when unknown
	RSSAnonPeakKB        int64
	RSSIdleAnonKB        int64
	MissedScheduleCount  int // requests sent later than due by more than their interval
	// Seconds are the percentiles of the requests due in each second of
	// the run.
	Seconds []SecondResult
}

// SecondResult is one second of a run.
type SecondResult struct {
	Answered      int
	P50, P99, Max time.Duration
}

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "tactful-load:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := run(ctx, cfg, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "tactful-load:", err)
		os.Exit(1)
	}
	report(os.Stdout, cfg, res)
	if res.Errors > 0 {
		os.Exit(3)
	}
}

func parseFlags(args []string) (Config, error) {
	var cfg Config
	fs := flag.NewFlagSet("tactful-load", flag.ContinueOnError)
	addr := os.Getenv("TACTFUL_ADDR")
	if addr == "" {
		addr = daemon.DefaultAddr()
	}
	fs.StringVar(&cfg.Addr, "addr", addr, "the daemon's loopback `HOST:PORT` (ignored with -serve)")
	fs.StringVar(&cfg.Home, "home", "", "the daemon's home `DIR`, for the pairing code (default: the daemon's default; with -serve, a temporary copy of the large store)")
	fs.IntVar(&cfg.Clients, "clients", 50, "concurrent clients, each on its own connection")
	fs.Float64Var(&cfg.Rate, "rate", 20, "contacts_seen batches a second, per client")
	fs.DurationVar(&cfg.Duration, "duration", 20*time.Second, "how long to send (1s to 10m)")
	fs.IntVar(&cfg.Batch, "batch", 100, "contacts per batch (1 to protocol.MaxBatch)")
	fs.DurationVar(&cfg.Timeout, "timeout", 5*time.Second, "how long one reply may take before it counts as an error")
	fs.StringVar(&cfg.Serve, "serve", "", "start this tactful `BINARY` (serve) on a free port, load it, stop it")
	fs.Func("serve-flag", "one more `FLAG` for tactful serve, e.g. -serve-flag=--max-conns=64 (repeatable)", func(v string) error {
		cfg.ServeFlags = append(cfg.ServeFlags, v)
		return nil
	})
	fs.BoolVar(&cfg.Series, "series", false, "also print the latency percentiles of each second")
	fs.IntVar(&cfg.PID, "pid", 0, "the daemon's `PID`, to report its resident memory (automatic with -serve)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	switch {
	case cfg.Clients < 1 || cfg.Clients > 1000:
		return cfg, fmt.Errorf("-clients must be 1 to 1000")
	case cfg.Rate <= 0 || cfg.Rate > 1000:
		return cfg, fmt.Errorf("-rate must be above 0 and at most 1000")
	case cfg.Duration < time.Second || cfg.Duration > 10*time.Minute:
		return cfg, fmt.Errorf("-duration must be 1s to 10m")
	case cfg.Batch < 1 || cfg.Batch > protocol.MaxBatch:
		return cfg, fmt.Errorf("-batch must be 1 to %d", protocol.MaxBatch)
	case cfg.Timeout <= 0 || cfg.Timeout > time.Minute:
		return cfg, fmt.Errorf("-timeout must be above 0 and at most 1m")
	}
	if cfg.Serve == "" {
		if cfg.Home == "" {
			cfg.Home = daemon.DefaultHome()
		}
		a, err := daemon.CheckAddr(cfg.Addr)
		if err != nil {
			return cfg, err
		}
		cfg.Addr = a
	}
	return cfg, nil
}

func run(ctx context.Context, cfg Config, logw io.Writer) (Result, error) {
	if cfg.Serve != "" {
		d, err := startDaemon(ctx, cfg, logw)
		if err != nil {
			return Result{}, err
		}
		defer d.stop(logw)
		cfg.Addr, cfg.Home, cfg.PID = d.addr, d.home, d.cmd.Process.Pid
	}
	code, err := os.ReadFile(pairing.Path(cfg.Home))
	if err != nil {
		return Result{}, fmt.Errorf("read the pairing code: %w", err)
	}

	var res Result
	var mem *memWatch
	if cfg.PID != 0 {
		// Idle: the daemon has opened its store and served /healthz.
		time.Sleep(time.Second)
		res.RSSIdleKB, res.RSSIdleAnonKB, _ = rss(cfg.PID)
		mem = watchMemory(cfg.PID)
	}
	fmt.Fprintf(logw, "tactful-load: %d clients x %g batches/s of %d contacts for %v against %s\n",
		cfg.Clients, cfg.Rate, cfg.Batch, cfg.Duration, cfg.Addr)
	res = load(ctx, cfg, strings.TrimSpace(string(code)), res)
	if mem != nil {
		res.RSSPeakKB, res.RSSAnonPeakKB = mem.stop()
	}
	return res, nil
}

// load runs the clients and gathers their latencies.
func load(ctx context.Context, cfg Config, code string, res Result) Result {
	res.ErrorKinds = map[string]int{}
	var mu sync.Mutex
	var lat []time.Duration
	type sample struct{ due, lat time.Duration } // due: since the start
	var samples []sample
	fail := func(kind string) {
		mu.Lock()
		res.Errors++
		res.ErrorKinds[kind]++
		mu.Unlock()
	}

	// Connect everyone first, so the run measures requests, not handshakes.
	conns := make([]*websocket.Conn, cfg.Clients)
	refused := map[string][]int{} // error message -> clients
	for i := range conns {
		c, err := dial(ctx, cfg.Addr, code, cfg.Timeout)
		if err != nil {
			refused[err.Error()] = append(refused[err.Error()], i)
			fail("dial")
			continue
		}
		conns[i] = c
	}
	for msg, clients := range refused {
		fmt.Fprintf(os.Stderr, "tactful-load: %d clients (the first is %d) could not connect: %s\n", len(clients), clients[0], msg)
	}

	interval := time.Duration(float64(time.Second) / cfg.Rate)
	perClient := int(cfg.Duration / interval)
	// Every client's requests, encoded before the clock starts: a page
	// scrolling on through the contacts. (Encoding them client by client
	// after the start, as this did, made the last clients start 0.3 s late,
	// which counted as the daemon's latency in the first second.)
	clientReqs := make([][][]byte, len(conns))
	for i, c := range conns {
		if c == nil {
			continue
		}
		clientReqs[i] = make([][]byte, min(perClient, 64))
		for k := range clientReqs[i] {
			clientReqs[i][k] = benchmarks.SeenRequest(strconv.Itoa(k), i*997+k*cfg.Batch, cfg.Batch)
		}
	}
	start := time.Now().Add(100 * time.Millisecond)
	// The run stops by itself: nothing is sent after the duration and one
	// timeout, so a daemon that falls behind cannot stretch it.
	deadline := start.Add(cfg.Duration + cfg.Timeout)
	var wg sync.WaitGroup
	for i, c := range conns {
		if c == nil {
			continue
		}
		reqs := clientReqs[i]
		// Spread the clients over one interval, as independent tabs would be.
		first := start.Add(interval * time.Duration(i) / time.Duration(cfg.Clients))
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.CloseNow()
			mine := make([]time.Duration, 0, perClient)
			mineDue := make([]sample, 0, perClient)
			missed := 0
			defer func() {
				mu.Lock()
				lat = append(lat, mine...)
				samples = append(samples, mineDue...)
				res.MissedScheduleCount += missed
				mu.Unlock()
			}()
			for k := 0; k < perClient; k++ {
				due := first.Add(time.Duration(k) * interval)
				if time.Now().After(deadline) {
					// Too far behind to send the rest in time: the daemon
					// did not keep up, and they count as errors.
					for range perClient - k {
						fail("unsent")
					}
					break
				}
				if wait := time.Until(due); wait > 0 {
					select {
					case <-time.After(wait):
					case <-ctx.Done():
						return // interrupted: the rest is not counted
					}
				} else if -wait > interval {
					missed++
				}
				rctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
				kind := call(rctx, c, reqs[k%len(reqs)])
				cancel()
				if kind == "" {
					took := time.Since(due)
					mine = append(mine, took)
					mineDue = append(mineDue, sample{due.Sub(start), took})
					continue
				}
				fail(kind)
				if kind == "closed" || kind == "timeout" {
					// The connection is gone or unusable: what it had left
					// to send is lost too.
					for range perClient - k - 1 {
						fail("unsent")
					}
					return
				}
			}
			c.Close(websocket.StatusNormalClosure, "")
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	res.OK = len(lat)
	res.Sent = res.OK + res.Errors - res.ErrorKinds["dial"] - res.ErrorKinds["unsent"]
	slices.Sort(lat)
	if n := len(lat); n > 0 {
		pct := func(p float64) time.Duration { return lat[min(n-1, int(p*float64(n)))] }
		res.P50, res.P90, res.P99, res.Max = pct(0.50), pct(0.90), pct(0.99), lat[n-1]
	}
	var bySecond [][]time.Duration
	for _, s := range samples {
		k := max(0, int(s.due/time.Second))
		for len(bySecond) <= k {
			bySecond = append(bySecond, nil)
		}
		bySecond[k] = append(bySecond[k], s.lat)
	}
	for _, l := range bySecond {
		slices.Sort(l)
		var sec SecondResult
		if n := len(l); n > 0 {
			sec = SecondResult{Answered: n, P50: l[n/2], P99: l[min(n-1, n*99/100)], Max: l[n-1]}
		}
		res.Seconds = append(res.Seconds, sec)
	}
	return res
}

// dial connects and says hello.
func dial(ctx context.Context, addr, code string, timeout time.Duration) (*websocket.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, "ws://"+addr+protocol.Path, nil)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("the daemon answered %s", resp.Status)
		}
		return nil, err
	}
	c.SetReadLimit(protocol.MaxMessageBytes)
	hello := fmt.Appendf(nil, `{"type":"hello","id":"hello","protocol":%d,"client":"tactful-load","pairing_code":%q}`, protocol.Version, code)
	if err := c.Write(ctx, websocket.MessageText, hello); err != nil {
		c.CloseNow()
		return nil, err
	}
	_, reply, err := c.Read(ctx)
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

// call sends one request and waits for its reply. It returns "" on
// success, else the kind of error.
func call(ctx context.Context, c *websocket.Conn, req []byte) string {
	if err := c.Write(ctx, websocket.MessageText, req); err != nil {
		return errKind(ctx, err)
	}
	for {
		_, reply, err := c.Read(ctx)
		if err != nil {
			return errKind(ctx, err)
		}
		switch {
		case isType(reply, protocol.TypeAnnotations):
			return ""
		case isType(reply, protocol.TypeError):
			if code := field(reply, "code"); code != "" {
				return code
			}
			return "error"
		case isType(reply, protocol.TypeContactChanged):
			continue // pushed by another connection's change
		}
		return "unexpected_reply"
	}
}

func errKind(ctx context.Context, err error) string {
	if ctx.Err() != nil {
		return "timeout"
	}
	return "closed"
}

// isType reports whether a message of the daemon has type typ; the daemon
// writes the header first.
func isType(msg []byte, typ string) bool {
	return bytes.HasPrefix(msg, []byte(`{"type":"`+typ+`"`))
}

// field finds a short string field in a small message without decoding it.
func field(msg []byte, name string) string {
	key := []byte(`"` + name + `":"`)
	i := bytes.Index(msg, key)
	if i < 0 {
		return ""
	}
	rest := msg[i+len(key):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 || j > 40 {
		return ""
	}
	return string(rest[:j])
}

// daemonProc is a `tactful serve` this run started.
type daemonProc struct {
	cmd     *exec.Cmd
	addr    string
	home    string
	tmpHome string // removed at the end, when we made it
	stderr  *bytes.Buffer
	exited  chan struct{}
}

func startDaemon(ctx context.Context, cfg Config, logw io.Writer) (*daemonProc, error) {
	d := &daemonProc{home: cfg.Home, stderr: &bytes.Buffer{}, exited: make(chan struct{})}
	if d.home == "" {
		dir, err := os.MkdirTemp("", "tactful-load-")
		if err != nil {
			return nil, err
		}
		d.home, d.tmpHome = dir, dir
		fmt.Fprintf(logw, "tactful-load: copying the large store (%d contacts, %d events) into %s\n", benchmarks.Contacts, benchmarks.Events, dir)
		if err := benchmarks.CopyLargeStore(filepath.Join(dir, daemon.DBFileName)); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("large store: %w", err)
		}
	}
	port, err := freePort()
	if err != nil {
		d.cleanup()
		return nil, err
	}
	d.addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	args := append([]string{"serve", "--home", d.home, "--addr", d.addr, "--log-format", "json", "--log-level", "warn"}, cfg.ServeFlags...)
	d.cmd = exec.Command(cfg.Serve, args...)
	d.cmd.Stdout = io.Discard
	d.cmd.Stderr = &lockedWriter{w: d.stderr}
	if err := d.cmd.Start(); err != nil {
		d.cleanup()
		return nil, fmt.Errorf("start %s: %w", cfg.Serve, err)
	}
	go func() { d.cmd.Wait(); close(d.exited) }()
	// Ready when /healthz answers.
	deadline := time.Now().Add(30 * time.Second)
	client := &http.Client{Timeout: time.Second}
	for {
		resp, err := client.Get("http://" + d.addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return d, nil
			}
		}
		select {
		case <-d.exited:
			d.cleanup()
			return nil, fmt.Errorf("tactful serve exited at start: %s", d.stderr.String())
		case <-ctx.Done():
			d.stop(logw)
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			d.stop(logw)
			return nil, fmt.Errorf("tactful serve did not answer /healthz within 30s")
		}
	}
}

// stop sends SIGTERM, waits up to 10 s, then kills.
func (d *daemonProc) stop(logw io.Writer) {
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.exited:
	case <-time.After(10 * time.Second):
		fmt.Fprintln(logw, "tactful-load: the daemon did not stop within 10s; killing it")
		_ = d.cmd.Process.Kill()
		<-d.exited
	}
	// Only the log lines (JSON), not the welcome text for people.
	var logged []string
	for _, line := range strings.Split(d.stderr.String(), "\n") {
		if strings.HasPrefix(line, "{") {
			logged = append(logged, line)
		}
	}
	if len(logged) > 0 {
		fmt.Fprintf(logw, "tactful-load: the daemon logged:\n%s\n", clipLines(strings.Join(logged, "\n"), 20))
	}
	d.cleanup()
}

func (d *daemonProc) cleanup() {
	if d.tmpHome != "" {
		os.RemoveAll(d.tmpHome)
	}
}

type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.w.Len() > 1<<20 {
		return len(p), nil // enough to say what went wrong
	}
	return l.w.Write(p)
}

func clipLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) <= n {
		return s
	}
	return strings.Join(lines[:n], "\n") + fmt.Sprintf("\n... (%d more lines)", len(lines)-n)
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// rss reads VmRSS and RssAnon (kB) of a process.
func rss(pid int) (total, anon int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		name, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(val), " kB"), 10, 64)
		switch name {
		case "VmRSS":
			total = kb
		case "RssAnon":
			anon = kb
		}
	}
	return total, anon, nil
}

// memWatch samples a process's resident size every 100 ms and keeps the
// peak.
type memWatch struct {
	quit      chan struct{}
	done      chan struct{}
	peak, ano int64
}

func watchMemory(pid int) *memWatch {
	m := &memWatch{quit: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(m.done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			if total, anon, err := rss(pid); err == nil {
				m.peak, m.ano = max(m.peak, total), max(m.ano, anon)
			}
			select {
			case <-m.quit:
				return
			case <-t.C:
			}
		}
	}()
	return m
}

func (m *memWatch) stop() (peak, anon int64) {
	close(m.quit)
	<-m.done
	return m.peak, m.ano
}

// report prints the result for people, then one line of key=value pairs
// for scripts/bench.sh.
func report(w io.Writer, cfg Config, r Result) {
	fmt.Fprintf(w, "requests   %d sent, %d answered, %d errors", r.Sent, r.OK, r.Errors)
	if len(r.ErrorKinds) > 0 {
		kinds := make([]string, 0, len(r.ErrorKinds))
		for k, n := range r.ErrorKinds {
			kinds = append(kinds, fmt.Sprintf("%s: %d", k, n))
		}
		slices.Sort(kinds)
		fmt.Fprintf(w, " (%s)", strings.Join(kinds, ", "))
	}
	fmt.Fprintf(w, " in %v\n", r.Elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "latency    p50 %v  p90 %v  p99 %v  max %v\n", r.P50.Round(time.Microsecond), r.P90.Round(time.Microsecond),
		r.P99.Round(time.Microsecond), r.Max.Round(time.Microsecond))
	if r.MissedScheduleCount > 0 {
		fmt.Fprintf(w, "behind     %d requests went out more than one interval late\n", r.MissedScheduleCount)
	}
	if cfg.Series {
		for k, sec := range r.Seconds {
			fmt.Fprintf(w, "second %2d  %4d answered  p50 %v  p99 %v  max %v\n", k, sec.Answered, sec.P50.Round(time.Microsecond),
				sec.P99.Round(time.Microsecond), sec.Max.Round(time.Microsecond))
		}
	}
	if cfg.PID != 0 {
		fmt.Fprintf(w, "memory     VmRSS idle %.1f MB (anonymous %.1f MB), peak under load %.1f MB (anonymous %.1f MB)\n",
			mb(r.RSSIdleKB), mb(r.RSSIdleAnonKB), mb(r.RSSPeakKB), mb(r.RSSAnonPeakKB))
	}
	fmt.Fprintf(w, "RESULT clients=%d rate=%g batch=%d duration=%s elapsed_ms=%d sent=%d ok=%d errors=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d rss_idle_kb=%d rss_peak_kb=%d rss_anon_idle_kb=%d rss_anon_peak_kb=%d\n",
		cfg.Clients, cfg.Rate, cfg.Batch, cfg.Duration, r.Elapsed.Milliseconds(), r.Sent, r.OK, r.Errors, r.P50.Microseconds(), r.P90.Microseconds(),
		r.P99.Microseconds(), r.Max.Microseconds(), r.RSSIdleKB, r.RSSPeakKB, r.RSSIdleAnonKB, r.RSSAnonPeakKB)
}

func mb(kb int64) float64 { return float64(kb) / 1024 }
