// Package client is a Go client of the tactful protocol. The command line,
// the tests and load generators use it to talk to a running daemon the way
// the extension does: one WebSocket, a hello with the pairing code, then
// requests matched to their replies by id, and pushed events on the side.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/rs/zerolog"

	"github.com/tactful/tactful/protocol"
)

// ErrPairingRefused is returned when the daemon closes the connection because
// the pairing code is wrong or missing.
var ErrPairingRefused = errors.New("the pairing code was refused; run `tactful pair`")

// ErrPairingRotated is returned once the daemon has closed the connection
// because its pairing code was replaced.
var ErrPairingRotated = errors.New("the pairing code was replaced; run `tactful pair` to see the new one")

// ErrClosed is returned by calls on a client that was closed.
var ErrClosed = errors.New("the connection to the tactful daemon is closed")

// CloseError is how the daemon ended the connection when no more specific
// error applies. Reason is the daemon's own sentence.
type CloseError struct {
	Code   int
	Reason string
}

func (e *CloseError) Error() string {
	if e.Reason != "" {
		return e.Reason
	}
	return fmt.Sprintf("the tactful daemon closed the connection (code %d)", e.Code)
}

// Options tune a client. The zero value is fine.
type Options struct {
	// Client and ClientVersion are sent in hello so the daemon's log can
	// tell clients apart. Client defaults to "tactful-go".
	Client        string
	ClientVersion string
	// Origin, when set, is sent as the Origin header. Leave it empty: a
	// client without an Origin is a local program, not a web page.
	Origin string
	// EventBuffer bounds the events kept for Events; when it is full the
	// oldest is dropped. Default 64.
	EventBuffer int
	// ReadLimit bounds one message from the daemon; exports can be large.
	// Default 64 MiB.
	ReadLimit int64
	// Protocol is the protocol version said in hello; default
	// protocol.Version. Tests set others to see the daemon refuse them.
	Protocol int
	// HandshakeTimeout bounds the wait for welcome when ctx has no earlier
	// deadline. Default 10 s.
	HandshakeTimeout time.Duration
	Logger           *zerolog.Logger
}

// Client is a connection to a tactful daemon. Call is safe for concurrent use.
type Client struct {
	conn    *websocket.Conn
	welcome protocol.Welcome
	log     zerolog.Logger

	mu      sync.Mutex
	nextID  uint64
	pending map[string]chan incoming

	events chan protocol.ContactChanged
	done   chan struct{} // closed when the reader stops
	err    error         // why it stopped; read after done is closed

	cancel    context.CancelFunc
	closing   atomic.Bool
	closeOnce sync.Once
}

// Dial connects to the daemon at addr (HOST:PORT), says hello with the
// pairing code and waits for welcome.
func Dial(ctx context.Context, addr, pairingCode string, opts *Options) (*Client, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Client == "" {
		o.Client = "tactful-go"
	}
	if o.EventBuffer <= 0 {
		o.EventBuffer = 64
	}
	if o.ReadLimit <= 0 {
		o.ReadLimit = 64 << 20
	}
	if o.Protocol == 0 {
		o.Protocol = protocol.Version
	}
	if o.HandshakeTimeout <= 0 {
		o.HandshakeTimeout = 10 * time.Second
	}
	log := zerolog.Nop()
	if o.Logger != nil {
		log = *o.Logger
	}

	hctx, hcancel := context.WithTimeout(ctx, o.HandshakeTimeout)
	defer hcancel()

	dopts := &websocket.DialOptions{HTTPHeader: http.Header{}}
	if o.Origin != "" {
		dopts.HTTPHeader.Set("Origin", o.Origin)
	} else {
		// A local program shows the code at the upgrade too, so the daemon
		// gives it a paired place at once rather than a place among
		// clients that have not said hello (which others may crowd).
		dopts.HTTPHeader.Set("Authorization", "Bearer "+pairingCode)
	}
	conn, resp, err := websocket.Dial(hctx, "ws://"+addr+protocol.Path, dopts)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("connect to the tactful daemon on %s: it answered %s", addr, resp.Status)
		}
		return nil, fmt.Errorf("connect to the tactful daemon on %s: %w", addr, err)
	}
	conn.SetReadLimit(o.ReadLimit)

	hello := protocol.Hello{
		Header:        protocol.Header{Type: protocol.TypeHello, ID: "0"},
		Protocol:      o.Protocol,
		Client:        o.Client,
		ClientVersion: o.ClientVersion,
		PairingCode:   pairingCode,
	}
	welcome, err := handshake(hctx, conn, hello)
	if err != nil {
		conn.CloseNow()
		return nil, err
	}

	rctx, cancel := context.WithCancel(context.Background())
	c := &Client{
		conn:    conn,
		welcome: welcome,
		log:     log,
		pending: map[string]chan incoming{},
		events:  make(chan protocol.ContactChanged, o.EventBuffer),
		done:    make(chan struct{}),
		cancel:  cancel,
	}
	go c.readLoop(rctx)
	return c, nil
}

