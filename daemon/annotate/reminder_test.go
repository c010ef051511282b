package annotate

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tactful/tactful/protocol"
)

func TestReminder(t *testing.T) {
	tests := []struct {
		name     string
		contact  protocol.Contact
		advice   string
		timing   []string // kinds, strongest first
		headline string
		prompt   bool
		notes    []string
		greeting string // every draft starts with it
	}{
		{
			name:     "recently connected",
			contact:  recentAda,
			advice:   "wait",
			timing:   []string{"recent"},
			headline: "You connected with Ada Lovelace only about 2 weeks ago; removing now may read as a snub.",
			notes:    []string{"Met at the Analytical Engine meetup. Posts rarely now."},
			greeting: "Hi Ada, ",
		},
		{
			name:     "in cool-down",
			contact:  coolingGrace,
			advice:   "wait",
			timing:   []string{"cooldown"},
			headline: "You are still cooling down after a disagreement with Grace Hopper; wait until 1 Dec 2026 before you decide.",
			prompt:   true,
			notes:    []string{},
			greeting: "Hi Grace, ",
		},
		{
			name:     "fresh note",
			contact:  notedAlan,
			advice:   "wait",
			timing:   []string{"recent_note"},
			headline: "You wrote about Dr. Alan Turing 2 days ago; sleep on it before you remove them.",
			notes:    []string{"Shared a post mocking my team's launch. Not okay.", "Great talk on computable numbers."},
			greeting: "Hi Alan, ",
		},
		{
			name:     "nothing recorded",
			contact:  blankEdsger,
			advice:   "consider",
			timing:   []string{},
			headline: "Before you remove Edsger Dijkstra: unfollowing may be enough.",
			prompt:   true,
			notes:    []string{},
			greeting: "Hi Edsger, ",
		},
		{
			name:     "old and quiet, three newest notes",
			contact:  quietBarbara,
			advice:   "consider",
			timing:   []string{},
			headline: "Before you remove Barbara Liskov: unfollowing may be enough.",
			notes:    []string{"Fourth note: we have not spoken since the 2019 conference.", "Third note.", "Second note."},
			greeting: "Hi Barbara, ",
		},
		{
			name: "every timing reason, cool-down named first",
			contact: protocol.Contact{
				Slug: "katherine-johnson", Name: "Katherine Johnson",
				ConnectedOn: "2026-11-20", ConnectedSource: protocol.DateFromPageAbsolute,
				FalloutAt: ptr(at(2026, time.November, 25, 8, 0)), CooldownUntil: "2026-12-09",
				Notes: []protocol.Note{note("Argued about orbital mechanics.", at(2026, time.November, 25, 8, 0))},
			},
			advice:   "wait",
			timing:   []string{"cooldown", "recent", "recent_note"},
			headline: "You are still cooling down after a disagreement with Katherine Johnson; wait until 9 Dec 2026 before you decide.",
			notes:    []string{"Argued about orbital mechanics."},
			greeting: "Hi Katherine, ",
		},
		{
			name:     "already unfollowed",
			contact:  protocol.Contact{Slug: "ken-thompson", Name: "Ken Thompson", Status: protocol.StatusUnfollowed, ConnectedOn: "2015-01-01"},
			advice:   "consider",
			timing:   []string{},
			headline: "You already unfollowed Ken Thompson; remove them only if that is not enough.",
			notes:    []string{},
			greeting: "Hi Ken, ",
		},
		{
			name:     "no name",
			contact:  protocol.Contact{Slug: "someone-123"},
			advice:   "consider",
			timing:   []string{},
			headline: "Before you remove this person: unfollowing may be enough.",
			prompt:   true,
			notes:    []string{},
			greeting: "Hi there, ",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rem := testRules().Reminder(tc.contact)
			if rem.Advice != tc.advice {
				t.Errorf("advice = %q, want %q", rem.Advice, tc.advice)
			}
			var kinds []string
			for _, p := range rem.Timing {
				kinds = append(kinds, p.Kind)
			}
			if kinds == nil {
				kinds = []string{}
			}
			if !reflect.DeepEqual(kinds, tc.timing) {
				t.Errorf("timing = %v, want %v", kinds, tc.timing)
			}
			if rem.Headline != tc.headline {
				t.Errorf("headline = %q\n want %q", rem.Headline, tc.headline)
			}
			if got := rem.Reasons.Prompt != ""; got != tc.prompt {
				t.Errorf("prompt = %q, want one: %v", rem.Reasons.Prompt, tc.prompt)
			}
			if !reflect.DeepEqual(rem.Reasons.Notes, tc.notes) {
				t.Errorf("reason notes = %q, want %q", rem.Reasons.Notes, tc.notes)
			}
			if !reflect.DeepEqual(rem.Reasons.Tags, tagsOf(tc.contact)) || rem.Reasons.Status != tc.contact.Status {
				t.Errorf("reasons = %+v, want the contact's tags and status", rem.Reasons)
			}
			if n := len(rem.Drafts); n < 2 || n > 3 {
				t.Errorf("%d drafts, want two or three", n)
			}
			for _, d := range rem.Drafts {
				if !strings.HasPrefix(d, tc.greeting) || len(d) > 160 {
					t.Errorf("draft %q should greet with %q and stay short", d, tc.greeting)
				}
			}
			checkEveryReminder(t, rem)
		})
	}
}

