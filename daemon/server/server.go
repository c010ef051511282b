// Package server is tactful's WebSocket server: the only way into the daemon.
//
// Everything a socket sends is treated as hostile. Before the upgrade the
// server checks the Host (loopback names only, against DNS rebinding), the
// Origin (tactful's extension, a moz-extension:// origin, a configured extra
// origin, or none for a local program) and the connection cap. After it, the
// first message must be a hello with a supported protocol version and the
// pairing code; see package protocol for the close codes.
//
// Each connection has two goroutines: the handler's, which reads and answers
// requests in order, and a writer, which owns every write and the close. A
// change to a contact is pushed as contact_changed to every other
// authenticated connection through its bounded send queue; a connection whose
// queue is full is closed (1013, "reconnect") rather than allowed to hold up
// the connection that made the change.
//
// Imports (import_connections, import_json) push nothing: one event per
// contact would flood every tab, and open pages re-read annotations for the
// cards they show with their next contacts_seen. contacts_seen and
// removal_intent push nothing either: they change no badge another tab shows.
//
// Errors: an *protocol.Error goes to the client as it is; anything else is
// logged and answered with protocol.CodeInternal and a generic sentence. A
// panic in a handler is recovered and answered the same way.
package server

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
	"github.com/rs/zerolog"
	"golang.org/x/time/rate"

	"github.com/tactful/tactful/daemon/annotate"
	"github.com/tactful/tactful/daemon/pairing"
	"github.com/tactful/tactful/daemon/store"
	"github.com/tactful/tactful/protocol"
)

// Defaults for the zero values of Config.
const (
	DefaultMaxConns     = 32
	DefaultRateLimit    = 200 // messages per second, per connection
	DefaultRateBurst    = 400
	DefaultMaxRefusals  = 100 // consecutive rate_limited replies before closing
	DefaultSendQueue    = 256
	DefaultWriteTimeout = 10 * time.Second
	DefaultIdleTimeout  = 2 * time.Minute
	DefaultBadCodeDelay = 500 * time.Millisecond
	DefaultPairingPoll  = time.Second
)

// Refusals write at most this many info lines a second, after a burst: one
// line per refusal made 17.7 MB of log for 10,000 attempts.
const (
	DefaultRefusalLinesPerSecond = 1
	DefaultRefusalLineBurst      = 20
)

// Defaults for connections before hello.
const (
	DefaultMaxUnpaired = 8 // per kind of client
	// DefaultMaxHelloBytes bounds a message before hello: a hello is a few
	// hundred bytes.
	DefaultMaxHelloBytes = 4 << 10
)

// Config configures a Server. Store and Pairing are required for /ws and
// /backup; every other zero field takes its default.
type Config struct {
	Store   *store.DB
	Rules   annotate.Rules
	Pairing *pairing.Keeper
	// ExtraOrigins are more Origin values accepted exactly as written (e.g. an
	// unpacked development build of the extension).
	ExtraOrigins []string
	// MaxConns caps paired WebSocket connections; more get 503.
	MaxConns int
	// MaxUnpaired caps connections that have not said hello yet, per kind
	// of client (with an Origin, without); a newer one drops the oldest.
	MaxUnpaired int
	// MaxHelloBytes is the read limit before hello; more is closed with 1009.
	MaxHelloBytes int64
	Logger        zerolog.Logger
	// Version is the daemon's version, sent in welcome, status and /healthz.
	Version string

	// HelloTimeout is how long a connection may go without a good hello;
	// zero means protocol.HelloTimeout.
	HelloTimeout time.Duration
	// BadCodeDelay is the pause before closing a connection (or answering a
	// /backup request) that showed a wrong pairing code; it slows guessing.
	// Zero means DefaultBadCodeDelay, negative means none.
	BadCodeDelay time.Duration
	// RateLimit and RateBurst shape each connection's token bucket.
	RateLimit float64
	RateBurst int
	// MaxRefusals is how many rate_limited replies in a row close the
	// connection with protocol.CloseRateLimited.
	MaxRefusals int
	// SendQueue is the length of each connection's queue of outgoing messages.
	SendQueue int
	// WriteTimeout bounds one write to a client.
	WriteTimeout time.Duration
	// IdleTimeout closes a connection that sent nothing for that long;
	// zero means DefaultIdleTimeout. Clients ping every
	// protocol.KeepaliveInterval.
	IdleTimeout time.Duration
	// PairingPoll is how often the pairing code file is re-read, so a code
	// rotated by `tactful pair` closes the sessions paired with the old one.
	PairingPoll time.Duration
	// Now is the clock for reading "Connected ..." texts, export file names
	// and the rate limiter; nil means Rules.Now, then time.Now.
	Now func() time.Time
}

