package annotate

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tactful/tactful/protocol"
)

func testRules() Rules {
	r := Default()
	r.Now = func() time.Time { return testNow }
	return r
}

func ptr[T any](v T) *T { return &v }

func note(text string, created time.Time) protocol.Note {
	return protocol.Note{ID: "n-" + created.Format("0102"), Text: text, Created: created, Updated: created}
}

// The people of these tests, as of Sunday 29 Nov 2026.
var (
	// Ada connected two weeks ago, by the page's "Connected 2 weeks ago".
	recentAda = protocol.Contact{
		Slug: "ada-lovelace-1815", Name: "Ada Lovelace",
		ConnectedOn: "2026-11-15", ConnectedSource: protocol.DateFromPageRelative,
		FirstSeen: at(2026, time.November, 15, 9, 0),
		Tags:      []string{"inactive"}, Status: protocol.StatusReviewing,
		Notes: []protocol.Note{note("Met at the Analytical Engine meetup. Posts rarely now.", at(2026, time.November, 16, 18, 0))},
	}
	// Grace and the user disagreed on 15 Nov; the cool-down runs to 1 Dec.
	coolingGrace = protocol.Contact{
		Slug: "grace-hopper", Name: "Grace Hopper",
		ConnectedOn: "2019-03-05", ConnectedSource: protocol.DateFromImport,
		FirstSeen: at(2026, time.January, 4, 9, 0),
		Tags:      []string{}, FalloutAt: ptr(at(2026, time.November, 15, 21, 0)), CooldownUntil: "2026-12-01",
	}
	// Alan got a note two days ago.
	notedAlan = protocol.Contact{
		Slug: "alan-turing", Name: "Dr. Alan Turing",
		ConnectedOn: "2018-07-07", ConnectedSource: protocol.DateFromPageAbsolute,
		FirstSeen: at(2026, time.January, 4, 9, 0),
		Notes: []protocol.Note{
			note("Great talk on computable numbers.", at(2025, time.May, 2, 12, 0)),
			note("Shared a post mocking my team's launch. Not okay.", at(2026, time.November, 27, 22, 15)),
		},
	}
	// Edsger is an old connection the user never wrote anything about.
	blankEdsger = protocol.Contact{
		Slug: "edsger-dijkstra", Name: "Edsger Dijkstra",
		ConnectedOn: "2014-08-08", ConnectedSource: protocol.DateFromImport,
		FirstSeen: at(2026, time.January, 4, 9, 0),
	}
	// Barbara is an old, quiet connection with reasons on record.
	quietBarbara = protocol.Contact{
		Slug: "barbara-liskov", Name: "Barbara Liskov",
		ConnectedOn: "2017-01-02", ConnectedSource: protocol.DateFromImport,
		FirstSeen: at(2026, time.January, 4, 9, 0),
		Tags:      []string{"interests-drifted", "inactive"}, Status: protocol.StatusRemovalPlanned,
		Notes: []protocol.Note{
			note("First note.", at(2024, time.March, 1, 12, 0)),
			note("Second note.", at(2024, time.June, 1, 12, 0)),
			note("Third note.", at(2025, time.January, 1, 12, 0)),
			note("Fourth note: we have not spoken since the 2019 conference.", at(2025, time.September, 1, 12, 0)),
		},
	}
)

