package protocol

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestCheckReviewDay(t *testing.T) {
	today := time.Date(2026, 12, 1, 23, 30, 0, 0, time.Local)
	for _, c := range []struct {
		name, on string
		ok       bool
	}{
		{"today", "2026-12-01", true},
		{"tomorrow", "2026-12-02", true},
		{"next year", "2027-01-12", true},
		{"yesterday", "2026-11-30", false},
		{"not a day", "2026-13-01", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := CheckReviewDay(c.on, today)
			if c.ok != (err == nil) {
				t.Fatalf("CheckReviewDay(%s) = %v, want ok %v", c.on, err, c.ok)
			}
			if err != nil && ErrorCode(err) != CodeInvalidField {
				t.Errorf("code %s, want invalid_field", ErrorCode(err))
			}
		})
	}
	err := CheckReviewDay("2026-11-30", today)
	if msg := ErrorMessage(err); !strings.Contains(msg, "30 Nov 2026") || !strings.Contains(msg, "1 Dec 2026") {
		t.Errorf("message %q names neither the day asked for nor today", msg)
	}
}

func TestDecodeReviewSaveNormalizes(t *testing.T) {
	req, _, err := Decode([]byte(`{"type":"review_save","id":"1","slug":"Ada-Lovelace-1815","tags":[" Inactive "],` +
		`"why":"  drifted  ","draft":"Hi Ada,\r\nall the best. ","decision":"revisit","on":" 2027-01-12 "}`))
	if err != nil {
		t.Fatal(err)
	}
	r := req.(*ReviewSave)
	want := ReviewSave{Header: Header{Type: TypeReviewSave, ID: "1"}, Slug: "ada-lovelace-1815", Tags: &[]string{"inactive"},
		Why: "drifted", Draft: "Hi Ada,\nall the best.", Decision: DecisionRevisit, On: "2027-01-12"}
	if !reflect.DeepEqual(*r, want) {
		t.Errorf("got %+v\nwant %+v", *r, want)
	}
}

func TestDecodeReviewQueueDefaults(t *testing.T) {
	req, _, err := Decode([]byte(`{"type":"review_queue","id":"1","filter":{"tags":[],"company":"  Acme "}}`))
	if err != nil {
		t.Fatal(err)
	}
	r := req.(*ReviewQueue)
	if r.Limit != DefaultQueueLimit || r.Filter.Tags != nil || r.Filter.Company != "Acme" {
		t.Errorf("got %+v", *r)
	}
	if _, _, err := Decode([]byte(`{"type":"review_queue","id":"1","filter":{"status":"none"}}`)); err != nil {
		t.Errorf("status none (people with no status) refused: %v", err)
	}
}

// A review travels in exports: a damaged one is refused on import like
// any other field of a contact.
func TestContactValidateChecksReview(t *testing.T) {
	base := func(r *Review) Contact {
		return Contact{Slug: "ada-lovelace-1815", Name: "Ada", Tags: []string{}, Notes: []Note{}, Review: r}
	}
	at := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	good := base(&Review{Decision: DecisionRemoveOn, On: "2020-01-01", Why: "old plan", At: at})
	if err := good.Validate(); err != nil {
		t.Errorf("a stored review whose day has passed is still valid: %v", err)
	}
	for name, r := range map[string]*Review{
		"unknown decision":  {Decision: "maybe", At: at},
		"dated without day": {Decision: DecisionRevisit, At: at},
		"day on keep":       {Decision: DecisionKeep, On: "2027-01-01", At: at},
		"why with newline":  {Decision: DecisionKeep, Why: "a\nb", At: at},
		"bad message":       {Decision: DecisionKeep, Message: "loud", At: at},
	} {
		c := base(r)
		if err := c.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	e := Event{ID: mustEventID(t, at), At: at, Slug: "ada-lovelace-1815", Kind: EventReviewed, Summary: "Reviewed", Decision: "maybe"}
	if err := e.Validate(); err == nil {
		t.Error("an event with an unknown decision was accepted")
	}
}

func mustEventID(t *testing.T, at time.Time) EventID {
	t.Helper()
	id, err := NewEventID(at)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