// Server serves /ws, /healthz, /backup, /export and /import. It is an
// http.Handler.
type Server struct {
	cfg   Config
	log   zerolog.Logger
	rules annotate.Rules
	now   func() time.Time
	mux   *http.ServeMux

	mu    sync.Mutex
	conns map[*conn]struct{} // admitted WebSocket connections
	// unpaired holds each kind's connections before hello, oldest first;
	// paired counts the others.
	unpaired  [2][]*conn
	paired    int
	evictions int // unpaired connections dropped for newer ones
	closed    bool
	refusals  refusalLog
	quit      chan struct{} // closed by Close
	wg        sync.WaitGroup

	// dates remembers the calendar dates of "Connected ..." texts (dates.go).
	dates connectedDates
	// annotations keeps the encoded annotations of unchanged cards
	// (annotations.go).
	annotations annotationCache

	// hook, when set by a test, runs before each authenticated request.
	hook func(protocol.Request)
}

// orDefault gives a knob left at zero (or set below it) its default.
func orDefault[T int | int64 | float64 | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// New returns a Server. It starts one goroutine that watches the pairing code
// file; Close stops it.
func New(cfg Config) *Server {
	orDefault(&cfg.MaxConns, DefaultMaxConns)
	orDefault(&cfg.MaxUnpaired, DefaultMaxUnpaired)
	orDefault(&cfg.MaxHelloBytes, DefaultMaxHelloBytes)
	orDefault(&cfg.HelloTimeout, protocol.HelloTimeout)
	if cfg.BadCodeDelay == 0 { // negative: no delay (tests)
		cfg.BadCodeDelay = DefaultBadCodeDelay
	}
	orDefault(&cfg.RateLimit, DefaultRateLimit)
	orDefault(&cfg.RateBurst, DefaultRateBurst)
	orDefault(&cfg.MaxRefusals, DefaultMaxRefusals)
	orDefault(&cfg.SendQueue, DefaultSendQueue)
	orDefault(&cfg.IdleTimeout, DefaultIdleTimeout)
	orDefault(&cfg.WriteTimeout, DefaultWriteTimeout)
	orDefault(&cfg.PairingPoll, DefaultPairingPoll)
	rules := cfg.Rules
	if rules.Now == nil {
		rules.Now = cfg.Now
	}
	if rules.Now == nil {
		rules.Now = time.Now
	}
	now := cfg.Now
	if now == nil {
		now = rules.Now
	}
	s := &Server{
		cfg:   cfg,
		log:   cfg.Logger,
		rules: rules,
		now:   now,
		conns: map[*conn]struct{}{},
		quit:  make(chan struct{}),
		refusals: refusalLog{
			limit: rate.NewLimiter(rate.Every(time.Second/DefaultRefusalLinesPerSecond), DefaultRefusalLineBurst),
		},
	}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc(protocol.Path, s.serveWS)
	s.mux.HandleFunc("/healthz", s.serveHealth)
	s.mux.HandleFunc("/backup", s.serveBackup)
	s.mux.HandleFunc("/export", s.serveExport)
	s.mux.HandleFunc("/import", s.serveImport)
	if cfg.Pairing != nil {
		s.wg.Add(1)
		go s.watchPairing()
	}
	return s
}

// ServeHTTP routes to /ws, /healthz and /backup after checking the Host.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !allowedHost(r.Host) {
		s.refuse(w, r, http.StatusForbidden, "Host not allowed: tactful answers only to 127.0.0.1, localhost and [::1].", "host not allowed")
		return
	}
	s.mux.ServeHTTP(w, r)
}

// Close closes every connection with 1001 "daemon shutting down", refuses new
// ones and waits until every connection's goroutines have ended.
func (s *Server) Close() {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.quit)
		for c := range s.conns {
			c.shutdown(websocket.StatusGoingAway, "daemon shutting down")
		}
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// watchPairing re-reads the pairing code file so that a rotation is noticed
// even when nobody says hello; each connection watches its own generation.
func (s *Server) watchPairing() {
	defer s.wg.Done()
	t := time.NewTicker(s.cfg.PairingPoll)
	defer t.Stop()
	for {
		select {
		case <-s.quit:
			return
		case <-t.C:
			s.cfg.Pairing.Refresh()
		}
	}
}

type health struct {
	Service  string `json:"service"`
	Version  string `json:"version"`
	Protocol int    `json:"protocol"`
}

func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "Use GET.", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(health{Service: "tactful", Version: s.cfg.Version, Protocol: protocol.Version})
}