// handshake sends hello and reads until welcome. An error reply is kept
// while we wait briefly for the close frame that usually follows it, whose
// code says more.
func handshake(ctx context.Context, conn *websocket.Conn, hello protocol.Hello) (protocol.Welcome, error) {
	data, err := marshal(hello)
	if err != nil {
		return protocol.Welcome{}, err
	}
	if err := conn.Write(ctx, websocket.MessageText, data); err != nil {
		return protocol.Welcome{}, closeErr(err, fmt.Errorf("send hello: %w", err))
	}
	var replyErr error
	for {
		rctx := ctx
		var cancel context.CancelFunc = func() {}
		if replyErr != nil {
			rctx, cancel = context.WithTimeout(ctx, time.Second)
		}
		_, msg, err := conn.Read(rctx)
		cancel()
		if err != nil {
			if replyErr != nil && websocket.CloseStatus(err) == -1 {
				return protocol.Welcome{}, replyErr
			}
			return protocol.Welcome{}, closeErr(err, fmt.Errorf("wait for welcome: %w", err))
		}
		var head protocol.Header
		if err := json.Unmarshal(msg, &head); err != nil {
			return protocol.Welcome{}, fmt.Errorf("the daemon sent something that is not JSON: %w", err)
		}
		switch head.Type {
		case protocol.TypeWelcome:
			var w protocol.Welcome
			if err := json.Unmarshal(msg, &w); err != nil {
				return protocol.Welcome{}, fmt.Errorf("read welcome: %w", err)
			}
			return w, nil
		case protocol.TypeError:
			var e protocol.ErrorReply
			if err := json.Unmarshal(msg, &e); err != nil {
				return protocol.Welcome{}, fmt.Errorf("read error reply: %w", err)
			}
			replyErr = &protocol.Error{Code: e.Code, Message: e.Message}
		}
		// Anything else (an event) can wait until we are welcome.
	}
}

// closeErr maps a close frame in err to the error a person can act on, or
// returns fallback.
func closeErr(err error, fallback error) error {
	var ce websocket.CloseError
	if !errors.As(err, &ce) {
		return fallback
	}
	switch int(ce.Code) {
	case protocol.CloseBadPairingCode:
		return ErrPairingRefused
	case protocol.ClosePairingRotated:
		return ErrPairingRotated
	case protocol.CloseUnsupportedVersion:
		reason := ce.Reason
		if reason == "" {
			reason = "the daemon cannot speak this client's protocol version " + strconv.Itoa(protocol.Version)
		}
		return &CloseError{Code: int(ce.Code), Reason: reason}
	case int(websocket.StatusNormalClosure), int(websocket.StatusGoingAway):
		return ErrClosed
	}
	return &CloseError{Code: int(ce.Code), Reason: ce.Reason}
}

// Welcome is the daemon's answer to hello.
func (c *Client) Welcome() protocol.Welcome { return c.welcome }

// Events delivers the events the daemon pushes (contact_changed). It keeps
// the latest EventBuffer of them and is closed when the connection ends.
func (c *Client) Events() <-chan protocol.ContactChanged { return c.events }

// Done is closed when the connection has ended; Err then says why.
func (c *Client) Done() <-chan struct{} { return c.done }

// Err is why the connection ended, or nil while it is open.
func (c *Client) Err() error {
	select {
	case <-c.done:
		return c.err
	default:
		return nil
	}
}

