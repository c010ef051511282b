package annotate

import (
	"strings"
	"time"

	"github.com/tactful/tactful/protocol"
)

// Input is everything the badge rules (Annotate, IsNew) read of a contact,
// and nothing more: what the store keeps in memory for every contact so a
// batch of cards is annotated without reading the file (daemon/store,
// index.go). A rule that needs another field of a contact adds it here and
// in InputOf, and nowhere else.
//
// An Input is read-only: Tags may be shared with the store's memory.
type Input struct {
	Slug   string
	Name   string
	Status protocol.Status
	Tags   []string
	// NoteCount counts every note; TextNotes those with text, the only ones
	// a badge speaks of.
	NoteCount, TextNotes int
	// LatestExcerpt is the newest note with text, on one line and cut to
	// what a badge shows (excerpt); LatestWritten is when it was last
	// written. Both are zero when TextNotes is 0.
	LatestExcerpt string
	LatestWritten time.Time

	ConnectedOn     string // YYYY-MM-DD or ""
	ConnectedSource protocol.DateSource
	FirstSeen       time.Time // zero while never seen on a page
	CooldownUntil   string    // YYYY-MM-DD or ""
	FalloutAt       time.Time // zero when no disagreement is marked

	// ReviewDecision and ReviewOn are the latest guided review's decision
	// and its day (YYYY-MM-DD or ""), for the revisit badge; the rest of
	// a review (why, drafts) no badge shows. Both are zero without one.
	ReviewDecision protocol.Decision
	ReviewOn       string
}

// excerptChars is how much of the newest note a badge quotes.
const excerptChars = 80

// InputOf reads the badge rules' input out of a contact.
func InputOf(c protocol.Contact) Input {
	in := Input{
		Slug:            c.Slug,
		Name:            c.Name,
		Status:          c.Status,
		Tags:            c.Tags,
		NoteCount:       len(c.Notes),
		ConnectedOn:     c.ConnectedOn,
		ConnectedSource: c.ConnectedSource,
		FirstSeen:       c.FirstSeen,
		CooldownUntil:   c.CooldownUntil,
	}
	if c.FalloutAt != nil {
		in.FalloutAt = *c.FalloutAt
	}
	if c.Review != nil {
		in.ReviewDecision, in.ReviewOn = c.Review.Decision, c.Review.On
	}
	// The newest note with text, the first of equals as newestNotes' stable
	// sort would put it.
	latest := -1
	for i, n := range c.Notes {
		if strings.TrimSpace(n.Text) == "" {
			continue
		}
		in.TextNotes++
		if latest < 0 || written(n).After(written(c.Notes[latest])) {
			latest = i
		}
	}
	if latest >= 0 {
		in.LatestExcerpt = excerpt(c.Notes[latest].Text, excerptChars)
		in.LatestWritten = written(c.Notes[latest])
	}
	return in
}