func (s *Server) serveBackup(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		http.Error(w, "Use GET.", http.StatusMethodNotAllowed)
		return
	}
	if _, ok := r.Header["Origin"]; ok {
		s.refuse(w, r, http.StatusForbidden, "Backups are for local programs such as `tactful backup`; a browser may not download them.", "backup from a browser")
		return
	}
	code, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || strings.TrimSpace(code) == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="tactful"`)
		s.refuse(w, r, http.StatusUnauthorized, "A backup needs the pairing code: send Authorization: Bearer <code>.", "backup without pairing code")
		return
	}
	if s.cfg.Pairing == nil {
		s.refuse(w, r, http.StatusServiceUnavailable, "This daemon has no pairing code, so it serves no backups.", "backup without keeper")
		return
	}
	if _, ok := s.cfg.Pairing.Check(code); !ok {
		s.pause(r.Context().Done())
		w.Header().Set("WWW-Authenticate", `Bearer realm="tactful", error="invalid_token"`)
		s.refuse(w, r, http.StatusUnauthorized, "Wrong pairing code; run `tactful pair` to see the current one.", "backup with wrong pairing code")
		return
	}
	if s.cfg.Store == nil {
		http.Error(w, "This daemon has no database open.", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", "tactful-backup-"+s.now().Format(time.DateOnly)+".db"))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	start := time.Now()
	n, err := s.cfg.Store.Backup(w)
	if err != nil {
		// The status line is gone; the client sees a short body.
		s.log.Error().Err(err).Int64("bytes", n).Msg("backup failed while streaming")
		return
	}
	s.log.Info().Int64("bytes", n).Dur("took", time.Since(start)).Msg("backup served")
}

// pause waits BadCodeDelay, or until done is closed.
func (s *Server) pause(done <-chan struct{}) {
	if s.cfg.BadCodeDelay <= 0 {
		return
	}
	t := time.NewTimer(s.cfg.BadCodeDelay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-done:
	case <-s.quit:
	}
}

// refuse answers an HTTP request with status and a sentence, and logs why at
// info level, rate limited (refusalLog). It never logs a pairing code, a
// name or a note.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, status int, sentence, why string) {
	s.refusals.info(s.log).Str("remote", r.RemoteAddr).Str("host", clip(r.Host, 100)).
		Str("origin", clip(r.Header.Get("Origin"), 100)).Str("path", clip(r.URL.Path, 100)).
		Int("status", status).Str("reason", why).Msg("request refused")
	w.Header().Set("Cache-Control", "no-store")
	http.Error(w, sentence, status)
}

// allowedHost reports whether the Host header names the loopback by a name
// a DNS rebinding attack cannot take: 127.0.0.1, localhost or [::1], with or
// without a port.
func allowedHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	} else if strings.HasPrefix(hostport, "[") && strings.HasSuffix(hostport, "]") {
		host = hostport[1 : len(hostport)-1]
	}
	switch strings.ToLower(host) {
	case "127.0.0.1", "localhost", "::1":
		return true
	}
	return false
}

var mozExtension = regexp.MustCompile(`^moz-extension://[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// allowedOrigin reports whether a WebSocket may come from the Origin of r:
// tactful's Chromium extension, any Firefox extension (their ids differ per
// install; the pairing code still gates them), an extra origin, or none at
// all (a local program; browsers always send one).
func (s *Server) allowedOrigin(r *http.Request) bool {
	values, present := r.Header["Origin"]
	if !present {
		return true
	}
	if len(values) != 1 {
		return false
	}
	origin := values[0]
	if origin == "chrome-extension://"+protocol.ExtensionID || mozExtension.MatchString(origin) {
		return true
	}
	for _, o := range s.cfg.ExtraOrigins {
		if o != "" && origin == o {
			return true
		}
	}
	return false
}

func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	if !s.allowedOrigin(r) {
		s.refuse(w, r, http.StatusForbidden, "Origin not allowed: only the tactful extension and local programs may connect.", "origin not allowed")
		return
	}
	kind := localProgram
	if _, ok := r.Header["Origin"]; ok {
		kind = browserExtension
	}
	c := newConn(s, r.RemoteAddr, r.Header.Get("Origin"), kind)
	switch s.admit(c, kind == localProgram && s.showsCode(r)) {
	case admitClosed:
		s.refuse(w, r, http.StatusServiceUnavailable, "The tactful daemon is shutting down.", "shutting down")
		return
	case admitFull:
		s.refuse(w, r, http.StatusServiceUnavailable, tooManySentence(s.cfg.MaxConns), "too many connections")
		return
	}
	defer s.remove(c)
	// Accept's own Origin check would refuse chrome-extension:// (its host is
	// not ours); the checks above replace it.
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		// Accept has answered the request already.
		s.log.Debug().Err(err).Str("remote", r.RemoteAddr).Msg("websocket upgrade failed")
		return
	}
	// Until hello, a message is at most a hello: an unpaired client cannot
	// make the daemon hold megabytes (see pair for the paired limit).
	ws.SetReadLimit(s.cfg.MaxHelloBytes + 1)
	c.ws = ws
	c.run()
}

