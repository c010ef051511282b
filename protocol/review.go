package protocol

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Guided review (issue 13): the user walks through a queue of contacts and
// records, for each, why, an assessment, whether to say something, and a
// decision. This file holds its types, messages and rules; docs/protocol.md
// describes them in prose.

// Message types of guided review. Three replies share their request's name.
const (
	TypeReviewSave       = "review_save"
	TypeReviewQueue      = "review_queue"
	TypeRemovalPlanGet   = "removal_plan_get"
	TypeRemovalPlanApply = "removal_plan_apply"
	TypeNetworkSummary   = "network_summary"

	TypeReviewQueueReply    = "review_queue"
	TypeRemovalPlan         = "removal_plan"
	TypeNetworkSummaryReply = "network_summary"
)

// Limits of guided review.
const (
	// MaxReviewLineChars bounds the one-line why and assessment.
	MaxReviewLineChars = 280
	// MaxDraftChars bounds the message the user means to write.
	MaxDraftChars = 2000
	// DefaultQueueLimit is how many people review_queue returns when it
	// names no limit; MaxQueueLimit is the most it may ask for.
	DefaultQueueLimit = 500
	MaxQueueLimit     = 5000
	// MaxPlanSize is the most dates one removal_plan_apply may set.
	MaxPlanSize = 500
	// MaxConnectedYears bounds the connected_before_years filter.
	MaxConnectedYears = 100
)

// Decision is what the user decided for a contact in guided review.
type Decision string

const (
	DecisionKeep      Decision = "keep"
	DecisionUnfollow  Decision = "unfollow"
	DecisionRemoveNow Decision = "remove_now"
	DecisionRemoveOn  Decision = "remove_on" // On required
	DecisionRevisit   Decision = "revisit"   // On required
)

// Decisions lists every decision in the order the review page offers them
// (its number keys 1 to 5 follow this order).
var Decisions = []Decision{DecisionKeep, DecisionUnfollow, DecisionRemoveNow, DecisionRemoveOn, DecisionRevisit}

// Valid reports whether d is a known decision.
func (d Decision) Valid() bool {
	return slices.Contains(Decisions, d)
}

// Dated reports whether the decision takes a day (On).
func (d Decision) Dated() bool { return d == DecisionRemoveOn || d == DecisionRevisit }

// Removes reports whether the decision plans a removal.
func (d Decision) Removes() bool { return d == DecisionRemoveNow || d == DecisionRemoveOn }

// What the user means to say when they act: nothing, or a message of their
// own. "" is undecided.
const (
	MessageSilent = "silent"
	MessageWrite  = "write"
)

// Messages lists the message choices, undecided first.
var Messages = []string{"", MessageSilent, MessageWrite}

// Review is the user's latest decision about a contact. The history keeps
// every earlier one as a reviewed event.
type Review struct {
	Decision   Decision  `json:"decision"`
	On         string    `json:"on,omitempty"`         // YYYY-MM-DD; remove_on and revisit only
	Why        string    `json:"why,omitempty"`        // one line, beside the reason tags
	Assessment string    `json:"assessment,omitempty"` // one line
	Message    string    `json:"message,omitempty"`    // "silent", "write" or "" (undecided)
	Draft      string    `json:"draft,omitempty"`      // what they mean to write; tactful never sends it
	At         time.Time `json:"at"`                   // when decided
}

// Due kinds: what a review date that has come asks of the user.
const (
	DueRevisit = "revisit"
	DueRemove  = "remove"
)

// Cluster kinds: what planned removals have in common.
const (
	ClusterCompany = "company"
	ClusterWeek    = "week"
	ClusterTag     = "tag"
)

// StatusFilterNone is the status filter of review_queue that selects people
// with no status ("" selects everyone).
const StatusFilterNone = "none"

// QueueFilter chooses who review_queue returns. Filters combine with AND;
// the zero filter is everyone.
type QueueFilter struct {
	// Tags keeps people carrying every one of these tags.
	Tags []string `json:"tags,omitempty"`
	// Status keeps people with this status; "none" keeps those with none.
	Status Status `json:"status,omitempty"`
	// ConnectedBeforeYears keeps people connected more than that many
	// years ago (a known connection date is required).
	ConnectedBeforeYears int `json:"connected_before_years,omitempty"`
	// NeverSeen keeps people the connections page never showed.
	NeverSeen bool `json:"never_seen,omitempty"`
	// NeverAnnotated keeps people with no note, tag, status or review.
	NeverAnnotated bool `json:"never_annotated,omitempty"`
	// Company keeps people whose company or headline contains it, in any case.
	Company string `json:"company,omitempty"`
	// Due keeps people whose revisit or removal date has come.
	Due bool `json:"due,omitempty"`
}

