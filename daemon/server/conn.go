package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/rs/zerolog"
	"golang.org/x/time/rate"

	"github.com/tactful/tactful/protocol"
)

// Close reasons (at most 123 bytes each).
const (
	reasonHelloTimeout = "no hello in time; send hello first"
	reasonBadCode      = "wrong pairing code; run `tactful pair`"
	reasonNoCode       = "missing pairing code; run `tactful pair`"
	reasonRotated      = "the pairing code changed; pair again"
	reasonRateLimited  = "too many messages too fast; slow down"
	reasonTooSlow      = "too far behind on updates; reconnect"
	reasonTooBig       = "message over the 8 MiB limit"
	reasonHelloTooBig  = "message over the 4 KiB limit before hello; send hello first"
	reasonHelloFirst   = "the first message must be hello; send hello with the pairing code"
	reasonNoPlace      = "too many paired connections; close a tab or try again later"
	reasonIdle         = "no message for too long; reconnect and ping more often"
)

// StatusTooSlow closes a connection that does not read its pushed events.
const StatusTooSlow = websocket.StatusTryAgainLater

// statusDrop is no close code: the writer drops the socket without a close
// handshake, for an unpaired connection a newer one replaced (admit). A
// squatter that never answers a close frame must not hold memory for the
// handshake's timeout.
const statusDrop websocket.StatusCode = -1

// conn is one WebSocket connection. The handler goroutine reads and answers
// (read loop); the writer goroutine owns every write and the close.
type conn struct {
	s      *Server
	ws     *websocket.Conn // set before run
	kind   clientKind
	log    zerolog.Logger
	send   chan []byte   // outgoing messages, replies and pushes
	quit   chan struct{} // closed by shutdown
	authCh chan uint64   // the pairing generation, once hello succeeded
	done   chan struct{} // closed when the writer has closed the socket

	closeOnce   sync.Once
	closeCode   websocket.StatusCode
	closeReason string

	authed atomic.Bool
	// checking is set once a hello's code is being checked: its answer (a
	// welcome or 4002) decides, not the hello deadline.
	checking atomic.Bool
	limit    *rate.Limiter // read loop only, on the server's clock
	// refusals counts rate_limited replies in a row (read loop only).
	refusals int
	// lastRead is when the last message arrived (UnixNano): a paired
	// connection that says nothing for IdleTimeout is closed, so a peer
	// gone without a FIN cannot hold one of the MaxConns slots for ever.
	lastRead atomic.Int64

	// queued: in s.unpaired; paired: counted in s.paired. Both under s.mu.
	queued, paired bool
}

func newConn(s *Server, remote, origin string, kind clientKind) *conn {
	c := &conn{
		s:      s,
		kind:   kind,
		log:    s.log.With().Str("remote", remote).Str("origin", clip(origin, 100)).Logger(),
		send:   make(chan []byte, s.cfg.SendQueue),
		quit:   make(chan struct{}),
		authCh: make(chan uint64, 1),
		done:   make(chan struct{}),
		limit:  rate.NewLimiter(rate.Limit(s.cfg.RateLimit), s.cfg.RateBurst),
	}
	c.lastRead.Store(time.Now().UnixNano())
	return c
}

// run serves the connection until it closes, and returns when both of its
// goroutines have ended.
func (c *conn) run() {
	c.log.Debug().Msg("connection open")
	go c.writeLoop()
	c.readLoop()
	c.shutdown(websocket.StatusNormalClosure, "")
	<-c.done
	c.log.Debug().Int("code", int(c.closeCode)).Str("reason", c.closeReason).Msg("connection closed")
}

// shutdown asks the writer to close the socket with code and reason. The
// first call wins.
func (c *conn) shutdown(code websocket.StatusCode, reason string) {
	c.closeOnce.Do(func() {
		c.closeCode, c.closeReason = code, reason
		close(c.quit)
	})
}

// refuse closes the connection for a reason worth an info line, rate
// limited with every other refusal's (refusalLog).
func (c *conn) refuse(code websocket.StatusCode, reason string) {
	c.s.refusals.info(c.log).Int("code", int(code)).Str("reason", reason).Msg("connection refused")
	c.shutdown(code, reason)
}

