// Package annotate holds tactful's rules over a contact: the badges shown on a
// connection card, the reminder shown beside LinkedIn's removal dialog, and
// reading the "Connected ..." text a card shows. Everything here is a pure
// function of a protocol.Contact and an injected clock, so the rules read the
// same on any date and in any test.
package annotate

import (
	"time"

	"github.com/tactful/tactful/protocol"
)

// Rules are the thresholds tactful judges timing by. A zero field takes its
// Default value, so a zero Rules is usable.
type Rules struct {
	// RecentDays is how long after connecting a contact counts as recently
	// connected.
	RecentDays int
	// CooldownDays is the cool-down a marked disagreement starts when the
	// user names none.
	CooldownDays int
	// RecentNoteDays is how long a note counts as written in the heat of the
	// moment.
	RecentNoteDays int
	// Now is the clock; days are local calendar days (time.Local).
	Now func() time.Time
}

// Default returns the rules tactful ships with.
func Default() Rules {
	return Rules{RecentDays: 90, CooldownDays: 14, RecentNoteDays: 7, Now: time.Now}
}

// Annotate returns what the extension draws on c's card.
func (r Rules) Annotate(c protocol.Contact) protocol.Annotation {
	return protocol.Annotation{Slug: c.Slug, Name: c.Name, Tags: []string{}, Badges: []protocol.Badge{}}
}

// Reminder returns what the extension shows when the user is about to
// remove c.
func (r Rules) Reminder(c protocol.Contact) protocol.Reminder {
	return protocol.Reminder{Slug: c.Slug, Name: c.Name}
}

// CooldownUntil returns the first day (YYYY-MM-DD) after a cool-down of days
// starting today; days 0 means CooldownDays.
func (r Rules) CooldownUntil(days int) string {
	return ""
}

// ParseConnected reads the "Connected ..." text of a connection card.
func ParseConnected(text, locale string, now time.Time) (day string, src protocol.DateSource, ok bool) {
	return "", "", false
}