// QueueItem is one person of the review queue.
type QueueItem struct {
	Slug        string    `json:"slug"`
	Name        string    `json:"name"`
	Headline    string    `json:"headline,omitempty"`
	Company     string    `json:"company,omitempty"`
	Position    string    `json:"position,omitempty"`
	Status      Status    `json:"status,omitempty"`
	ConnectedOn string    `json:"connected_on,omitempty"`
	FirstSeen   time.Time `json:"first_seen,omitzero"`
	LastSeen    time.Time `json:"last_seen,omitzero"`
	NoteCount   int       `json:"note_count"`
	Tags        []string  `json:"tags"`
	Review      *Review   `json:"review,omitempty"`
	DueOn       string    `json:"due_on,omitempty"`   // YYYY-MM-DD, when a date has come
	DueKind     string    `json:"due_kind,omitempty"` // DueRevisit or DueRemove
}

// Cluster is a group of planned removals that others could notice together:
// Count of the Total planned removals share a company, a week or a tag (Key).
type Cluster struct {
	Kind     string   `json:"kind"`
	Key      string   `json:"key"`
	Count    int      `json:"count"`
	Total    int      `json:"total"`
	Slugs    []string `json:"slugs"`
	Sentence string   `json:"sentence"`
}

// Scheduled is one date of a removal plan. Name is informative: the
// daemon sends it, and ignores it in removal_plan_apply, so a client may
// send a proposed schedule back as it came.
type Scheduled struct {
	Slug string `json:"slug"`
	Name string `json:"name,omitempty"`
	On   string `json:"on"`
}

// ReviewAdvice is what the review page shows beside a contact.
type ReviewAdvice struct {
	// WaitUntil is the first day timing no longer speaks against removing
	// (cool-down over, no longer a recent connection); empty when nothing
	// holds the user back.
	WaitUntil string `json:"wait_until,omitempty"`
	// Timing are the reminder's timing points.
	Timing []Point `json:"timing"`
	// Drafts are the reminder's kind messages for leaving.
	Drafts []string `json:"drafts"`
	// ReconnectDrafts are kind messages for asking back someone removed
	// (status removed only).
	ReconnectDrafts []string  `json:"reconnect_drafts"`
	DueOn           string    `json:"due_on,omitempty"`
	DueKind         string    `json:"due_kind,omitempty"`
	Clusters        []Cluster `json:"clusters"` // the clusters this contact is in
}

// TagCount is how many contacts carry a tag.
type TagCount struct {
	Tag   string `json:"tag"`
	Count int    `json:"count"`
}

// MonthDecisions counts, for one month (YYYY-MM), the decisions taken in
// review and what happened: Remove counts remove_now and remove_on
// decisions, Removed the removals recorded, Reconnected the people seen
// connected again after a removal.
type MonthDecisions struct {
	Month       string `json:"month"`
	Keep        int    `json:"keep"`
	Unfollow    int    `json:"unfollow"`
	Remove      int    `json:"remove"`
	Revisit     int    `json:"revisit"`
	Removed     int    `json:"removed"`
	Reconnected int    `json:"reconnected"`
}

// NetworkSummary is the network at a glance. ByStatus counts contacts per
// status, with no status as "none"; DecisionsByMonth covers the last 12
// months, oldest first, every month present.
type NetworkSummary struct {
	Total            int              `json:"total"`
	ByStatus         map[string]int   `json:"by_status"`
	ByTag            []TagCount       `json:"by_tag"`
	DecisionsByMonth []MonthDecisions `json:"decisions_by_month"`
	Due              int              `json:"due"`
}

// SummaryMonths is how many months decisions_by_month covers.
const SummaryMonths = 12