// evict drops an unpaired connection that a newer one replaced.
func (c *conn) evict() {
	c.log.Debug().Msg("unpaired connection dropped for a newer one")
	c.shutdown(statusDrop, "")
}

func (c *conn) writeLoop() {
	defer close(c.done)
	hello := time.NewTimer(c.s.cfg.HelloTimeout)
	defer hello.Stop()
	helloC := hello.C
	var rotated <-chan struct{}
	idle := time.NewTicker(c.s.cfg.IdleTimeout / 4)
	defer idle.Stop()
	for {
		select {
		case <-idle.C:
			if time.Since(time.Unix(0, c.lastRead.Load())) > c.s.cfg.IdleTimeout {
				c.refuse(protocol.CloseIdle, reasonIdle)
			}
		case msg := <-c.send:
			ctx, cancel := context.WithTimeout(context.Background(), c.s.cfg.WriteTimeout)
			err := c.ws.Write(ctx, websocket.MessageText, msg)
			cancel()
			if err != nil {
				c.log.Debug().Err(err).Msg("write failed")
				c.shutdown(websocket.StatusInternalError, "")
				c.ws.CloseNow()
				return
			}
		case gen := <-c.authCh:
			hello.Stop()
			helloC = nil
			rotated = c.s.cfg.Pairing.Watch(gen)
		case <-helloC:
			if !c.authed.Load() && !c.checking.Load() {
				c.refuse(protocol.CloseHelloTimeout, reasonHelloTimeout)
			}
		case <-rotated:
			c.refuse(protocol.ClosePairingRotated, reasonRotated)
			rotated = nil
		case <-c.quit:
			if c.closeCode == statusDrop {
				c.ws.CloseNow()
				return
			}
			// Replies already queued answer requests the daemon acted on (a
			// note stored, say); send them before the close frame so the
			// client learns what happened. Not for a client closed for being
			// too slow: its full queue is the reason it is closed.
			if c.closeCode != StatusTooSlow {
				c.flushQueued()
			}
			if err := c.ws.Close(c.closeCode, c.closeReason); err != nil && !errors.Is(err, net.ErrClosed) {
				c.log.Debug().Err(err).Msg("close handshake incomplete")
			}
			return
		}
	}
}

// flushQueued writes what is in the send queue, within one WriteTimeout.
func (c *conn) flushQueued() {
	ctx, cancel := context.WithTimeout(context.Background(), c.s.cfg.WriteTimeout)
	defer cancel()
	for {
		select {
		case msg := <-c.send:
			if err := c.ws.Write(ctx, websocket.MessageText, msg); err != nil {
				return
			}
		default:
			return
		}
	}
}

// push queues a message without waiting; a connection too far behind to
// take it is closed.
func (c *conn) push(msg []byte) {
	select {
	case c.send <- msg:
	default:
		c.refuse(StatusTooSlow, reasonTooSlow)
	}
}

// reply sends a message to the client; false when the connection is
// closing or the write failed. Only the read loop replies, and it writes
// the reply itself rather than hand it to the writer: a reply then costs
// no wake-up of another goroutine, its buffer can be reused as soon as it
// is written (encodedReply), and a client's replies still go out in the
// order of its requests, each before any close the request caused. The
// library serializes these writes with the writer's (pushes, the close).
func (c *conn) reply(v any) bool {
	var msg []byte
	var err error
	enc, encoded := v.(encodedReply)
	if encoded {
		msg = enc
	} else {
		msg, err = json.Marshal(v)
	}
	if err != nil {
		c.log.Error().Err(err).Msg("cannot encode a reply")
		id := ""
		if r, ok := v.(protocol.Request); ok {
			id = r.RequestID()
		}
		msg, _ = json.Marshal(protocol.NewError(id, err))
	}
	select {
	case <-c.quit:
		return false
	default:
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.s.cfg.WriteTimeout)
	err = c.ws.Write(ctx, websocket.MessageText, msg)
	cancel()
	if encoded {
		putReplyBuffer(enc)
	}
	if err != nil {
		c.log.Debug().Err(err).Msg("write failed")
		c.shutdown(websocket.StatusInternalError, "")
		c.ws.CloseNow()
		return false
	}
	return true
}