// incoming is a reply as the reader routed it: its header, read once, and
// the whole message.
type incoming struct {
	head protocol.Header
	msg  []byte
}

// Call sends req and decodes the reply into reply (which may be nil). req is
// one of the protocol's request structs (or anything that marshals to a
// request object); Call sets its id, and its type when left empty, on a
// copy. An error reply comes back as a *protocol.Error.
func (c *Client) Call(ctx context.Context, req any, reply any) error {
	id, typ, data, err := c.encode(req)
	if err != nil {
		return err
	}
	ch := make(chan incoming, 1)
	c.mu.Lock()
	select {
	case <-c.done:
		c.mu.Unlock()
		return c.err
	default:
	}
	c.pending[id] = ch
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
	}()

	if err := c.conn.Write(ctx, websocket.MessageText, data); err != nil {
		select {
		case <-c.done:
			return c.err
		default:
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("send %s: %w", typ, err)
	}

	var in incoming
	select {
	case in = <-ch:
	case <-c.done:
		return c.err
	case <-ctx.Done():
		return ctx.Err()
	}
	if in.head.Type == protocol.TypeError {
		var e protocol.ErrorReply
		if err := json.Unmarshal(in.msg, &e); err != nil {
			return fmt.Errorf("read error reply: %w", err)
		}
		return &protocol.Error{Code: e.Code, Message: e.Message}
	}
	if reply == nil {
		return nil
	}
	if err := json.Unmarshal(in.msg, reply); err != nil {
		return fmt.Errorf("read %s reply: %w", in.head.Type, err)
	}
	return nil
}

// stamper is a protocol request struct (through its embedded Header).
type stamper interface{ Stamp(typ, id string) }

// encode marshals req once, with a fresh id and, if it has none, its type.
// A protocol request is stamped on a copy; anything else (a map in a test)
// is taken apart and put together again.
func (c *Client) encode(req any) (id, typ string, data []byte, err error) {
	c.mu.Lock()
	c.nextID++
	id = strconv.FormatUint(c.nextID, 10)
	c.mu.Unlock()
	if typ = TypeOf(req); typ != "" {
		rv := reflect.ValueOf(req)
		if rv.Kind() == reflect.Pointer {
			rv = rv.Elem()
		}
		cp := reflect.New(rv.Type())
		cp.Elem().Set(rv)
		s := cp.Interface().(stamper)
		s.Stamp(typ, id)
		if h, ok := cp.Interface().(protocol.Request); ok {
			typ = h.RequestType()
		}
		data, err = marshal(cp.Interface())
	} else {
		typ, data, err = encodeOther(req, id)
	}
	if err != nil {
		return "", "", nil, err
	}
	if len(data) > protocol.MaxMessageBytes {
		return "", "", nil, protocol.Errorf(protocol.CodeTooLarge, "This %s request is %d bytes; the daemon reads at most %d in one message.", typ, len(data), protocol.MaxMessageBytes)
	}
	return id, typ, data, nil
}

