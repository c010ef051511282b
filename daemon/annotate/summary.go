package annotate

import (
	"cmp"
	"slices"
	"time"

	"github.com/tactful/tactful/protocol"
)

// Tally gathers the network at a glance: contacts one by one (AddContact)
// and the history's events of the last months (AddEvent), so a caller can
// feed it from a scan without holding everything at once.
type Tally struct {
	now      time.Time
	months   []string // YYYY-MM, oldest first
	byMonth  map[string]*protocol.MonthDecisions
	total    int
	byStatus map[string]int
	byTag    map[string]int
	due      int
}

// Tally starts a network summary as of the rules' clock.
func (r Rules) Tally() *Tally {
	r = r.withDefaults()
	t := &Tally{now: r.Now(), byMonth: map[string]*protocol.MonthDecisions{}, byStatus: map[string]int{}, byTag: map[string]int{}}
	first := SummarySince(t.now)
	for i := 0; i < protocol.SummaryMonths; i++ {
		m := first.AddDate(0, i, 0).Format("2006-01")
		t.months = append(t.months, m)
		t.byMonth[m] = &protocol.MonthDecisions{Month: m}
	}
	return t
}

// SummarySince is the first moment decisions_by_month covers: the first
// day of the month SummaryMonths-1 months before now's.
func SummarySince(now time.Time) time.Time {
	l := now.In(time.Local)
	return time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, time.Local).AddDate(0, -(protocol.SummaryMonths - 1), 0)
}

// SummaryKinds are the events decisions_by_month counts.
var SummaryKinds = []protocol.EventKind{protocol.EventReviewed, protocol.EventOutcome, protocol.EventReconnected}

// AddContact counts one contact.
func (t *Tally) AddContact(c protocol.Contact) {
	t.total++
	status := string(c.Status)
	if c.Status == protocol.StatusNone {
		status = protocol.StatusFilterNone
	}
	t.byStatus[status]++
	for _, tag := range c.Tags {
		t.byTag[tag]++
	}
	if _, _, ok := Due(c, t.now); ok {
		t.due++
	}
}

// AddEvent counts a decision, a removal or a reconnection in its month
// (the user's calendar); other events and months outside the window count
// nothing.
func (t *Tally) AddEvent(e protocol.Event) {
	m := t.byMonth[e.At.In(time.Local).Format("2006-01")]
	if m == nil {
		return
	}
	switch e.Kind {
	case protocol.EventReviewed:
		switch e.Decision {
		case protocol.DecisionKeep:
			m.Keep++
		case protocol.DecisionUnfollow:
			m.Unfollow++
		case protocol.DecisionRemoveNow, protocol.DecisionRemoveOn:
			m.Remove++
		case protocol.DecisionRevisit:
			m.Revisit++
		}
	case protocol.EventOutcome:
		if e.Outcome == protocol.OutcomeRemoved {
			m.Removed++
		}
	case protocol.EventReconnected:
		m.Reconnected++
	}
}

// Summary is what was counted. Tags come most used first, then by name.
func (t *Tally) Summary() protocol.NetworkSummary {
	s := protocol.NetworkSummary{Total: t.total, ByStatus: map[string]int{}, ByTag: []protocol.TagCount{},
		DecisionsByMonth: make([]protocol.MonthDecisions, 0, len(t.months)), Due: t.due}
	for k, v := range t.byStatus {
		s.ByStatus[k] = v
	}
	for tag, n := range t.byTag {
		s.ByTag = append(s.ByTag, protocol.TagCount{Tag: tag, Count: n})
	}
	slices.SortFunc(s.ByTag, func(a, b protocol.TagCount) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return cmp.Compare(a.Tag, b.Tag)
	})
	for _, m := range t.months {
		s.DecisionsByMonth = append(s.DecisionsByMonth, *t.byMonth[m])
	}
	return s
}