func (c *conn) readLoop() {
	// Handlers read bbolt's map of the file; a page of a damaged file that
	// points outside it would be a fatal fault. With this it is a panic,
	// which safeHandle answers as internal_error, and the daemon keeps serving.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	ctx := context.Background() // a cancelled read context would close the socket on its own terms
	for {
		select {
		case <-c.quit:
			return
		default:
		}
		typ, data, buf, err := c.read(ctx)
		c.lastRead.Store(time.Now().UnixNano())
		if err != nil {
			if errors.Is(err, errHelloTooBig) {
				c.refuse(websocket.StatusMessageTooBig, reasonHelloTooBig)
				return
			}
			if errors.Is(err, websocket.ErrMessageTooBig) {
				// The library has sent 1009 already; this records and logs it.
				c.refuse(websocket.StatusMessageTooBig, reasonTooBig)
				return
			}
			if status := websocket.CloseStatus(err); status != -1 {
				c.log.Debug().Int("code", int(status)).Msg("peer closed")
			} else {
				c.log.Debug().Err(err).Msg("read ended")
			}
			return
		}
		if !c.limit.AllowN(c.s.now(), 1) {
			c.refusals++
			if c.refusals >= c.s.cfg.MaxRefusals {
				c.refuse(protocol.CloseRateLimited, reasonRateLimited)
				return
			}
			if c.refusals == 1 {
				c.log.Info().Msg("rate limited")
			}
			c.reply(protocol.NewError(peekID(data), protocol.Errorf(protocol.CodeRateLimited,
				"Too many messages too fast: at most %g a second. Wait a moment and send it again.", c.s.cfg.RateLimit)))
			continue
		}
		c.refusals = 0
		if typ != websocket.MessageText {
			c.reply(protocol.NewError("", protocol.Errorf(protocol.CodeBadJSON, "Send each message as one JSON object in a text frame.")))
			if !c.authed.Load() {
				c.refuse(protocol.CloseHelloExpected, reasonHelloFirst)
				return
			}
			continue
		}
		c.handle(data)
		// Nothing keeps data past handle: requests are decoded into values
		// of their own.
		putReadBuffer(buf)
	}
}

// readBuffers hold paired connections' messages while they are handled: a
// page sends a 13 KB contacts_seen every second or so per tab, and reading
// each into a new slice grown from 512 bytes made about 30 KB of garbage a
// message (docs/benchmarks.md, issue 12).
var readBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledRead is the largest buffer kept for the next message; the rare
// import of megabytes is not kept.
const maxPooledRead = 256 << 10

func putReadBuffer(b *bytes.Buffer) {
	if b != nil && b.Cap() <= maxPooledRead {
		readBuffers.Put(b)
	}
}

var errHelloTooBig = errors.New("message over the hello limit")

// read reads one message. Before hello it reads at most MaxHelloBytes of it
// itself (the socket's limit is one byte more, so the library never trips
// first), so that the close can say what to do.
// A paired connection's message is read into a pooled buffer, which the
// caller gives back (putReadBuffer) once it is done with data.
func (c *conn) read(ctx context.Context) (websocket.MessageType, []byte, *bytes.Buffer, error) {
	typ, r, err := c.ws.Reader(ctx)
	if err != nil {
		return 0, nil, nil, err
	}
	if c.authed.Load() {
		buf := readBuffers.Get().(*bytes.Buffer)
		buf.Reset()
		if _, err := buf.ReadFrom(r); err != nil {
			putReadBuffer(buf)
			return 0, nil, nil, err
		}
		return typ, buf.Bytes(), buf, nil
	}
	data, err := io.ReadAll(io.LimitReader(r, c.s.cfg.MaxHelloBytes+1))
	if err != nil {
		return 0, nil, nil, err
	}
	if int64(len(data)) > c.s.cfg.MaxHelloBytes {
		return 0, nil, nil, errHelloTooBig
	}
	return typ, data, nil, nil
}

// peekID reads the id of a message the server will not otherwise read, so
// a client can match the refusal to its request.
func peekID(data []byte) string {
	if len(data) > 64<<10 {
		return ""
	}
	var head struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(data, &head) != nil || len(head.ID) > protocol.MaxIDChars*4 {
		return ""
	}
	return head.ID
}

