package protocol

import (
	"slices"
	"time"
)

// Status is where the user stands with a contact.
type Status string

const (
	StatusNone           Status = ""
	StatusKeep           Status = "keep"
	StatusReviewing      Status = "reviewing"
	StatusUnfollowed     Status = "unfollowed"
	StatusRemovalPlanned Status = "removal_planned"
	StatusRemoved        Status = "removed"
)

// Statuses lists every status a client may set, in the order a menu shows them.
var Statuses = []Status{StatusKeep, StatusReviewing, StatusUnfollowed, StatusRemovalPlanned, StatusRemoved}

// Valid reports whether s is a known status or none.
func (s Status) Valid() bool {
	return s == StatusNone || slices.Contains(Statuses, s)
}

// Outcome is what the user did after seeing a removal reminder.
type Outcome string

const (
	OutcomeRemoved    Outcome = "removed"
	OutcomeKept       Outcome = "kept"
	OutcomeUnfollowed Outcome = "unfollowed"
)

// Valid reports whether o is a known outcome.
func (o Outcome) Valid() bool {
	return o == OutcomeRemoved || o == OutcomeKept || o == OutcomeUnfollowed
}

// DefaultTags is the reason vocabulary a new user starts with, drawn from why
// people prune their network. Users may add their own.
var DefaultTags = []string{"inactive", "interests-drifted", "reputation", "unprofessional", "re-evaluating", "keep"}

// Contact is everything tactful knows about one connection. The slug, the
// decoded lower-case path segment after /in/ in the profile URL, is the key
// for everything (see CanonicalSlug).
type Contact struct {
	Slug     string `json:"slug"`
	Name     string `json:"name"`
	Headline string `json:"headline,omitempty"`
	// Company and Position come from LinkedIn's data export.
	Company  string `json:"company,omitempty"`
	Position string `json:"position,omitempty"`
	// ConnectedOn is the best known connection date, YYYY-MM-DD, or empty.
	ConnectedOn string `json:"connected_on,omitempty"`
	// ConnectedSource says where ConnectedOn came from; a more exact source
	// is never replaced by a less exact one.
	ConnectedSource DateSource `json:"connected_source,omitempty"`
	// ConnectedText is the "Connected ..." text as the page last showed it.
	ConnectedText string `json:"connected_text,omitempty"`
	// FirstSeen and LastSeen are left out while unknown: a contact imported
	// from LinkedIn's export has not been seen on a page yet.
	FirstSeen time.Time `json:"first_seen,omitzero"`
	LastSeen  time.Time `json:"last_seen,omitzero"`
	Tags      []string  `json:"tags"`
	Status    Status    `json:"status,omitempty"`
	// FalloutAt is when the user last marked a disagreement; CooldownUntil
	// (YYYY-MM-DD) is the first day the cool-down no longer applies.
	FalloutAt     *time.Time `json:"fallout_at,omitempty"`
	CooldownUntil string     `json:"cooldown_until,omitempty"`
	Notes         []Note     `json:"notes"`
	// Review is the latest decision of guided review (review.go); nil
	// until the user reviewed this contact.
	Review *Review `json:"review,omitempty"`
}

// DateSource ranks where a connection date came from.
type DateSource string

const (
	DateFromPageRelative DateSource = "page_relative" // "Connected 2 weeks ago": approximate
	DateFromImport       DateSource = "import"        // LinkedIn's export: exact day
	DateFromPageAbsolute DateSource = "page_absolute" // "Connected on June 29, 2024": exact day
)

// Exact reports whether the date is a calendar day rather than an estimate.
func (s DateSource) Exact() bool { return s == DateFromImport || s == DateFromPageAbsolute }

// Note is a user's note about a contact. ID is chosen by the client, so a
// retried note_add finds the note it already made instead of adding another.
type Note struct {
	ID      string    `json:"id"`
	Text    string    `json:"text"`
	Created time.Time `json:"created,omitzero"`
	Updated time.Time `json:"updated,omitzero"`
}

// BadgeKind names what a badge says.
type BadgeKind string

const (
	BadgeNote     BadgeKind = "note"
	BadgeTag      BadgeKind = "tag"
	BadgeStatus   BadgeKind = "status"
	BadgeRecent   BadgeKind = "recent"   // recently connected
	BadgeCooldown BadgeKind = "cooldown" // a marked fallout is still cooling down
	BadgeNew      BadgeKind = "new"      // appeared since the previous visit (annotate.IsNew)
	BadgeRevisit  BadgeKind = "revisit"  // a review's revisit or removal day has come
)

// Badge is one small label on a connection card: Label is a word or two,
// Detail the sentence shown on hover and focus.
type Badge struct {
	Kind   BadgeKind `json:"kind"`
	Label  string    `json:"label"`
	Detail string    `json:"detail"`
}

// Annotation is what the extension draws on one card.
type Annotation struct {
	Slug          string   `json:"slug"`
	Name          string   `json:"name"`
	Status        Status   `json:"status,omitempty"`
	Tags          []string `json:"tags"`
	NoteCount     int      `json:"note_count"`
	ConnectedOn   string   `json:"connected_on,omitempty"`
	CooldownUntil string   `json:"cooldown_until,omitempty"`
	// DueOn is the review day that has come (revisit or remove on), if any.
	DueOn  string  `json:"due_on,omitempty"`
	Badges []Badge `json:"badges"`
}

