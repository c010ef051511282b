// Package protocol is the wire protocol between the tactful extension and the
// tactful daemon, and the domain types both sides share.
//
// Every message is one JSON object in one WebSocket text frame. Every message
// has a "type". Requests from the extension carry an "id" chosen by the client;
// the daemon's reply to a request echoes it. The daemon also pushes events that
// answer no request (they have no "id").
//
// A connection starts with "hello" carrying the protocol version and the
// pairing code. A first message that is anything else gets its error
// ("unauthorized", or what decoding found) and the close CloseHelloExpected.
// A client that says nothing for HelloTimeout is closed with
// CloseHelloTimeout.
//
// The golden vectors in testdata/ are the contract: the Go tests decode and
// validate every one of them, and the extension's tests read the same files.
// docs/protocol.md describes each message in prose.
package protocol

import "time"

// Version is the protocol version this package speaks. A change that an older
// peer would misread bumps it; adding an optional field does not.
const Version = 1

// MinVersion is the oldest client protocol the daemon still accepts.
const MinVersion = 1

// ExtensionID is the Chromium extension id fixed by the manifest's "key". The
// daemon accepts the Origin chrome-extension://ExtensionID without further
// configuration.
const ExtensionID = "mfgobgdpnmjcbppgcjachfniomonfemi"

// Limits. The daemon enforces every one of them; the extension respects them
// before sending so that a well-behaved client never meets an error.
const (
	// MaxMessageBytes is the WebSocket read limit for one message. It is sized
	// for import_connections carrying LinkedIn's largest export (30,000 rows).
	MaxMessageBytes = 8 << 20
	// MaxBatch is the most contacts one contacts_seen may carry.
	MaxBatch = 500
	// MaxNoteChars is the longest note, in characters (Unicode code points).
	MaxNoteChars = 10000
	// MaxNameChars bounds names, headlines and the "Connected ..." text.
	MaxNameChars = 500
	// MaxTags is the most tags one contact may carry; MaxTagChars bounds each.
	MaxTags     = 20
	MaxTagChars = 40
	// MaxHistoryLimit is the largest page history_get returns.
	MaxHistoryLimit = 200
	// DefaultHistoryLimit is the page size when history_get names none.
	DefaultHistoryLimit = 50
	// MaxIDChars bounds request ids and client-chosen note ids.
	MaxIDChars = 64
	// MaxQueryChars bounds the text filter of history_get.
	MaxQueryChars = 200
)

// HelloTimeout is how long the daemon waits for the first message.
const HelloTimeout = 5 * time.Second

// KeepaliveInterval is how often a client should send ping when it has nothing
// else to say. Chromium suspends an extension service worker after 30 s
// without extension events; WebSocket traffic counts as one since Chrome 116.
const KeepaliveInterval = 20 * time.Second

// WebSocket close codes (the 4000-4999 range is for applications).
const (
	CloseHelloTimeout       = 4001 // no hello within HelloTimeout
	CloseBadPairingCode     = 4002 // hello carried a wrong or missing pairing code
	CloseUnsupportedVersion = 4003 // hello asked for a protocol the daemon cannot speak
	ClosePairingRotated     = 4004 // the pairing code was replaced; pair again
	CloseIdle               = 4005 // nothing received for two minutes; reconnect, and ping more often
	CloseHelloExpected      = 4006 // the first message was not a hello that decodes
	CloseRateLimited        = 4008 // the client kept flooding after rate_limited errors
)

// Path is the HTTP path of the WebSocket endpoint.
const Path = "/ws"

// DefaultPort is the loopback port the daemon listens on by default.
const DefaultPort = 47291
