package annotate

import (
	"testing"
	"time"

	"github.com/tactful/tactful/protocol"
)

// The user looked at the list on Friday evening, and is back on Sunday
// morning (testNow is Sunday 29 Nov 2026, 10:00).
var sinceFriday = protocol.Visits{
	PreviousEnd: at(2026, time.November, 27, 19, 30),
	Current:     at(2026, time.November, 29, 8, 0),
	Last:        at(2026, time.November, 29, 9, 58),
}

func TestIsNew(t *testing.T) {
	thisVisit := at(2026, time.November, 29, 9, 0)
	tests := []struct {
		name    string
		contact protocol.Contact
		visits  protocol.Visits
		want    bool
	}{
		{name: "appeared in this visit, no date known", contact: protocol.Contact{FirstSeen: thisVisit}, visits: sinceFriday, want: true},
		{name: "appeared in this visit, connected yesterday", contact: protocol.Contact{FirstSeen: thisVisit, ConnectedOn: "2026-11-28", ConnectedSource: protocol.DateFromPageRelative}, visits: sinceFriday, want: true},
		{name: "appeared the moment this visit began", contact: protocol.Contact{FirstSeen: sinceFriday.Current}, visits: sinceFriday, want: true},
		{name: "connected the day before the previous visit: a day's grace", contact: protocol.Contact{FirstSeen: thisVisit, ConnectedOn: "2026-11-26", ConnectedSource: protocol.DateFromPageAbsolute}, visits: sinceFriday, want: true},
		{name: "the first visit: nobody is new", contact: protocol.Contact{FirstSeen: thisVisit}, visits: protocol.Visits{Current: at(2026, time.November, 29, 8, 0), Last: thisVisit}},
		{name: "no visits known: nobody is new", contact: protocol.Contact{FirstSeen: thisVisit}},
		{name: "seen on an earlier visit", contact: protocol.Contact{FirstSeen: at(2026, time.November, 27, 19, 0)}, visits: sinceFriday},
		{name: "seen a minute before this visit began", contact: protocol.Contact{FirstSeen: sinceFriday.Current.Add(-time.Minute)}, visits: sinceFriday},
		{name: "imported before this visit", contact: protocol.Contact{FirstSeen: at(2026, time.November, 28, 12, 0), ConnectedOn: "2026-11-28", ConnectedSource: protocol.DateFromImport}, visits: sinceFriday},
		{name: "imported during this visit", contact: protocol.Contact{FirstSeen: thisVisit, ConnectedOn: "2026-11-28", ConnectedSource: protocol.DateFromImport}, visits: sinceFriday},
		{name: "an old connection first scrolled to now", contact: protocol.Contact{FirstSeen: thisVisit, ConnectedOn: "2019-03-05", ConnectedSource: protocol.DateFromPageAbsolute}, visits: sinceFriday},
		{name: "\"2 weeks ago\" is before Friday", contact: protocol.Contact{FirstSeen: thisVisit, ConnectedOn: "2026-11-15", ConnectedSource: protocol.DateFromPageRelative}, visits: sinceFriday},
		{name: "never seen by the page", contact: protocol.Contact{}, visits: sinceFriday},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := IsNew(tc.contact, tc.visits); got != tc.want {
				t.Fatalf("IsNew = %v, want %v", got, tc.want)
			}
			a := testRules().Annotate(tc.contact, tc.visits)
			has := false
			for _, b := range a.Badges {
				has = has || b.Kind == protocol.BadgeNew
			}
			if has != tc.want {
				t.Fatalf("the annotation's New badge = %v, want %v: %+v", has, tc.want, a.Badges)
			}
		})
	}
}

func TestNextVisits(t *testing.T) {
	start := at(2026, time.November, 29, 8, 0)
	during := protocol.Visits{Current: start, Last: start.Add(10 * time.Minute)}
	tests := []struct {
		name        string
		visits      protocol.Visits
		now         time.Time
		want        protocol.Visits
		wantChanged bool
	}{
		{name: "the first sighting begins the first visit", now: start, want: protocol.Visits{Current: start, Last: start}, wantChanged: true},
		{name: "within a minute: nothing to write", visits: during, now: during.Last.Add(59 * time.Second), want: during},
		{name: "a minute on: the visit goes on", visits: during, now: during.Last.Add(time.Minute),
			want: protocol.Visits{Current: start, Last: during.Last.Add(time.Minute)}, wantChanged: true},
		{name: "exactly the gap: still the same visit", visits: during, now: during.Last.Add(VisitGap),
			want: protocol.Visits{Current: start, Last: during.Last.Add(VisitGap)}, wantChanged: true},
		{name: "past the gap: a new visit, the last one becomes the previous", visits: during, now: during.Last.Add(VisitGap + time.Second),
			want: protocol.Visits{Current: during.Last.Add(VisitGap + time.Second), PreviousEnd: during.Last, Last: during.Last.Add(VisitGap + time.Second)}, wantChanged: true},
		{name: "a clock that went back changes nothing", visits: during, now: start.Add(-time.Hour), want: during},
		{name: "a damaged record starts over", visits: protocol.Visits{Last: start}, now: start, want: protocol.Visits{Current: start, Last: start}, wantChanged: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, changed := NextVisits(tc.visits, tc.now)
			if got != tc.want || changed != tc.wantChanged {
				t.Fatalf("NextVisits = %+v, %v; want %+v, %v", got, changed, tc.want, tc.wantChanged)
			}
		})
	}
}
