package server

import (
	"testing"
	"time"

	"github.com/tactful/tactful/daemon/store"
	"github.com/tactful/tactful/protocol"
)

// TestNewMeansNewSinceThePreviousVisit: on the first visit nobody is new;
// after a pause, only the people who appeared since are, not those seen
// before, imported, or long connected; a note saved keeps the badge, and
// the visit after that one no longer shows it.
func TestNewMeansNewSinceThePreviousVisit(t *testing.T) {
	e := newEnv(t)
	c := e.connect(testContext(t))
	isNew := func(a protocol.Annotation) bool {
		for _, b := range a.Badges {
			if b.Kind == protocol.BadgeNew {
				return true
			}
		}
		return false
	}
	seen := func(contacts ...protocol.SeenContact) map[string]bool {
		out := map[string]bool{}
		for _, a := range c.see("en-US", contacts...) {
			out[a.Slug] = isNew(a)
		}
		return out
	}
	first := protocol.SeenContact{Slug: "first-visit", Name: "First Visit"}
	scrolled := protocol.SeenContact{Slug: "scrolled-later", Name: "Scrolled Later"}
	if got := seen(first); got["first-visit"] {
		t.Fatalf("New on the first visit: %v", got)
	}
	e.clock.Advance(10 * time.Minute)
	if got := seen(scrolled); got["scrolled-later"] {
		t.Fatalf("New for someone scrolled to later in the first visit: %v", got)
	}
	if _, _, err := e.db.Import([]store.ImportedContact{{Slug: "from-export", Name: "From Export", ConnectedOn: "2020-01-02"}}); err != nil {
		t.Fatal(err)
	}

	// Back the next morning.
	e.clock.Advance(14 * time.Hour)
	newcomer := protocol.SeenContact{Slug: "new-connection", Name: "New Connection", ConnectedText: "Connected 5 hours ago"}
	oldTimer := protocol.SeenContact{Slug: "old-timer", Name: "Old Timer", ConnectedText: "Connected on March 3, 2019"}
	exported := protocol.SeenContact{Slug: "from-export", Name: "From Export"}
	got := seen(first, newcomer, oldTimer, exported)
	want := map[string]bool{"first-visit": false, "new-connection": true, "old-timer": false, "from-export": false}
	for slug, w := range want {
		if got[slug] != w {
			t.Errorf("%s: New = %v, want %v", slug, got[slug], w)
		}
	}
	// Saving a note keeps the badge: the answer matches what the card shows.
	var saved protocol.NoteSaved
	c.mustCall(map[string]any{"type": "note_add", "slug": newcomer.Slug, "note_id": "n-visit-1", "text": "Met at the meetup."}, protocol.TypeNoteSaved, &saved)
	if !isNew(saved.Annotation) {
		t.Errorf("the note_saved annotation lost the New badge: %+v", saved.Annotation.Badges)
	}

	// The visit after: the newcomer is known now.
	e.clock.Advance(2 * time.Hour)
	if got := seen(newcomer); got["new-connection"] {
		t.Errorf("still New on the visit after: %v", got)
	}
}