// Reminder is what the extension shows beside LinkedIn's removal dialog.
type Reminder struct {
	Slug       string `json:"slug"`
	Name       string `json:"name"`
	ProfileURL string `json:"profile_url"`
	// Advice is "wait" when timing speaks against removing now, "consider"
	// otherwise.
	Advice string `json:"advice"`
	// Headline is one sentence that sums the reminder up.
	Headline string `json:"headline"`
	// Timing lists what speaks against removing now; empty when nothing does.
	Timing []Point `json:"timing"`
	// Unfollow explains unfollowing, the gentler first step.
	Unfollow Point `json:"unfollow"`
	// Options are the other gentle alternatives.
	Options []Point `json:"options"`
	// Reasons are what the user recorded: tags, status, latest notes.
	Reasons Reasons `json:"reasons"`
	// Drafts are short messages for those who want to say something;
	// tactful never sends them.
	Drafts []string `json:"drafts"`
	// Facts are how removal works on LinkedIn.
	Facts []string `json:"facts"`
	// Decision recalls what the user decided in guided review; nil when
	// they never reviewed this contact.
	Decision *Point `json:"decision,omitempty"`
	// Clusters are the groups of planned removals this contact is in
	// (kind "cluster"), each offering to spread them out.
	Clusters []Point `json:"clusters,omitempty"`
}

// Point is a titled sentence in a reminder.
type Point struct {
	Kind   string `json:"kind"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
}

// Reasons are what the user recorded about a contact. Prompt is set when they
// recorded nothing and asks them to name a reason first.
type Reasons struct {
	Tags   []string `json:"tags"`
	Status Status   `json:"status,omitempty"`
	Notes  []string `json:"notes"`
	Prompt string   `json:"prompt,omitempty"`
}

// EventKind names an entry of the append-only history.
type EventKind string

const (
	EventFirstSeen     EventKind = "first_seen"
	EventImported      EventKind = "imported"
	EventNoteAdded     EventKind = "note_added"
	EventNoteEdited    EventKind = "note_edited"
	EventNoteDeleted   EventKind = "note_deleted"
	EventTagsChanged   EventKind = "tags_changed"
	EventStatusChanged EventKind = "status_changed"
	EventFalloutMarked EventKind = "fallout_marked"
	EventReminderShown EventKind = "reminder_shown"
	EventOutcome       EventKind = "outcome"
	EventReviewed      EventKind = "reviewed"    // a decision saved in guided review
	EventReconnected   EventKind = "reconnected" // someone removed was seen connected again
)

// EventKinds lists every kind, for validation and for the popup's filter.
var EventKinds = []EventKind{EventFirstSeen, EventImported, EventNoteAdded, EventNoteEdited, EventNoteDeleted,
	EventTagsChanged, EventStatusChanged, EventFalloutMarked, EventReminderShown, EventOutcome,
	EventReviewed, EventReconnected}

// Valid reports whether k is a known event kind.
func (k EventKind) Valid() bool {
	return slices.Contains(EventKinds, k)
}

// Event is one entry of the history. ID identifies it in every store and
// export and orders events by time (see EventID). The optional fields are
// set by the kinds that need them.
type Event struct {
	ID      EventID   `json:"id"`
	At      time.Time `json:"at"`
	Slug    string    `json:"slug"`
	Name    string    `json:"name"` // the contact's name when the event happened
	Kind    EventKind `json:"kind"`
	Summary string    `json:"summary"` // one human sentence, e.g. "Note added"
	NoteID  string    `json:"note_id,omitempty"`
	Text    string    `json:"text,omitempty"` // note text or fallout remark
	Tags    []string  `json:"tags,omitempty"`
	Status  Status    `json:"status,omitempty"`
	Outcome Outcome   `json:"outcome,omitempty"`
	Until   string    `json:"until,omitempty"` // cool-down end, YYYY-MM-DD
	// Decision and On are a reviewed event's decision and its day.
	Decision Decision `json:"decision,omitempty"`
	On       string   `json:"on,omitempty"`
}

// ImportSummary reports what an import did. Skipped rows name their line.
type ImportSummary struct {
	Added   int       `json:"added"`
	Updated int       `json:"updated"`
	Skipped []Skipped `json:"skipped"`
	Total   int       `json:"total"` // data rows read, skipped ones included
}

// Skipped is a row an import could not use.
type Skipped struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// Archive is tactful's own export file: everything the store holds. The JSON
// export is one Archive; importing it restores the store exactly.
type Archive struct {
	Format     string    `json:"format"` // always ArchiveFormat
	Version    int       `json:"version"`
	ExportedAt time.Time `json:"exported_at,omitzero"`
	Contacts   []Contact `json:"contacts"`
	Events     []Event   `json:"events"` // oldest first
}

// ArchiveFormat names the JSON export so a wrong file is told apart at once.
const ArchiveFormat = "tactful-export"

// ArchiveVersion is the version of the Archive layout this package writes.
// Version 2 gave every event its id; version 1 events carry a local "seq"
// instead, and get LegacyEventID when read.
const ArchiveVersion = 2
