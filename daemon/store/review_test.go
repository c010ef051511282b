package store

import (
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/tactful/tactful/protocol"
)

func seeAda(t *testing.T, db *DB, slugs ...string) {
	t.Helper()
	if len(slugs) == 0 {
		slugs = []string{"ada-x"}
	}
	for _, s := range slugs {
		see(t, db, Sighting{Slug: s, Name: "Ada " + s})
	}
}

func events(t *testing.T, db *DB, slug string) []protocol.Event {
	t.Helper()
	ev, _, err := db.History(HistoryQuery{Slug: slug, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestSaveReviewStatusFollowsDecision(t *testing.T) {
	tests := []struct {
		from     protocol.Status
		decision protocol.Decision
		want     protocol.Status
	}{
		{"", protocol.DecisionKeep, protocol.StatusKeep},
		{protocol.StatusReviewing, protocol.DecisionRemoveNow, protocol.StatusRemovalPlanned},
		{"", protocol.DecisionRemoveOn, protocol.StatusRemovalPlanned},
		{protocol.StatusKeep, protocol.DecisionRevisit, protocol.StatusReviewing},
		{protocol.StatusReviewing, protocol.DecisionUnfollow, protocol.StatusReviewing},
		// removed and unfollowed record what happened: a decision never hides it.
		{protocol.StatusRemoved, protocol.DecisionKeep, protocol.StatusRemoved},
		{protocol.StatusUnfollowed, protocol.DecisionRemoveOn, protocol.StatusUnfollowed},
	}
	for _, tt := range tests {
		t.Run(string(tt.from)+"+"+string(tt.decision), func(t *testing.T) {
			db, _, _ := openTemp(t)
			seeAda(t, db)
			if tt.from != "" {
				if _, err := db.SetTags("ada-x", nil, &tt.from); err != nil {
					t.Fatal(err)
				}
			}
			rev := protocol.Review{Decision: tt.decision}
			if tt.decision.Dated() {
				rev.On = "2026-12-24"
			}
			c, err := db.SaveReview("ada-x", rev, nil)
			if err != nil {
				t.Fatal(err)
			}
			if c.Status != tt.want {
				t.Errorf("status %q, want %q", c.Status, tt.want)
			}
			ev := events(t, db, "ada-x")[0]
			if ev.Kind != protocol.EventReviewed || ev.Decision != tt.decision || ev.On != rev.On {
				t.Errorf("event %+v", ev)
			}
			if (ev.Status != "") != (tt.want != tt.from) {
				t.Errorf("event status %q for a change from %q to %q", ev.Status, tt.from, tt.want)
			}
		})
	}
}

func TestSaveReview(t *testing.T) {
	db, clk, path := openTemp(t)
	seeAda(t, db)
	tags := []string{"Interests drifted", "inactive"}
	rev := protocol.Review{Decision: protocol.DecisionRemoveOn, On: "2027-01-12", Why: "We drifted apart.", Assessment: "Kind.",
		Message: protocol.MessageWrite, Draft: "Hi Ada,\nall the best."}
	clk.Advance(time.Hour)
	c, err := db.SaveReview("ada-x", rev, &tags)
	if err != nil {
		t.Fatal(err)
	}
	want := rev
	want.At = clk.Now()
	if c.Review == nil || *c.Review != want {
		t.Fatalf("review %+v, want %+v", c.Review, want)
	}
	if !slices.Equal(c.Tags, []string{"interests-drifted", "inactive"}) {
		t.Errorf("tags %q", c.Tags)
	}
	if got, _ := db.Tags(); !slices.Equal(got, []string{"inactive", "interests-drifted"}) {
		t.Errorf("tags in use %q", got)
	}
	ev := events(t, db, "ada-x")
	if len(ev) != 2 {
		t.Fatalf("%d events; one reviewed event after first_seen expected", len(ev))
	}
	if e := ev[0]; e.Summary != "Reviewed: remove on 12 Jan 2027" || e.Text != "We drifted apart." ||
		!slices.Equal(e.Tags, c.Tags) || e.Status != protocol.StatusRemovalPlanned {
		t.Errorf("event %+v", e)
	}
	// Without tags the tags stay; the review is replaced, history keeps both.
	c, err = db.SaveReview("ada-x", protocol.Review{Decision: protocol.DecisionKeep}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Review.Decision != protocol.DecisionKeep || c.Review.Why != "" || len(c.Tags) != 2 || c.Status != protocol.StatusKeep {
		t.Errorf("second review: %+v", c)
	}
	if n := len(events(t, db, "ada-x")); n != 3 {
		t.Errorf("%d events after two reviews", n)
	}
	// What the index answers is what the file holds.
	mem, _ := db.Contact("ada-x")
	db.Close()
	db = openAt(t, path, clk)
	disk, _ := db.Contact("ada-x")
	if !reflect.DeepEqual(mem, disk) {
		t.Errorf("index %+v\nfile  %+v", mem, disk)
	}
}

func TestSaveReviewRefuses(t *testing.T) {
	db, _, _ := openTemp(t) // 29 Nov 2026
	seeAda(t, db)
	before := events(t, db, "ada-x")
	for _, c := range []struct {
		name string
		slug string
		rev  protocol.Review
		code protocol.Code
	}{
		{"a day that has passed", "ada-x", protocol.Review{Decision: protocol.DecisionRevisit, On: "2026-11-28"}, protocol.CodeInvalidField},
		{"no day for remove_on", "ada-x", protocol.Review{Decision: protocol.DecisionRemoveOn}, protocol.CodeMissingField},
		{"an unknown decision", "ada-x", protocol.Review{Decision: "ghost"}, protocol.CodeInvalidField},
		{"a why of two lines", "ada-x", protocol.Review{Decision: protocol.DecisionKeep, Why: "a\nb"}, protocol.CodeInvalidField},
		{"nobody stored", "bob-y", protocol.Review{Decision: protocol.DecisionKeep}, protocol.CodeNotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := db.SaveReview(c.slug, c.rev, nil)
			wantCode(t, err, c.code)
		})
	}
	if _, err := db.SaveReview("ada-x", protocol.Review{Decision: protocol.DecisionRevisit, On: "2026-11-29"}, nil); err != nil {
		t.Errorf("today refused: %v", err)
	}
	if n := len(events(t, db, "ada-x")); n != len(before)+1 {
		t.Errorf("refused reviews left events: %d", n)
	}
}

func TestApplyRemovalPlan(t *testing.T) {
	db, _, _ := openTemp(t)
	seeAda(t, db, "ada-x", "bob-y", "cy-z")
	if _, err := db.SaveReview("ada-x", protocol.Review{Decision: protocol.DecisionRemoveNow, Why: "Rude in threads."}, nil); err != nil {
		t.Fatal(err)
	}
	// One unknown slug refuses the whole plan.
	_, err := db.ApplyRemovalPlan([]protocol.Scheduled{{Slug: "ada-x", On: "2026-12-01"}, {Slug: "nobody-here", On: "2026-12-08"}})
	wantCode(t, err, protocol.CodeNotFound)
	_, err = db.ApplyRemovalPlan([]protocol.Scheduled{{Slug: "ada-x", On: "2026-12-01"}, {Slug: "bob-y", On: "2026-11-01"}})
	wantCode(t, err, protocol.CodeInvalidField)
	if c, _ := db.Contact("ada-x"); c.Review.Decision != protocol.DecisionRemoveNow {
		t.Fatalf("a refused plan changed ada: %+v", c.Review)
	}

	plan := []protocol.Scheduled{{Slug: "ada-x", Name: "ignored", On: "2026-12-01"}, {Slug: "bob-y", On: "2026-12-08"}}
	changed, err := db.ApplyRemovalPlan(plan)
	if err != nil {
		t.Fatal(err)
	}
	if len(changed) != 2 {
		t.Fatalf("changed %d", len(changed))
	}
	ada, _ := db.Contact("ada-x")
	if ada.Review.Decision != protocol.DecisionRemoveOn || ada.Review.On != "2026-12-01" || ada.Review.Why != "Rude in threads." ||
		ada.Status != protocol.StatusRemovalPlanned || ada.Name != "Ada ada-x" {
		t.Errorf("ada %+v, review %+v", ada, ada.Review)
	}
	bob, _ := db.Contact("bob-y")
	if bob.Review.On != "2026-12-08" || bob.Status != protocol.StatusRemovalPlanned {
		t.Errorf("bob %+v", bob)
	}
	if e := events(t, db, "bob-y")[0]; e.Kind != protocol.EventReviewed || e.On != "2026-12-08" || e.Decision != protocol.DecisionRemoveOn {
		t.Errorf("bob's event %+v", e)
	}
	// Applying it again changes nothing and adds no event.
	n := len(events(t, db, "ada-x"))
	if changed, err := db.ApplyRemovalPlan(plan); err != nil || len(changed) != 0 {
		t.Errorf("second apply: %d changed, %v", len(changed), err)
	}
	if len(events(t, db, "ada-x")) != n {
		t.Error("second apply added events")
	}
	big := make([]protocol.Scheduled, protocol.MaxPlanSize+1)
	_, err = db.ApplyRemovalPlan(big)
	wantCode(t, err, protocol.CodeBatchTooLarge)
}

// Someone removed who appears on the connections page again is connected
// again: the status goes, the review and the history stay.
func TestSeenAgainAfterRemoval(t *testing.T) {
	db, clk, _ := openTemp(t)
	seeAda(t, db)
	if _, err := db.SaveReview("ada-x", protocol.Review{Decision: protocol.DecisionRemoveNow}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecordOutcome("ada-x", protocol.OutcomeRemoved); err != nil {
		t.Fatal(err)
	}
	// Still listed right after the removal, and the next morning: LinkedIn's
	// list lags; that is no reconnection.
	for _, later := range []time.Duration{time.Minute, 11 * time.Hour} {
		clk.Advance(later)
		if out := see(t, db, Sighting{Slug: "ada-x", Name: "Ada ada-x"}); out[0].Status != protocol.StatusRemoved {
			t.Fatalf("listed %v after the removal: status %q", later, out[0].Status)
		}
	}
	// Listed a day later: connected again.
	clk.Advance(24 * time.Hour)
	out := see(t, db, Sighting{Slug: "ada-x", Name: "Ada ada-x"})
	if out[0].Status != protocol.StatusNone || out[0].Review == nil {
		t.Fatalf("seen again: status %q, review %+v", out[0].Status, out[0].Review)
	}
	ev := events(t, db, "ada-x")
	if ev[0].Kind != protocol.EventReconnected || ev[0].Summary != "Seen connected again after the removal" {
		t.Fatalf("newest event %+v", ev[0])
	}
	if c, _ := db.Contact("ada-x"); c.Status != protocol.StatusNone {
		t.Errorf("stored status %q", c.Status)
	}
	// Seen again later: no second reconnection.
	clk.Advance(48 * time.Hour)
	see(t, db, Sighting{Slug: "ada-x", Name: "Ada ada-x"})
	n := 0
	for _, e := range events(t, db, "ada-x") {
		if e.Kind == protocol.EventReconnected {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d reconnected events", n)
	}
	// A contact that was not removed records nothing of the kind.
	seeAda(t, db, "bob-y")
	see(t, db, Sighting{Slug: "bob-y", Name: "Bob"})
	for _, e := range events(t, db, "bob-y") {
		if e.Kind == protocol.EventReconnected {
			t.Errorf("bob reconnected: %+v", e)
		}
	}
}

// Decisions and their days travel in the export and come back on import.
func TestReviewSurvivesDumpAndLoad(t *testing.T) {
	src, clk, _ := openTemp(t)
	seeAda(t, src, "ada-x", "bob-y")
	if _, err := src.SaveReview("ada-x", protocol.Review{Decision: protocol.DecisionRevisit, On: "2027-02-01", Why: "Quiet.",
		Assessment: "Fine.", Message: protocol.MessageSilent, Draft: "Hi"}, nil); err != nil {
		t.Fatal(err)
	}
	want, err := src.Dump()
	if err != nil {
		t.Fatal(err)
	}
	dst := openAt(t, filepath.Join(t.TempDir(), "copy.db"), clk)
	if _, _, err := dst.Load(want); err != nil {
		t.Fatal(err)
	}
	got, err := dst.Dump()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Contacts, want.Contacts) || !reflect.DeepEqual(got.Events, want.Events) {
		t.Fatalf("after Load:\n%+v\nwant\n%+v", got, want)
	}
	ada, _ := dst.Contact("ada-x")
	if ada.Review == nil || ada.Review.On != "2027-02-01" || ada.Review.Draft != "Hi" {
		t.Errorf("review after load: %+v", ada.Review)
	}
	last := got.Events[len(got.Events)-1]
	if last.Kind != protocol.EventReviewed || last.Decision != protocol.DecisionRevisit || last.On != "2027-02-01" {
		t.Errorf("reviewed event after load: %+v", last)
	}
}

func TestEventsSince(t *testing.T) {
	db, clk, _ := openTemp(t)
	seeAda(t, db)
	since := clk.Now().Add(time.Hour)
	clk.Advance(2 * time.Hour)
	if _, err := db.SaveReview("ada-x", protocol.Review{Decision: protocol.DecisionKeep}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecordOutcome("ada-x", protocol.OutcomeKept); err != nil {
		t.Fatal(err)
	}
	var kinds []protocol.EventKind
	err := db.EventsSince(since, []protocol.EventKind{protocol.EventReviewed, protocol.EventFirstSeen}, func(e protocol.Event) error {
		kinds = append(kinds, e.Kind)
		return nil
	})
	if err != nil || !slices.Equal(kinds, []protocol.EventKind{protocol.EventReviewed}) {
		t.Errorf("EventsSince: %v, %v", kinds, err)
	}
	var all int
	_ = db.EventsSince(time.Time{}, nil, func(protocol.Event) error { all++; return nil })
	if all != 3 {
		t.Errorf("every event since the start: %d", all)
	}
}

func TestForEachContact(t *testing.T) {
	db, clk, path := openTemp(t)
	seeAda(t, db, "ada-x", "bob-y")
	count := func(db *DB) []string {
		var slugs []string
		if err := db.ForEachContact(func(c protocol.Contact) error { slugs = append(slugs, c.Slug); return nil }); err != nil {
			t.Fatal(err)
		}
		slices.Sort(slugs)
		return slugs
	}
	if got := count(db); !slices.Equal(got, []string{"ada-x", "bob-y"}) {
		t.Errorf("from memory: %q", got)
	}
	db.Close()
	ro, err := Open(path, Options{Now: clk.Now, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if got := count(ro); !slices.Equal(got, []string{"ada-x", "bob-y"}) {
		t.Errorf("from the file: %q", got)
	}
}