// encodeOther encodes a request that is not one of the protocol's structs:
// it must marshal to an object with a type.
func encodeOther(req any, id string) (string, []byte, error) {
	raw, err := marshal(req)
	if err != nil {
		return "", nil, fmt.Errorf("encode request: %w", err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return "", nil, fmt.Errorf("a request must encode as a JSON object: %w", err)
	}
	var typ string
	if t, ok := fields["type"]; ok {
		_ = json.Unmarshal(t, &typ)
	}
	if typ == "" {
		return "", nil, fmt.Errorf("request %T has no type", req)
	}
	fields["id"], _ = json.Marshal(id)
	data, err := marshal(fields)
	return typ, data, err
}

// marshal is json.Marshal without HTML escaping: notes and CSV files are
// full of & and <, which would otherwise grow to six bytes each.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// TypeOf returns the message type of one of the protocol's request structs
// (value or pointer), or "" when req is not one.
func TypeOf(req any) string {
	switch req.(type) {
	case protocol.Hello, *protocol.Hello:
		return protocol.TypeHello
	case protocol.Ping, *protocol.Ping:
		return protocol.TypePing
	case protocol.ContactsSeen, *protocol.ContactsSeen:
		return protocol.TypeContactsSeen
	case protocol.NoteAdd, *protocol.NoteAdd:
		return protocol.TypeNoteAdd
	case protocol.NoteEdit, *protocol.NoteEdit:
		return protocol.TypeNoteEdit
	case protocol.NoteDelete, *protocol.NoteDelete:
		return protocol.TypeNoteDelete
	case protocol.TagsSet, *protocol.TagsSet:
		return protocol.TypeTagsSet
	case protocol.FalloutMark, *protocol.FalloutMark:
		return protocol.TypeFalloutMark
	case protocol.RemovalIntent, *protocol.RemovalIntent:
		return protocol.TypeRemovalIntent
	case protocol.RemovalOutcome, *protocol.RemovalOutcome:
		return protocol.TypeRemovalOutcome
	case protocol.ContactGet, *protocol.ContactGet:
		return protocol.TypeContactGet
	case protocol.HistoryGet, *protocol.HistoryGet:
		return protocol.TypeHistoryGet
	case protocol.ImportConnections, *protocol.ImportConnections:
		return protocol.TypeImportConnections
	case protocol.Export, *protocol.Export:
		return protocol.TypeExport
	case protocol.ImportJSON, *protocol.ImportJSON:
		return protocol.TypeImportJSON
	case protocol.StatusGet, *protocol.StatusGet:
		return protocol.TypeStatus
	case protocol.ReviewSave, *protocol.ReviewSave:
		return protocol.TypeReviewSave
	case protocol.ReviewQueue, *protocol.ReviewQueue:
		return protocol.TypeReviewQueue
	case protocol.RemovalPlanGet, *protocol.RemovalPlanGet:
		return protocol.TypeRemovalPlanGet
	case protocol.RemovalPlanApply, *protocol.RemovalPlanApply:
		return protocol.TypeRemovalPlanApply
	case protocol.NetworkSummaryGet, *protocol.NetworkSummaryGet:
		return protocol.TypeNetworkSummary
	}
	return ""
}

// readLoop is the only reader of the connection: it hands replies to their
// callers and events to Events until the connection ends.
func (c *Client) readLoop(ctx context.Context) {
	var err error
	for {
		var msg []byte
		_, msg, err = c.conn.Read(ctx)
		if err != nil {
			break
		}
		var head protocol.Header
		if jerr := json.Unmarshal(msg, &head); jerr != nil {
			c.log.Warn().Err(jerr).Msg("the daemon sent a message that is not JSON")
			continue
		}
		if head.ID != "" {
			c.mu.Lock()
			ch := c.pending[head.ID]
			c.mu.Unlock()
			if ch != nil {
				select {
				case ch <- incoming{head: head, msg: msg}: // buffered for the one reply
				default: // a second reply to one id: nobody waits for it
				}
			}
			continue
		}
		switch head.Type {
		case protocol.TypeContactChanged:
			var ev protocol.ContactChanged
			if jerr := json.Unmarshal(msg, &ev); jerr != nil {
				c.log.Warn().Err(jerr).Msg("unreadable contact_changed event")
				continue
			}
			c.push(ev)
		case protocol.TypeError:
			// An error without an id answers a message the daemon could
			// not read at all; nobody waits for it.
			var e protocol.ErrorReply
			_ = json.Unmarshal(msg, &e)
			c.log.Warn().Str("code", string(e.Code)).Msg("the daemon reported an error for no request")
		}
	}

	final := ErrClosed
	if !c.closing.Load() {
		final = closeErr(err, fmt.Errorf("the connection to the tactful daemon broke: %w", err))
	}
	c.mu.Lock()
	c.err = final
	close(c.done)
	c.mu.Unlock()
	close(c.events)
}

// push queues ev, dropping the oldest event when nobody reads them. Only
// readLoop sends, so the second send cannot block.
func (c *Client) push(ev protocol.ContactChanged) {
	select {
	case c.events <- ev:
		return
	default:
	}
	select {
	case <-c.events:
	default:
	}
	select {
	case c.events <- ev:
	default:
	}
}

// Close ends the connection and waits for the reader to stop.
func (c *Client) Close() error {
	c.closeOnce.Do(func() {
		c.closing.Store(true)
		_ = c.conn.Close(websocket.StatusNormalClosure, "")
		c.cancel()
	})
	<-c.done
	return nil
}