// ReviewSave records one step of guided review for a contact: the review
// (Contact.Review is replaced), the tags when given (replaced, as tags_set
// does), and the status that follows from the decision.
type ReviewSave struct {
	Header
	Slug       string    `json:"slug"`
	Tags       *[]string `json:"tags,omitempty"`
	Why        string    `json:"why,omitempty"`
	Assessment string    `json:"assessment,omitempty"`
	Message    string    `json:"message,omitempty"`
	Draft      string    `json:"draft,omitempty"`
	Decision   Decision  `json:"decision"`
	On         string    `json:"on,omitempty"`
}

// Review returns the review r records, decided at.
func (r *ReviewSave) Review(at time.Time) Review {
	return Review{Decision: r.Decision, On: r.On, Why: r.Why, Assessment: r.Assessment, Message: r.Message, Draft: r.Draft, At: at}
}

// ReviewQueue asks for the people Filter chooses, in review order.
type ReviewQueue struct {
	Header
	Filter QueueFilter `json:"filter"`
	Limit  int         `json:"limit,omitempty"`
}

// RemovalPlanGet asks how the planned removals cluster, and for a schedule
// that spreads them out.
type RemovalPlanGet struct {
	Header
}

// RemovalPlanApply gives each listed contact the decision remove_on at its
// date, all in one transaction.
type RemovalPlanApply struct {
	Header
	Schedule []Scheduled `json:"schedule"`
}

// NetworkSummaryGet asks for the network at a glance.
type NetworkSummaryGet struct {
	Header
}

// ReviewQueueReply answers review_queue: Items in review order, at most the
// limit, and Total, how many the filter chose.
type ReviewQueueReply struct {
	Header
	Items []QueueItem `json:"items"`
	Total int         `json:"total"`
}

// RemovalPlan answers removal_plan_get and removal_plan_apply: how many
// removals are planned, how they cluster, and a schedule that spreads them.
type RemovalPlan struct {
	Header
	Planned  int         `json:"planned"`
	Clusters []Cluster   `json:"clusters"`
	Schedule []Scheduled `json:"schedule"`
}

// NetworkSummaryReply answers network_summary.
type NetworkSummaryReply struct {
	Header
	NetworkSummary
}

// Validate checks a review as a store holds it and an export carries it.
// Whether its day is still to come is the daemon's business (CheckReviewDay):
// a stored review's day passes.
func (r *Review) Validate() error {
	if r.Decision == "" {
		return Errorf(CodeMissingField, "Field decision is missing.")
	}
	if !r.Decision.Valid() {
		return Errorf(CodeInvalidField, "%q is not a decision; use keep, unfollow, remove_now, remove_on or revisit.", clip(string(r.Decision), 40))
	}
	if r.Decision.Dated() {
		if r.On == "" {
			return Errorf(CodeMissingField, "Field on is missing: %s needs a day, like 2027-01-31.", r.Decision)
		}
		if err := CheckDay("on", r.On); err != nil {
			return err
		}
	} else if r.On != "" {
		return Errorf(CodeInvalidField, "Field on goes only with remove_on or revisit, not with %s.", r.Decision)
	}
	if err := CheckLine("why", r.Why, MaxReviewLineChars); err != nil {
		return err
	}
	if err := CheckLine("assessment", r.Assessment, MaxReviewLineChars); err != nil {
		return err
	}
	switch r.Message {
	case "", MessageSilent, MessageWrite:
	default:
		return Errorf(CodeInvalidField, "Field message must be silent, write or empty, not %q.", clip(r.Message, 40))
	}
	return checkDraft(r.Draft)
}

// CheckReviewDay refuses a review day before today (the daemon's clock,
// the user's calendar): a plan for the past cannot come due.
func CheckReviewDay(on string, today time.Time) error {
	day, err := time.Parse(time.DateOnly, on)
	if err != nil {
		return Errorf(CodeInvalidField, "Field on must be a date like 2027-01-31.")
	}
	y, m, d := today.Date()
	if day.Before(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)) {
		return Errorf(CodeInvalidField, "The day %s has passed; today is %s. Choose today or a later day.",
			day.Format("2 Jan 2006"), today.Format("2 Jan 2006"))
	}
	return nil
}

func checkDraft(s string) error {
	if !utf8.ValidString(s) {
		return Errorf(CodeInvalidField, "Field draft is not UTF-8 text.")
	}
	if n := utf8.RuneCountInString(s); n > MaxDraftChars {
		return Errorf(CodeInvalidField, "A draft has at most %d characters; this one has %d.", MaxDraftChars, n)
	}
	if i := strings.IndexFunc(s, func(r rune) bool { return r != '\n' && r != '\t' && isHiddenControl(r) }); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		return Errorf(CodeInvalidField, "Field draft holds the control character U+%04X; only lines and tabs may break the text.", r)
	}
	return nil
}

