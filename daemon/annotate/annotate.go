// Package annotate holds tactful's rules over a contact: the badges shown on a
// connection card, the reminder shown beside LinkedIn's removal dialog, and
// reading the "Connected ..." text a card shows. Everything here is a pure
// function of a protocol.Contact (or its badge Input) and an injected clock, so the rules read the
// same on any date and in any test.
package annotate

import (
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tactful/tactful/protocol"
)

// Rules are the thresholds tactful judges timing by. A field that is zero or
// negative takes its Default value, so a zero Rules is usable.
type Rules struct {
	// RecentDays is how many days after connecting a contact still counts as
	// recently connected (inclusive).
	RecentDays int
	// CooldownDays is the cool-down a marked disagreement starts when the
	// user names none.
	CooldownDays int
	// RecentNoteDays is how many days a note counts as written in the heat
	// of the moment (inclusive).
	RecentNoteDays int
	// Plan holds the thresholds of removal plans (plan.go).
	Plan PlanRules
	// Now is the clock. Days are local calendar days (time.Local).
	Now func() time.Time
}

// Default returns the rules tactful ships with.
func Default() Rules {
	return Rules{RecentDays: 90, CooldownDays: 14, RecentNoteDays: 7, Now: time.Now}
}

func (r Rules) withDefaults() Rules {
	d := Default()
	if r.RecentDays <= 0 {
		r.RecentDays = d.RecentDays
	}
	if r.CooldownDays <= 0 {
		r.CooldownDays = d.CooldownDays
	}
	if r.RecentNoteDays <= 0 {
		r.RecentNoteDays = d.RecentNoteDays
	}
	if r.Now == nil {
		r.Now = d.Now
	}
	return r
}

// CooldownUntil returns the first day (YYYY-MM-DD) after a cool-down of days
// that starts today; days 0 (or less) means CooldownDays.
func (r Rules) CooldownUntil(days int) string {
	r = r.withDefaults()
	if days <= 0 {
		days = r.CooldownDays
	}
	return dateOf(r.Now()).AddDate(0, 0, days).Format(time.DateOnly)
}

// Annotate returns what the extension draws on c's card, given the user's
// visits to the connections page (v; the zero value: none known, so nobody
// is new). It is AnnotateInput of InputOf(c).
func (r Rules) Annotate(c protocol.Contact, v protocol.Visits) protocol.Annotation {
	return r.AnnotateInput(InputOf(c), v)
}

// AnnotateInput returns what the extension draws on a card, from what the
// store keeps of its contact in memory. Badges come in order of what
// matters most before a decision: a running cool-down, a recent connection,
// a newcomer since the previous visit, then what the user recorded (a
// review day that has come, status, tags, notes). It runs for every card of every batch a page
// sends, so its sentences are put together without fmt.
func (r Rules) AnnotateInput(in Input, v protocol.Visits) protocol.Annotation {
	r = r.withDefaults()
	s := r.situation(in)
	a := protocol.Annotation{
		Slug:        in.Slug,
		Name:        in.Name,
		Status:      in.Status,
		Tags:        append(make([]string, 0, len(in.Tags)), in.Tags...),
		NoteCount:   in.NoteCount,
		ConnectedOn: in.ConnectedOn,
		Badges:      []protocol.Badge{},
	}
	if s.cooldown {
		a.CooldownUntil = in.CooldownUntil
		a.Badges = append(a.Badges, protocol.Badge{
			Kind:   protocol.BadgeCooldown,
			Label:  "Cool-down",
			Detail: s.cooldownSentence() + ".",
		})
	}
	if s.recent {
		a.Badges = append(a.Badges, protocol.Badge{
			Kind:   protocol.BadgeRecent,
			Label:  "Recently connected",
			Detail: "Connected " + s.connectedWhen() + ".",
		})
	}
	if in.IsNew(v) {
		a.Badges = append(a.Badges, protocol.Badge{Kind: protocol.BadgeNew, Label: "New",
			Detail: "New since your last visit (" + humanDate(dateOf(v.PreviousEnd)) + ")."})
	}
	a.Badges, a.DueOn = r.withRevisit(a.Badges, in) // review.go
	if label, detail, ok := statusText(in.Status); ok {
		a.Badges = append(a.Badges, protocol.Badge{Kind: protocol.BadgeStatus, Label: label, Detail: detail})
	}
	for _, t := range a.Tags {
		a.Badges = append(a.Badges, protocol.Badge{
			Kind:   protocol.BadgeTag,
			Label:  t,
			Detail: "You tagged " + nameOr(in.Name, "this person") + " as " + t + ".",
		})
	}
	if in.TextNotes > 0 {
		label := "1 note"
		if in.TextNotes > 1 {
			label = strconv.Itoa(in.TextNotes) + " notes"
		}
		a.Badges = append(a.Badges, protocol.Badge{
			Kind:   protocol.BadgeNote,
			Label:  label,
			Detail: "Latest: " + in.LatestExcerpt,
		})
	}
	return a
}

