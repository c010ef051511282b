package protocol

import "time"

// Message types. Requests go from a client to the daemon, replies come back
// with the request's id, events are pushed by the daemon unasked.
const (
	// Requests.
	TypeHello             = "hello"
	TypePing              = "ping"
	TypeContactsSeen      = "contacts_seen"
	TypeNoteAdd           = "note_add"
	TypeNoteEdit          = "note_edit"
	TypeNoteDelete        = "note_delete"
	TypeTagsSet           = "tags_set"
	TypeFalloutMark       = "fallout_mark"
	TypeRemovalIntent     = "removal_intent"
	TypeRemovalOutcome    = "removal_outcome"
	TypeContactGet        = "contact_get"
	TypeHistoryGet        = "history_get"
	TypeImportConnections = "import_connections"
	TypeExport            = "export"
	TypeImportJSON        = "import_json"
	TypeStatus            = "status"

	// Replies.
	TypeWelcome      = "welcome"
	TypePong         = "pong"
	TypeAnnotations  = "annotations"
	TypeNoteSaved    = "note_saved"
	TypeAnnotation   = "annotation"
	TypeReminder     = "reminder"
	TypeContact      = "contact"
	TypeHistory      = "history"
	TypeImportResult = "import_summary"
	TypeExportData   = "export_data"
	TypeStatusReply  = "status_reply"
	TypeError        = "error"

	// Events.
	TypeContactChanged = "contact_changed"
)

// Request is a decoded, validated request. Decode returns one of the *…
// types below.
type Request interface {
	RequestType() string
	RequestID() string
}

// Header is the part every message shares.
type Header struct {
	Type string `json:"type"`
	ID   string `json:"id,omitempty"`
}

func (h Header) RequestType() string { return h.Type }
func (h Header) RequestID() string   { return h.ID }

// Stamp gives a request about to be sent its id, and its type when unset.
func (h *Header) Stamp(typ, id string) {
	if h.Type == "" {
		h.Type = typ
	}
	h.ID = id
}

// Hello opens a connection.
type Hello struct {
	Header
	Protocol      int    `json:"protocol"`
	Client        string `json:"client"`
	ClientVersion string `json:"client_version"`
	PairingCode   string `json:"pairing_code"`
}

// Ping keeps a connection (and a browser's service worker) alive.
type Ping struct {
	Header
}

// SeenContact is one connection card as the page shows it.
type SeenContact struct {
	Slug          string `json:"slug"`
	Name          string `json:"name"`
	Headline      string `json:"headline,omitempty"`
	ConnectedText string `json:"connected_text,omitempty"`
}

// ContactsSeen reports the cards that became visible. Locale is the page's
// language (the lang attribute of <html>, e.g. "en-US"), used to read the
// "Connected ..." text.
type ContactsSeen struct {
	Header
	Locale   string        `json:"locale,omitempty"`
	Contacts []SeenContact `json:"contacts"`
}

// NoteAdd adds a note. NoteID is chosen by the client and makes retries safe.
type NoteAdd struct {
	Header
	Slug   string `json:"slug"`
	NoteID string `json:"note_id"`
	Text   string `json:"text"`
}

// NoteEdit replaces a note's text.
type NoteEdit struct {
	Header
	Slug   string `json:"slug"`
	NoteID string `json:"note_id"`
	Text   string `json:"text"`
}

// NoteDelete removes a note. The history keeps that it existed.
type NoteDelete struct {
	Header
	Slug   string `json:"slug"`
	NoteID string `json:"note_id"`
}

// TagsSet replaces a contact's tags, status, or both. A nil field is left as
// it is; an empty list clears the tags, an empty status clears the status.
type TagsSet struct {
	Header
	Slug   string    `json:"slug"`
	Tags   *[]string `json:"tags,omitempty"`
	Status *Status   `json:"status,omitempty"`
}

// FalloutMark records a recent disagreement and starts a cool-down of Days
// (the daemon's default when zero). Text is an optional remark.
type FalloutMark struct {
	Header
	Slug string `json:"slug"`
	Days int    `json:"days,omitempty"`
	Text string `json:"text,omitempty"`
}

// RemovalIntent says the user opened "Remove connection"; the reply is the
// reminder.
type RemovalIntent struct {
	Header
	Slug string `json:"slug"`
}

// RemovalOutcome records what the user did in LinkedIn's dialog.
type RemovalOutcome struct {
	Header
	Slug    string  `json:"slug"`
	Outcome Outcome `json:"outcome"`
}