func (r *ReviewSave) validate() error {
	if err := slugField(&r.Slug); err != nil {
		return err
	}
	if r.Tags != nil {
		tags, err := NormalizeTags(*r.Tags)
		if err != nil {
			return err
		}
		*r.Tags = tags
	}
	r.Why = strings.TrimSpace(r.Why)
	r.Assessment = strings.TrimSpace(r.Assessment)
	r.Draft = NormalizeNoteText(r.Draft)
	r.On = strings.TrimSpace(r.On)
	rev := r.Review(time.Time{})
	return rev.Validate()
}

func (r *ReviewQueue) validate() error {
	f := &r.Filter
	if len(f.Tags) == 0 {
		f.Tags = nil
	} else {
		tags, err := NormalizeTags(f.Tags)
		if err != nil {
			return err
		}
		f.Tags = tags
	}
	if f.Status != StatusFilterNone && !f.Status.Valid() {
		return Errorf(CodeInvalidField, "%q is not a status to filter by; use none, keep, reviewing, unfollowed, removal_planned or removed.", clip(string(f.Status), 40))
	}
	if f.ConnectedBeforeYears < 0 || f.ConnectedBeforeYears > MaxConnectedYears {
		return Errorf(CodeInvalidField, "Field connected_before_years must be between 1 and %d.", MaxConnectedYears)
	}
	if err := textField("company", &f.Company, false, MaxNameChars); err != nil {
		return err
	}
	if r.Limit < 0 || r.Limit > MaxQueueLimit {
		return Errorf(CodeInvalidField, "Field limit must be between 1 and %d.", MaxQueueLimit)
	}
	if r.Limit == 0 {
		r.Limit = DefaultQueueLimit
	}
	return nil
}

func (r *RemovalPlanApply) validate() error {
	if r.Schedule == nil {
		return Errorf(CodeMissingField, "Field schedule is missing: list {slug, on} for each removal.")
	}
	if len(r.Schedule) > MaxPlanSize {
		return Errorf(CodeBatchTooLarge, "At most %d dates fit in one plan; this one has %d. Split it.", MaxPlanSize, len(r.Schedule))
	}
	seen := make(map[string]bool, len(r.Schedule))
	for i := range r.Schedule {
		s := &r.Schedule[i]
		if err := slugField(&s.Slug); err != nil {
			return err
		}
		if seen[s.Slug] {
			return Errorf(CodeInvalidField, "The plan lists %s twice.", s.Slug)
		}
		seen[s.Slug] = true
		if err := textField("name", &s.Name, false, MaxNameChars); err != nil {
			return err
		}
		s.On = strings.TrimSpace(s.On)
		if s.On == "" {
			return Errorf(CodeMissingField, "Field on is missing for %s.", s.Slug)
		}
		if err := CheckDay("on", s.On); err != nil {
			return err
		}
	}
	return nil
}

// StatusAfter is the status a decision leaves: keep → keep; remove_now and
// remove_on → removal_planned; revisit → reviewing; unfollow leaves it
// (tactful cannot know they did). removed and unfollowed record what
// happened, and no decision overwrites them.
func StatusAfter(d Decision, current Status) Status {
	if current == StatusRemoved || current == StatusUnfollowed {
		return current
	}
	switch d {
	case DecisionKeep:
		return StatusKeep
	case DecisionRemoveNow, DecisionRemoveOn:
		return StatusRemovalPlanned
	case DecisionRevisit:
		return StatusReviewing
	}
	return current
}

// Phrase says the decision the way the history and the reminder do:
// "remove on 12 Jan 2027".
func (r Review) Phrase() string {
	day := r.On
	if t, err := time.Parse(time.DateOnly, r.On); err == nil {
		day = t.Format("2 Jan 2006")
	}
	switch r.Decision {
	case DecisionKeep:
		return "keep"
	case DecisionUnfollow:
		return "unfollow"
	case DecisionRemoveNow:
		return "remove now"
	case DecisionRemoveOn:
		return "remove on " + day
	case DecisionRevisit:
		return "revisit on " + day
	}
	return string(r.Decision)
}
