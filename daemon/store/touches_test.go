package store

import (
	"fmt"
	"testing"
	"time"

	"github.com/tactful/tactful/protocol"
)

// TestTouchesAreWrittenBehindTheReply: a sighting that changes no badge
// (the next day's last seen, a new headline) is answered from memory and
// written behind; whoever reads or writes the contact afterwards finds it
// written, in the order the sightings came, and a Close writes what is
// still queued.
func TestTouchesAreWrittenBehindTheReply(t *testing.T) {
	db, clk, path := openTemp(t)
	see(t, db, Sighting{Slug: "ada-x", Name: "Ada", Headline: "Engineer"}, Sighting{Slug: "bob-y", Name: "Bob"})

	clk.Advance(24 * time.Hour)
	seen, err := db.SeeInputs([]Sighting{{Slug: "ada-x", Name: "Ada", Headline: "CTO", ConnectedText: "Connected 2 years ago"}})
	if err != nil {
		t.Fatal(err)
	}
	if seen[0].Input.Name != "Ada" || seen[0].Input.Slug != "ada-x" {
		t.Fatalf("SeeInputs answered %+v", seen[0].Input)
	}
	c, err := db.Contact("ada-x")
	if err != nil {
		t.Fatal(err)
	}
	if c.Headline != "CTO" || c.ConnectedText != "Connected 2 years ago" || !c.LastSeen.Equal(clk.Now()) {
		t.Errorf("after a touch the contact reads %+v", c)
	}
	checkIndexMatchesDisk(t, db)

	// A touch, then a sighting that changes a badge (the name): the later
	// headline stays.
	clk.Advance(24 * time.Hour)
	if _, err := db.SeeInputs([]Sighting{{Slug: "bob-y", Name: "Bob", Headline: "first"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SeeInputs([]Sighting{{Slug: "bob-y", Name: "Robert", Headline: "second"}}); err != nil {
		t.Fatal(err)
	}
	if c, _ := db.Contact("bob-y"); c.Headline != "second" || c.Name != "Robert" {
		t.Errorf("an older touch overtook a later write: %+v", c)
	}
	// A touch, then a note: the note's write keeps the touch.
	clk.Advance(24 * time.Hour)
	if _, err := db.SeeInputs([]Sighting{{Slug: "bob-y", Name: "Robert", Headline: "third"}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.AddNote("bob-y", "n1", "hello"); err != nil {
		t.Fatal(err)
	}
	if c, _ := db.Contact("bob-y"); c.Headline != "third" || len(c.Notes) != 1 {
		t.Errorf("the note's write lost the touch: %+v", c)
	}
	checkIndexMatchesDisk(t, db)

	// Still queued at Close: written.
	clk.Advance(24 * time.Hour)
	if _, err := db.SeeInputs([]Sighting{{Slug: "ada-x", Name: "Ada", Headline: "Retired"}}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	again := openAt(t, path, clk)
	if c, _ := again.Contact("ada-x"); c.Headline != "Retired" || !c.LastSeen.Equal(clk.Now()) {
		t.Errorf("after Close the contact reads %+v", c)
	}
}

// TestSeeInputsWritesWhatBadgesRead: a sighting that changes what a badge
// reads (a new contact, a name, a connection date) is written before
// SeeInputs answers, and the answer says what was written.
func TestSeeInputsWritesWhatBadgesRead(t *testing.T) {
	db, _, _ := openTemp(t)
	seen, err := db.SeeInputs([]Sighting{{Slug: "ada-x", Name: "Ada"}})
	if err != nil || seen[0].Version == 0 || seen[0].Input.FirstSeen.IsZero() {
		t.Fatalf("a first sighting answered %+v, %v", seen, err)
	}
	seen, err = db.SeeInputs([]Sighting{{Slug: "ada-x", Name: "Ada", ConnectedText: "Connected on June 29, 2024",
		ConnectedOn: "2024-06-29", ConnectedSource: protocol.DateFromPageAbsolute}})
	if err != nil || seen[0].Input.ConnectedOn != "2024-06-29" {
		t.Fatalf("a new date answered %+v, %v", seen, err)
	}
	db.idx.mu.RLock()
	e := db.idx.contacts["ada-x"]
	db.idx.mu.RUnlock()
	if e.text(endConnectedOn) != "2024-06-29" || e.version != seen[0].Version {
		t.Errorf("the index holds %+v after the answer %+v", e, seen[0])
	}
	checkIndexMatchesDisk(t, db)
}

// TestManyTouchesAreAllWritten: the first scroll of a day touches far more
// contacts than one transaction takes (maxTouchesPerWrite); they are
// written in several transactions, and none is lost or written twice.
func TestManyTouchesAreAllWritten(t *testing.T) {
	db, clk, _ := openTemp(t)
	const n = 2*maxTouchesPerWrite + 345
	rows := make([]Sighting, n)
	for i := range rows {
		rows[i] = Sighting{Slug: fmt.Sprintf("person-%05d", i), Name: fmt.Sprintf("Person %d", i), Headline: "before"}
	}
	for i := 0; i < n; i += 500 {
		see(t, db, rows[i:min(i+500, n)]...)
	}
	clk.Advance(24 * time.Hour)
	for i := range rows {
		rows[i].Headline = "after"
	}
	for i := 0; i < n; i += 500 {
		if _, err := db.SeeInputs(rows[i:min(i+500, n)]); err != nil {
			t.Fatal(err)
		}
	}
	db.flushTouches()
	for _, r := range rows {
		c, err := db.Contact(r.Slug)
		if err != nil {
			t.Fatal(err)
		}
		if c.Headline != "after" || !c.LastSeen.Equal(clk.Now()) {
			t.Fatalf("%s after the day's first scroll: headline %q, last seen %v", r.Slug, c.Headline, c.LastSeen)
		}
	}
	checkIndexMatchesDisk(t, db)
}