// ContactGet asks for everything about one contact.
type ContactGet struct {
	Header
	Slug string `json:"slug"`
}

// HistoryGet asks for a page of history, newest first. Cursor is the
// next_cursor of the previous page; every filter is optional.
type HistoryGet struct {
	Header
	Slug   string      `json:"slug,omitempty"`
	Kinds  []EventKind `json:"kinds,omitempty"`
	Query  string      `json:"query,omitempty"`
	Cursor string      `json:"cursor,omitempty"`
	Limit  int         `json:"limit,omitempty"`
	// Since (YYYY-MM-DD) keeps events on or after that day.
	Since string `json:"since,omitempty"`

	// Before and SinceDay are Cursor and Since as Decode parsed them. The
	// day is a calendar date (its clock reads midnight UTC): the daemon
	// places it in the user's own time zone.
	Before   EventID   `json:"-"`
	SinceDay time.Time `json:"-"`
}

// ImportConnections carries the text of LinkedIn's Connections.csv.
type ImportConnections struct {
	Header
	CSV string `json:"csv"`
}

// Export asks for every contact, note and event.
type Export struct {
	Header
	Format string `json:"format"` // "json" or "csv"
}

// ImportJSON carries a tactful JSON export to restore: contacts are replaced
// by the file's, events the store lacks are added.
type ImportJSON struct {
	Header
	Data string `json:"data"`
}

// StatusGet asks the daemon how it is and what it holds.
type StatusGet struct {
	Header
}

// Welcome answers a good hello.
type Welcome struct {
	Header
	Protocol      int      `json:"protocol"`
	DaemonVersion string   `json:"daemon_version"`
	Tags          []string `json:"tags"`     // the default vocabulary and every tag in use
	Statuses      []Status `json:"statuses"` // what tags_set accepts
}

// Pong answers ping.
type Pong struct {
	Header
}

// Annotations answers contacts_seen, one per contact, in the request's order.
type Annotations struct {
	Header
	Annotations []Annotation `json:"annotations"`
}

// NoteSaved answers note_add and note_edit.
type NoteSaved struct {
	Header
	Note       Note       `json:"note"`
	Annotation Annotation `json:"annotation"`
}

// AnnotationReply answers note_delete, tags_set, fallout_mark and
// removal_outcome with the contact's new annotation.
type AnnotationReply struct {
	Header
	Annotation Annotation `json:"annotation"`
}

// ReminderReply answers removal_intent.
type ReminderReply struct {
	Header
	Reminder Reminder `json:"reminder"`
}

// ContactReply answers contact_get: the contact, its annotation and its most
// recent events (newest first).
type ContactReply struct {
	Header
	Contact    Contact    `json:"contact"`
	Annotation Annotation `json:"annotation"`
	Events     []Event    `json:"events"`
	// Advice is what guided review shows beside the contact.
	Advice ReviewAdvice `json:"advice"`
}

// HistoryReply answers history_get. NextCursor is empty on the last page.
type HistoryReply struct {
	Header
	Events     []Event `json:"events"`
	NextCursor string  `json:"next_cursor,omitempty"`
}

// ImportResult answers import_connections.
type ImportResult struct {
	Header
	Summary ImportSummary `json:"summary"`
}

// ExportData answers export. Data is the whole file's text.
type ExportData struct {
	Header
	Format   string `json:"format"`
	Filename string `json:"filename"`
	Data     string `json:"data"`
}

// StatusReply answers status.
type StatusReply struct {
	Header
	Protocol      int    `json:"protocol"`
	DaemonVersion string `json:"daemon_version"`
	Contacts      int    `json:"contacts"`
	Notes         int    `json:"notes"`
	Events        int    `json:"events"`
	Connections   int    `json:"connections"`
}

// ErrorReply answers a request that failed. ID is empty when the request
// could not be read far enough to know it.
type ErrorReply struct {
	Header
	Code    Code   `json:"code"`
	Message string `json:"message"`
}

// ContactChanged is pushed to every other authenticated connection after a
// change to a contact, so every tab and the popup redraw it.
type ContactChanged struct {
	Header
	Annotation Annotation `json:"annotation"`
}

// NewError builds the error reply to the request with id.
func NewError(id string, err error) ErrorReply {
	return ErrorReply{Header: Header{Type: TypeError, ID: id}, Code: ErrorCode(err), Message: ErrorMessage(err)}
}
