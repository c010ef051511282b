package server

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tactful/tactful/protocol"
)

// TestContactsSeenReplyAsAnnotateSaysIt: the contacts_seen reply, written
// from cached annotations, is byte for byte json.Marshal of what
// Rules.Annotate says of each stored contact, through every kind of change
// a cached annotation could miss: a note, tags and a status, a fall-out, a
// new day (the "recent" badge counts days), a new visit (the New badge),
// a card that changes its name, and a batch answered twice.
func TestContactsSeenReplyAsAnnotateSaysIt(t *testing.T) {
	e := newEnv(t)
	c := e.connect(testContext(t))
	cards := []protocol.SeenContact{
		{Slug: "ada-lovelace", Name: "Ada <Lovelace> & co", Headline: "Engineer", ConnectedText: "Connected 2 days ago"},
		{Slug: "grace-hopper", Name: "Grace Hopper", ConnectedText: "Connected on March 3, 2019"},
		{Slug: "alan-turing", Name: "Alan Turing"},
	}
	check := func(step string) string {
		t.Helper()
		raw := c.mustCall(map[string]any{"type": "contacts_seen", "id": `q"1`, "locale": "en-US", "contacts": cards},
			protocol.TypeAnnotations, nil)
		want := protocol.Annotations{Header: protocol.Header{Type: protocol.TypeAnnotations, ID: `q"1`}}
		visits, err := e.db.Visits()
		if err != nil {
			t.Fatal(err)
		}
		for _, card := range cards {
			stored, err := e.db.Contact(card.Slug)
			if err != nil {
				t.Fatal(err)
			}
			want.Annotations = append(want.Annotations, e.srv.rules.Annotate(stored, visits))
		}
		wantRaw, err := json.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		if string(raw) != string(wantRaw) {
			t.Errorf("%s: the reply is\n%s\nRules.Annotate says\n%s", step, raw, wantRaw)
		}
		return string(raw)
	}
	check("first sighting")
	check("the same batch again")
	c.mustCall(map[string]any{"type": "note_add", "slug": "ada-lovelace", "note_id": "n1", "text": "Met at the \"meetup\"."}, protocol.TypeNoteSaved, nil)
	check("after a note")
	c.mustCall(map[string]any{"type": "tags_set", "slug": "grace-hopper", "tags": []string{"inactive"}, "status": "reviewing"}, protocol.TypeAnnotation, nil)
	check("after tags and a status")
	c.mustCall(map[string]any{"type": "fallout_mark", "slug": "alan-turing", "days": 3}, protocol.TypeAnnotation, nil)
	check("after a fall-out")
	e.clock.Advance(10 * time.Minute)
	check("ten minutes on")
	e.clock.Advance(24 * time.Hour)
	check("the next day, a new visit")
	cards[2].Name = "Alan M. Turing"
	check("a new name")
	e.clock.Advance(5 * 24 * time.Hour)
	check("the cool-down over")
	check("and once more")
	on := e.clock.Now().AddDate(0, 0, 2).Format(time.DateOnly)
	c.mustCall(map[string]any{"type": "review_save", "slug": "grace-hopper", "decision": "revisit", "on": on}, protocol.TypeContact, nil)
	check("after a review")
	e.clock.Advance(3 * 24 * time.Hour)
	if raw := check("the review's day come (the revisit badge)"); !strings.Contains(raw, `"kind":"revisit"`) {
		t.Errorf("no revisit badge once the review's day came: %s", raw)
	}
}