func TestAnnotate(t *testing.T) {
	tests := []struct {
		name    string
		contact protocol.Contact
		visits  protocol.Visits
		want    protocol.Annotation
	}{
		{
			name:    "recently connected",
			contact: recentAda,
			want: protocol.Annotation{
				Slug: "ada-lovelace-1815", Name: "Ada Lovelace", Status: protocol.StatusReviewing,
				Tags: []string{"inactive"}, NoteCount: 1, ConnectedOn: "2026-11-15",
				Badges: []protocol.Badge{
					{Kind: protocol.BadgeRecent, Label: "Recently connected", Detail: "Connected about 2 weeks ago (around 15 Nov 2026)."},
					{Kind: protocol.BadgeStatus, Label: "Reviewing", Detail: "You are reviewing this connection."},
					{Kind: protocol.BadgeTag, Label: "inactive", Detail: "You tagged Ada Lovelace as inactive."},
					{Kind: protocol.BadgeNote, Label: "1 note", Detail: "Latest: Met at the Analytical Engine meetup. Posts rarely now."},
				},
			},
		},
		{
			name:    "in cool-down",
			contact: coolingGrace,
			want: protocol.Annotation{
				Slug: "grace-hopper", Name: "Grace Hopper", Tags: []string{}, ConnectedOn: "2019-03-05",
				CooldownUntil: "2026-12-01",
				Badges: []protocol.Badge{
					{Kind: protocol.BadgeCooldown, Label: "Cool-down", Detail: "You marked a disagreement on 15 Nov 2026; cool-down until 1 Dec 2026."},
				},
			},
		},
		{
			name:    "fresh note, newest note first",
			contact: notedAlan,
			want: protocol.Annotation{
				Slug: "alan-turing", Name: "Dr. Alan Turing", Tags: []string{}, NoteCount: 2, ConnectedOn: "2018-07-07",
				Badges: []protocol.Badge{
					{Kind: protocol.BadgeNote, Label: "2 notes", Detail: "Latest: Shared a post mocking my team's launch. Not okay."},
				},
			},
		},
		{
			name:    "nothing recorded",
			contact: blankEdsger,
			want: protocol.Annotation{
				Slug: "edsger-dijkstra", Name: "Edsger Dijkstra", Tags: []string{}, ConnectedOn: "2014-08-08",
				Badges: []protocol.Badge{},
			},
		},
		{
			name:    "first seen today on the first visit is not new",
			contact: protocol.Contact{Slug: "jose-garcia", Name: "José García", FirstSeen: at(2026, time.November, 29, 8, 0)},
			visits:  protocol.Visits{Current: at(2026, time.November, 29, 8, 0), Last: at(2026, time.November, 29, 8, 0)},
			want:    protocol.Annotation{Slug: "jose-garcia", Name: "José García", Tags: []string{}, Badges: []protocol.Badge{}},
		},
		{
			name:    "appeared since the previous visit",
			contact: protocol.Contact{Slug: "jose-garcia", Name: "José García", FirstSeen: at(2026, time.November, 29, 8, 5)},
			visits:  sinceFriday,
			want: protocol.Annotation{
				Slug: "jose-garcia", Name: "José García", Tags: []string{},
				Badges: []protocol.Badge{{Kind: protocol.BadgeNew, Label: "New", Detail: "New since your last visit (27 Nov 2026)."}},
			},
		},
		{
			name: "everything at once, in order",
			contact: protocol.Contact{
				Slug: "katherine-johnson", Name: "Katherine Johnson",
				ConnectedOn: "2026-11-20", ConnectedSource: protocol.DateFromPageAbsolute,
				FirstSeen: at(2026, time.November, 29, 8, 0), Tags: []string{"reputation"}, Status: protocol.StatusKeep,
				FalloutAt: ptr(at(2026, time.November, 25, 8, 0)), CooldownUntil: "2026-12-09",
				Notes: []protocol.Note{note("Argued about orbital mechanics.", at(2026, time.November, 25, 8, 0))},
			},
			visits: protocol.Visits{PreviousEnd: at(2026, time.November, 19, 21, 0), Current: at(2026, time.November, 29, 7, 55), Last: at(2026, time.November, 29, 8, 0)},
			want: protocol.Annotation{
				Slug: "katherine-johnson", Name: "Katherine Johnson", Status: protocol.StatusKeep,
				Tags: []string{"reputation"}, NoteCount: 1, ConnectedOn: "2026-11-20", CooldownUntil: "2026-12-09",
				Badges: []protocol.Badge{
					{Kind: protocol.BadgeCooldown, Label: "Cool-down", Detail: "You marked a disagreement on 25 Nov 2026; cool-down until 9 Dec 2026."},
					{Kind: protocol.BadgeRecent, Label: "Recently connected", Detail: "Connected 9 days ago (20 Nov 2026)."},
					{Kind: protocol.BadgeNew, Label: "New", Detail: "New since your last visit (19 Nov 2026)."},
					{Kind: protocol.BadgeStatus, Label: "Keep", Detail: "You decided to keep this connection."},
					{Kind: protocol.BadgeTag, Label: "reputation", Detail: "You tagged Katherine Johnson as reputation."},
					{Kind: protocol.BadgeNote, Label: "1 note", Detail: "Latest: Argued about orbital mechanics."},
				},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := testRules().Annotate(tc.contact, tc.visits)
			if !reflect.DeepEqual(got, tc.want) {
				g, _ := json.MarshalIndent(got, "", " ")
				w, _ := json.MarshalIndent(tc.want, "", " ")
				t.Fatalf("Annotate:\n got %s\nwant %s", g, w)
			}
		})
	}
}

