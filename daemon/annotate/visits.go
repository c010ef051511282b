package annotate

import (
	"time"

	"github.com/tactful/tactful/protocol"
)

// VisitGap is the pause after which looking at the connections page again is
// a new visit: long enough for a coffee, short of a new sitting.
const VisitGap = 30 * time.Minute

// visitStep is how coarsely the end of a visit is recorded: a sighting
// within this of the last recorded one changes nothing, so scrolling the
// list does not write to the store on every batch.
const visitStep = time.Minute

// NextVisits returns the visits after a sighting at now, and whether they
// changed. The first sighting begins the first visit; one after a pause
// longer than VisitGap begins the next, and the one before it becomes the
// previous visit. A clock that went back changes nothing.
func NextVisits(v protocol.Visits, now time.Time) (protocol.Visits, bool) {
	switch {
	case v.Last.IsZero() || v.Current.IsZero():
		return protocol.Visits{Current: now, Last: now}, true
	case now.Before(v.Last):
		return v, false
	case now.Sub(v.Last) > VisitGap:
		return protocol.Visits{Current: now, PreviousEnd: v.Last, Last: now}, true
	case now.Sub(v.Last) >= visitStep:
		v.Last = now
		return v, true
	}
	return v, false
}

// IsNew says whether c is new to the user: a person who appeared on the
// connections page since the previous visit. Nobody is new on the first
// visit (everyone appears then), nor when known before this visit began
// (seen on an earlier one, or imported from LinkedIn's export), nor when
// the page or the export dates the connection before the previous visit (an
// old connection the user had not scrolled to yet). Only the connection
// date's day counts, with a day's grace: a relative date ("2 weeks ago") is
// the latest day it can mean, and days are local calendar days.
func IsNew(c protocol.Contact, v protocol.Visits) bool { return InputOf(c).IsNew(v) }

// IsNew is the package's IsNew, from the badge rules' input.
func (c Input) IsNew(v protocol.Visits) bool {
	if v.PreviousEnd.IsZero() || v.Current.IsZero() || c.FirstSeen.IsZero() {
		return false
	}
	if c.FirstSeen.Before(v.Current) {
		return false
	}
	if c.ConnectedSource == protocol.DateFromImport {
		return false
	}
	if on, err := time.ParseInLocation(time.DateOnly, c.ConnectedOn, time.Local); err == nil {
		if on.Before(dateOf(v.PreviousEnd).AddDate(0, 0, -1)) {
			return false
		}
	}
	return true
}