// situation is what the clock says about a contact today.
type situation struct {
	today time.Time

	cooldown     bool
	cooldownEnd  time.Time
	falloutAt    time.Time // zero when not known
	recent       bool
	connected    time.Time
	approximate  bool // connected comes from "Connected 2 weeks ago"
	recentNote   bool
	noteWrittenD int // days since the newest note was written
}

func (r Rules) situation(c Input) situation {
	s := situation{today: dateOf(r.Now())}
	// CooldownUntil is the first free day, so a cool-down that ends today no
	// longer holds the user back.
	if end, err := time.ParseInLocation(time.DateOnly, c.CooldownUntil, time.Local); err == nil && s.today.Before(end) {
		s.cooldown, s.cooldownEnd = true, end
		if !c.FalloutAt.IsZero() {
			s.falloutAt = dateOf(c.FalloutAt)
		}
	}
	if on, err := time.ParseInLocation(time.DateOnly, c.ConnectedOn, time.Local); err == nil {
		// A date after today is a bad record, not a recent connection.
		if d := daysBetween(on, s.today); d >= 0 && d <= r.RecentDays {
			s.recent, s.connected = true, on
			s.approximate = c.ConnectedSource == protocol.DateFromPageRelative
		}
	}
	if c.TextNotes > 0 {
		if d := daysBetween(dateOf(c.LatestWritten), s.today); d >= 0 && d <= r.RecentNoteDays {
			s.recentNote, s.noteWrittenD = true, d
		}
	}
	return s
}

// cooldownSentence is the cool-down said without a final full stop, so the
// reminder can go on from it.
func (s situation) cooldownSentence() string {
	if s.falloutAt.IsZero() {
		return "You chose a cool-down until " + humanDate(s.cooldownEnd)
	}
	return "You marked a disagreement on " + humanDate(s.falloutAt) + "; cool-down until " + humanDate(s.cooldownEnd)
}

// connectedWhen says when the connection was made: "about 2 weeks ago
// (around 15 Nov 2026)" for a date worked out from a relative text, "2 weeks
// ago (15 Nov 2026)" for a known day.
func (s situation) connectedWhen() string {
	d := daysBetween(s.connected, s.today)
	switch {
	case d == 0:
		return "today"
	case d == 1:
		return "yesterday"
	case s.approximate:
		return "about " + ago(d) + " (around " + humanDate(s.connected) + ")"
	}
	return ago(d) + " (" + humanDate(s.connected) + ")"
}

// ago says a number of days the way people do: "3 days ago", "2 weeks ago",
// "4 months ago".
func ago(days int) string {
	switch {
	case days == 0:
		return "today"
	case days == 1:
		return "yesterday"
	case days < 14:
		return strconv.Itoa(days) + " days ago"
	case days < 60:
		return strconv.Itoa(days/7) + " weeks ago"
	case days < 365:
		return strconv.Itoa(days/30) + " months ago"
	case days < 730:
		return "a year ago"
	}
	return strconv.Itoa(days/365) + " years ago"
}

// humanDate is how dates are shown to people: 15 Nov 2026, unambiguous in
// every locale.
func humanDate(t time.Time) string { return t.Format("2 Jan 2006") }

// daysBetween counts calendar days from a to b, both local midnights. It
// rounds because a day with a daylight-saving change is 23 or 25 hours.
func daysBetween(a, b time.Time) int {
	return int((b.Sub(a) + 12*time.Hour) / (24 * time.Hour))
}

func statusText(s protocol.Status) (label, detail string, ok bool) {
	switch s {
	case protocol.StatusReviewing:
		return "Reviewing", "You are reviewing this connection.", true
	case protocol.StatusKeep:
		return "Keep", "You decided to keep this connection.", true
	case protocol.StatusUnfollowed:
		return "Unfollowed", "You unfollowed this connection and kept it.", true
	case protocol.StatusRemovalPlanned:
		return "Removal planned", "You plan to remove this connection.", true
	case protocol.StatusRemoved:
		return "Removed", "You removed this connection.", true
	}
	return "", "", false
}

func tagsOf(c protocol.Contact) []string {
	out := make([]string, 0, len(c.Tags))
	return append(out, c.Tags...)
}

// written is when a note last changed: an edit is writing too.
func written(n protocol.Note) time.Time {
	if n.Updated.After(n.Created) {
		return n.Updated
	}
	return n.Created
}

// newestNotes returns the notes with text, most recently written first.
func newestNotes(notes []protocol.Note) []protocol.Note {
	out := make([]protocol.Note, 0, len(notes))
	for _, n := range notes {
		if strings.TrimSpace(n.Text) != "" {
			out = append(out, n)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return written(out[i]).After(written(out[j])) })
	return out
}

// excerpt fits text on one line of at most max characters, cut after a
// whole word and marked with an ellipsis.
func excerpt(text string, max int) string {
	s := strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)[:max]
	cut := max - 1
	for i := cut; i > max/2; i-- {
		if r[i] == ' ' {
			cut = i
			break
		}
	}
	return strings.TrimRight(string(r[:cut]), " ,;:.-") + "…"
}

func nameOr(name, fallback string) string {
	if n := strings.TrimSpace(name); n != "" {
		return n
	}
	return fallback
}