// checkEveryReminder asserts what every reminder must offer, whatever the
// contact: the gentler way out, the alternatives and the plain facts.
func checkEveryReminder(t *testing.T, rem protocol.Reminder) {
	t.Helper()
	if rem.Unfollow.Kind != "unfollow" || rem.Unfollow.Detail == "" {
		t.Errorf("unfollow = %+v, want the unfollow explanation", rem.Unfollow)
	}
	if rem.Reasons.Status != protocol.StatusUnfollowed {
		for _, want := range []string{"keeps the connection", "Nobody is notified", "follow again", "menu on their profile"} {
			if !strings.Contains(rem.Unfollow.Detail, want) {
				t.Errorf("unfollow detail %q does not say %q", rem.Unfollow.Detail, want)
			}
		}
	}
	var opts []string
	for _, o := range rem.Options {
		opts = append(opts, o.Kind)
		if o.Title == "" || o.Detail == "" {
			t.Errorf("option %+v lacks a title or a sentence", o)
		}
	}
	if !reflect.DeepEqual(opts, []string{"limit", "message", "engage"}) {
		t.Errorf("options = %v, want limit, message, engage", opts)
	}
	for _, want := range []string{"LinkedIn does not notify someone when you remove them.", "After a removal, only you can send a new invitation to reconnect."} {
		found := false
		for _, f := range rem.Facts {
			found = found || f == want
		}
		if !found {
			t.Errorf("facts %q lack %q", rem.Facts, want)
		}
	}
	b, err := json.Marshal(rem)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"%!", "null", "  "} {
		if strings.Contains(string(b), bad) {
			t.Errorf("reminder %s contains %q", b, bad)
		}
	}
}

func TestReminderProfileURL(t *testing.T) {
	tests := []struct{ slug, want string }{
		{"ada-lovelace-1815", "https://www.linkedin.com/in/ada-lovelace-1815/"},
		{"josé-garcía-núñez-4b1a2c3", "https://www.linkedin.com/in/jos%C3%A9-garc%C3%ADa-n%C3%BA%C3%B1ez-4b1a2c3/"},
		// The store only holds canonical slugs, but a slash must never
		// steer the link off the profile.
		{"../../feed", "https://www.linkedin.com/in/..%2F..%2Ffeed/"},
	}
	for _, tc := range tests {
		t.Run(tc.slug, func(t *testing.T) {
			if got := testRules().Reminder(protocol.Contact{Slug: tc.slug, Name: "X"}).ProfileURL; got != tc.want {
				t.Fatalf("ProfileURL = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestReminderRecentNote(t *testing.T) {
	tests := []struct {
		name    string
		note    protocol.Note
		want    bool
		wantDet string
	}{
		{name: "written today", note: note("Ugh.", at(2026, time.November, 29, 9, 0)), want: true,
			wantDet: "You wrote a note today; decisions made in the heat of the moment read badly later."},
		{name: "exactly 7 days ago", note: note("Ugh.", at(2026, time.November, 22, 23, 0)), want: true,
			wantDet: "You wrote a note 7 days ago; decisions made in the heat of the moment read badly later."},
		{name: "8 days ago", note: note("Ugh.", at(2026, time.November, 21, 12, 0))},
		{name: "old note edited yesterday", want: true,
			note:    protocol.Note{ID: "n", Text: "Ugh, again.", Created: at(2025, time.March, 1, 9, 0), Updated: at(2026, time.November, 28, 9, 0)},
			wantDet: "You wrote a note yesterday; decisions made in the heat of the moment read badly later."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rem := testRules().Reminder(protocol.Contact{Slug: "x-y-z", Name: "X Y", Notes: []protocol.Note{tc.note}})
			got := len(rem.Timing) == 1 && rem.Timing[0].Kind == "recent_note"
			if got != tc.want || (tc.want && rem.Timing[0].Detail != tc.wantDet) {
				t.Fatalf("timing = %+v, want a fresh-note point: %v (%q)", rem.Timing, tc.want, tc.wantDet)
			}
			if wantAdvice := map[bool]string{true: "wait", false: "consider"}[tc.want]; rem.Advice != wantAdvice {
				t.Fatalf("advice = %q, want %q", rem.Advice, wantAdvice)
			}
		})
	}
}