func TestAnnotateBoundaries(t *testing.T) {
	has := func(a protocol.Annotation, k protocol.BadgeKind) bool {
		for _, b := range a.Badges {
			if b.Kind == k {
				return true
			}
		}
		return false
	}
	tests := []struct {
		name    string
		contact protocol.Contact
		kind    protocol.BadgeKind
		want    bool
	}{
		{name: "connected exactly 90 days ago is recent", contact: protocol.Contact{ConnectedOn: "2026-08-31"}, kind: protocol.BadgeRecent, want: true},
		{name: "connected 91 days ago is not", contact: protocol.Contact{ConnectedOn: "2026-08-30"}, kind: protocol.BadgeRecent},
		{name: "connected today is recent", contact: protocol.Contact{ConnectedOn: "2026-11-29"}, kind: protocol.BadgeRecent, want: true},
		{name: "a future connection date is a bad record", contact: protocol.Contact{ConnectedOn: "2026-12-10"}, kind: protocol.BadgeRecent},
		{name: "a broken connection date is ignored", contact: protocol.Contact{ConnectedOn: "15/11/2026"}, kind: protocol.BadgeRecent},
		{name: "cool-down ending today no longer holds", contact: protocol.Contact{CooldownUntil: "2026-11-29"}, kind: protocol.BadgeCooldown},
		{name: "cool-down ending tomorrow still holds", contact: protocol.Contact{CooldownUntil: "2026-11-30"}, kind: protocol.BadgeCooldown, want: true},
		{name: "a broken cool-down is ignored", contact: protocol.Contact{CooldownUntil: "soon"}, kind: protocol.BadgeCooldown},
		{name: "an unknown status has no badge", contact: protocol.Contact{Status: "furious"}, kind: protocol.BadgeStatus},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := testRules().Annotate(tc.contact, protocol.Visits{})
			if got := has(a, tc.kind); got != tc.want {
				t.Fatalf("%s badge = %v, want %v; badges %+v", tc.kind, got, tc.want, a.Badges)
			}
			if got := a.CooldownUntil != ""; tc.kind == protocol.BadgeCooldown && got != tc.want {
				t.Fatalf("CooldownUntil = %q; it must be set only while the cool-down runs", a.CooldownUntil)
			}
		})
	}
}

func TestAnnotateNeverNil(t *testing.T) {
	b, err := json.Marshal(testRules().Annotate(protocol.Contact{Slug: "nobody-here", Name: "Nobody"}, protocol.Visits{}))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"tags":[]`, `"badges":[]`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("annotation %s lacks %s: the extension iterates these lists", b, want)
		}
	}
}

func TestNoteExcerpt(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{name: "short stays whole", text: "Met at a meetup.", want: "Met at a meetup."},
		{name: "line breaks fold", text: "Met at a meetup.\n\nNice person.", want: "Met at a meetup. Nice person."},
		{
			name: "long cuts at a word",
			text: "We worked together at the 2019 conference and stayed in touch for a while, but lately every post is a sales pitch.",
			want: "We worked together at the 2019 conference and stayed in touch for a while, but…",
		},
		{name: "one endless word is cut anyway", text: strings.Repeat("ab", 60), want: strings.Repeat("ab", 39) + "a…"},
		{name: "exactly 80 fits", text: strings.Repeat("x", 80), want: strings.Repeat("x", 80)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := protocol.Contact{Name: "N", Notes: []protocol.Note{note(tc.text, at(2025, time.January, 1, 0, 0))}}
			a := testRules().Annotate(c, protocol.Visits{})
			got := strings.TrimPrefix(a.Badges[len(a.Badges)-1].Detail, "Latest: ")
			if got != tc.want {
				t.Fatalf("excerpt = %q, want %q", got, tc.want)
			}
			if n := utf8.RuneCountInString(got); n > 80 {
				t.Fatalf("excerpt has %d characters, more than 80", n)
			}
		})
	}
}

func TestCooldownUntil(t *testing.T) {
	tests := []struct {
		name  string
		rules Rules
		days  int
		want  string
	}{
		{name: "default days", rules: testRules(), days: 0, want: "2026-12-13"},
		{name: "chosen days", rules: testRules(), days: 3, want: "2026-12-02"},
		{name: "across a year", rules: testRules(), days: 40, want: "2027-01-08"},
		{name: "a zero Rules uses the defaults", rules: Rules{Now: func() time.Time { return testNow }}, want: "2026-12-13"},
		{
			name: "local day, not UTC",
			// 20:00 UTC on the 28th is the 29th at UTC+5:30.
			rules: Rules{CooldownDays: 1, Now: func() time.Time { return time.Date(2026, time.November, 28, 20, 0, 0, 0, time.UTC) }},
			want:  "2026-11-30",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.rules.CooldownUntil(tc.days); got != tc.want {
				t.Fatalf("CooldownUntil(%d) = %q, want %q", tc.days, got, tc.want)
			}
		})
	}
}

func TestCooldownRoundTrip(t *testing.T) {
	// A cool-down marked today holds today and on its last day, and is over
	// on the day CooldownUntil names.
	r := testRules()
	c := protocol.Contact{FalloutAt: ptr(testNow), CooldownUntil: r.CooldownUntil(2)}
	for _, tc := range []struct {
		name string
		now  time.Time
		want bool
	}{
		{name: "day of the fallout", now: testNow, want: true},
		{name: "last day", now: testNow.AddDate(0, 0, 1), want: true},
		{name: "over", now: testNow.AddDate(0, 0, 2), want: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r.Now = func() time.Time { return tc.now }
			if got := r.Annotate(c, protocol.Visits{}).CooldownUntil != ""; got != tc.want {
				t.Fatalf("cool-down running = %v, want %v", got, tc.want)
			}
		})
	}
}