func (c *conn) handle(data []byte) {
	start := time.Now()
	req, id, err := protocol.Decode(data)
	if err != nil {
		c.log.Debug().Str("code", string(protocol.ErrorCode(err))).Msg("bad request")
		c.reply(protocol.NewError(id, err))
		if !c.authed.Load() {
			// Only a hello may come first; a client that cannot say one
			// gets its error, then the close.
			c.refuse(protocol.CloseHelloExpected, reasonHelloFirst)
		}
		return
	}
	if h, ok := req.(*protocol.Hello); ok {
		c.hello(h)
		return
	}
	if !c.authed.Load() {
		c.log.Debug().Str("type", req.RequestType()).Msg("request before hello")
		c.reply(protocol.NewError(id, protocol.Errorf(protocol.CodeUnauthorized,
			"Say hello with the pairing code first; run `tactful pair` to see it.")))
		c.refuse(protocol.CloseHelloExpected, reasonHelloFirst)
		return
	}
	reply, changed, err := c.s.safeHandle(req)
	ev := c.log.Debug().Str("type", req.RequestType()).Dur("took", time.Since(start))
	if err != nil {
		code := protocol.ErrorCode(err)
		if code == protocol.CodeInternal {
			c.log.Error().Err(err).Str("type", req.RequestType()).Msg("request failed")
		}
		ev.Str("code", string(code)).Msg("request refused")
		c.reply(protocol.NewError(id, err))
		return
	}
	ev.Msg("request")
	c.reply(reply)
	if m, ok := reply.(manyChanged); ok { // a removal plan (review.go)
		for _, a := range m.changedAnnotations() {
			c.s.pushChanged(c, a)
		}
	}
	if changed != nil {
		msg, err := json.Marshal(protocol.ContactChanged{Header: protocol.Header{Type: protocol.TypeContactChanged}, Annotation: *changed})
		if err != nil {
			c.log.Error().Err(err).Msg("cannot encode contact_changed")
			return
		}
		c.s.broadcast(c, msg)
	}
}

func (c *conn) hello(h *protocol.Hello) {
	if c.authed.Load() {
		c.reply(protocol.NewError(h.ID, protocol.Errorf(protocol.CodeInvalidField, "This connection has said hello already.")))
		return
	}
	switch {
	case h.Protocol > protocol.Version:
		c.refuse(protocol.CloseUnsupportedVersion, fmt.Sprintf("extension speaks protocol %d; upgrade the tactful daemon (it speaks %d to %d)",
			h.Protocol, protocol.MinVersion, protocol.Version))
		return
	case h.Protocol < protocol.MinVersion:
		c.refuse(protocol.CloseUnsupportedVersion, fmt.Sprintf("extension speaks protocol %d; update the extension (the daemon speaks %d to %d)",
			h.Protocol, protocol.MinVersion, protocol.Version))
		return
	}
	c.checking.Store(true)
	var gen uint64
	ok := false
	if c.s.cfg.Pairing != nil {
		gen, ok = c.s.cfg.Pairing.Check(h.PairingCode)
	}
	if !ok {
		c.s.pause(c.quit)
		if h.PairingCode == "" {
			c.refuse(protocol.CloseBadPairingCode, reasonNoCode)
		} else {
			c.refuse(protocol.CloseBadPairingCode, reasonBadCode)
		}
		return
	}
	if !c.s.pair(c) {
		c.refuse(websocket.StatusTryAgainLater, reasonNoPlace)
		return
	}
	c.ws.SetReadLimit(protocol.MaxMessageBytes)
	c.authed.Store(true)
	c.authCh <- gen // buffered; sent once
	c.log.Debug().Str("client", h.Client).Str("client_version", h.ClientVersion).Int("protocol", h.Protocol).Msg("hello")
	c.reply(protocol.Welcome{
		Header:        protocol.Header{Type: protocol.TypeWelcome, ID: h.ID},
		Protocol:      protocol.Version,
		DaemonVersion: c.s.cfg.Version,
		Tags:          c.s.vocabulary(),
		Statuses:      protocol.Statuses,
	})
}