func tooManySentence(max int) string {
	return fmt.Sprintf("Too many connections: the daemon takes at most %d paired at a time. Close a tab or try again later.", max)
}

// clientKind sorts connections before hello, so that one kind of client
// cannot take the other's place in the queue for hello.
type clientKind int

const (
	localProgram     clientKind = iota // no Origin: the command line, scripts
	browserExtension                   // an allowed Origin: the extension
)

type admission int

const (
	admitted admission = iota
	admitFull
	admitClosed
)

// showsCode reports whether the upgrade request carries the pairing code
// as Authorization: Bearer, as `tactful backup` sends it to /backup. A local
// program (the command line) can; a browser cannot. The connection must
// still say hello with the code: this only decides where it waits.
func (s *Server) showsCode(r *http.Request) bool {
	code, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || strings.TrimSpace(code) == "" || s.cfg.Pairing == nil {
		return false
	}
	_, ok = s.cfg.Pairing.Check(code)
	return ok
}

// admit takes a place for c before its hello. Connections that have not
// paired yet have places of their own, MaxUnpaired per kind of client, apart
// from the MaxConns paired ones: clients that never pair cannot keep a
// paired client out. When a kind's places are full the oldest unpaired
// connection of that kind is dropped: a silent squatter holds its place
// only until newer clients arrive, while a real client pairs within a
// round trip of connecting. A client that showed the code at the upgrade
// (showsCode) takes a paired place at once and queues with no one. admit
// refuses only when the daemon is closing or every paired place is taken.
func (s *Server) admit(c *conn, showedCode bool) admission {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return admitClosed
	}
	if s.paired >= s.cfg.MaxConns {
		return admitFull
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	if showedCode {
		c.paired = true
		s.paired++
		return admitted
	}
	queue := s.unpaired[c.kind]
	if len(queue) >= s.cfg.MaxUnpaired {
		oldest := queue[0]
		queue = queue[1:]
		oldest.queued = false
		oldest.evict()
		s.evictions++
	}
	s.unpaired[c.kind] = append(queue, c)
	c.queued = true
	return admitted
}

// pair moves c from the unpaired places to a paired one; false when every
// paired place is taken, or c was dropped meanwhile. A connection admitted
// paired (showsCode) is paired already.
func (s *Server) pair(c *conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.paired {
		return true
	}
	if !c.queued || s.paired >= s.cfg.MaxConns {
		return false
	}
	s.dequeue(c)
	c.paired = true
	s.paired++
	return true
}

// dequeue removes c from its kind's unpaired places (s.mu held).
func (s *Server) dequeue(c *conn) {
	if !c.queued {
		return
	}
	c.queued = false
	q := s.unpaired[c.kind]
	for i, x := range q {
		if x == c {
			s.unpaired[c.kind] = append(q[:i:i], q[i+1:]...)
			return
		}
	}
}

func (s *Server) remove(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.dequeue(c)
	if c.paired {
		c.paired = false
		s.paired--
	}
	s.mu.Unlock()
	s.wg.Done()
}

// authenticated counts the connections past hello.
func (s *Server) authenticated() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for c := range s.conns {
		if c.authed.Load() {
			n++
		}
	}
	return n
}

// broadcast queues msg on every authenticated connection but from. It never
// blocks: a connection whose queue is full is closed instead.
func (s *Server) broadcast(from *conn, msg []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		if c != from && c.authed.Load() {
			c.push(msg)
		}
	}
}

func clip(s string, n int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "?")
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// refusalLog rate-limits the info lines of refused requests and
// connections: a flood of refusals (wrong codes, foreign origins) must not
// fill the disk. A line that is written says how many were left out since
// the last one. It runs on the wall clock, not the server's injected one,
// which tests may stop.
type refusalLog struct {
	limit *rate.Limiter

	mu      sync.Mutex
	skipped int
}

// info returns an info event for one refusal, or nil (on which every
// zerolog method is a no-op) when over the limit.
func (r *refusalLog) info(log zerolog.Logger) *zerolog.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.limit.Allow() {
		r.skipped++
		return nil
	}
	ev := log.Info()
	if r.skipped > 0 {
		ev = ev.Int("refusals_not_logged", r.skipped)
		r.skipped = 0
	}
	return ev
}
