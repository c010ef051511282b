package server

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/tactful/tactful/daemon/store"
	"github.com/tactful/tactful/protocol"
)

// The server's clock in these tests reads Sunday 29 Nov 2026, noon.

func TestReviewSave(t *testing.T) {
	var logs bytes.Buffer
	e := newEnv(t, func(c *Config) { c.Logger = zerolog.New(&logs).Level(zerolog.DebugLevel) })
	ctx := testContext(t)
	a, b := e.connect(ctx), e.connect(ctx)
	a.see("en-US", ada)

	var reply protocol.ContactReply
	a.mustCall(map[string]any{"type": "review_save", "slug": ada.Slug, "tags": []string{"Interests drifted"},
		"why": "We drifted apart after the meetup.", "assessment": "Kind, nothing in common now.", "message": "write",
		"draft": "Hi Ada, all the best.", "decision": "remove_on", "on": "2027-01-12"}, protocol.TypeContact, &reply)
	rv := reply.Contact.Review
	if rv == nil || rv.Decision != protocol.DecisionRemoveOn || rv.On != "2027-01-12" || rv.Draft != "Hi Ada, all the best." || !rv.At.Equal(e.clock.Now()) {
		t.Fatalf("review %+v", rv)
	}
	if reply.Contact.Status != protocol.StatusRemovalPlanned || fmt.Sprint(reply.Contact.Tags) != "[interests-drifted]" {
		t.Errorf("contact %+v", reply.Contact)
	}
	if len(reply.Events) == 0 || reply.Events[0].Kind != protocol.EventReviewed || reply.Events[0].Summary != "Reviewed: remove on 12 Jan 2027" {
		t.Errorf("newest event %+v", reply.Events)
	}
	// Connected two weeks ago: recent until 13 Feb 2027.
	if reply.Advice.WaitUntil != "2027-02-14" || len(reply.Advice.Drafts) == 0 || reply.Advice.ReconnectDrafts == nil || reply.Advice.Clusters == nil {
		t.Errorf("advice %+v", reply.Advice)
	}
	var push protocol.ContactChanged
	b.recv(&push)
	if push.Type != protocol.TypeContactChanged || push.Annotation.Status != protocol.StatusRemovalPlanned {
		t.Errorf("push %+v", push)
	}
	a.ping() // the sender gets no push of its own change

	// contact_get answers with the same advice.
	var got protocol.ContactReply
	a.mustCall(map[string]any{"type": "contact_get", "slug": ada.Slug}, protocol.TypeContact, &got)
	if fmt.Sprint(got.Advice) != fmt.Sprint(reply.Advice) || got.Contact.Review == nil {
		t.Errorf("contact_get advice %+v, review %+v", got.Advice, got.Contact.Review)
	}

	// The day must still come, by the daemon's clock.
	er := a.expectError(`{"type":"review_save","id":"p","slug":"ada-lovelace-1815","decision":"revisit","on":"2026-11-28"}`, protocol.CodeInvalidField)
	if !strings.Contains(er.Message, "28 Nov 2026") || !strings.Contains(er.Message, "29 Nov 2026") {
		t.Errorf("message %q names neither the day nor today", er.Message)
	}
	a.expectError(`{"type":"review_save","id":"n","slug":"nobody-known","decision":"keep"}`, protocol.CodeNotFound)
	a.ping()

	// The user's words stay out of the log, at every level.
	for _, words := range []string{"drifted apart", "nothing in common", "all the best"} {
		if strings.Contains(logs.String(), words) {
			t.Errorf("the log holds %q:\n%s", words, logs.String())
		}
	}
}

// The revisit badge appears on the card when the daemon's clock reaches the day.
func TestRevisitBadgeComesOnItsDay(t *testing.T) {
	e := newEnv(t)
	c := e.connect(testContext(t))
	c.see("en-US", grace)
	c.mustCall(map[string]any{"type": "review_save", "slug": grace.Slug, "decision": "revisit", "on": "2026-12-01"}, protocol.TypeContact, nil)
	if anns := c.see("en-US", grace); hasBadge(anns[0], protocol.BadgeRevisit) {
		t.Fatalf("revisit badge two days early: %+v", anns[0].Badges)
	}
	e.clock.Advance(48 * time.Hour)
	anns := c.see("en-US", grace)
	if !hasBadge(anns[0], protocol.BadgeRevisit) || anns[0].DueOn != "2026-12-01" {
		t.Fatalf("on the day: %+v", anns[0])
	}
	var q protocol.ReviewQueueReply
	c.mustCall(map[string]any{"type": "review_queue", "filter": map[string]any{"due": true}}, protocol.TypeReviewQueueReply, &q)
	if q.Total != 1 || q.Items[0].Slug != grace.Slug || q.Items[0].DueKind != protocol.DueRevisit {
		t.Errorf("due queue %+v", q)
	}
}

func TestReviewQueue(t *testing.T) {
	e := newEnv(t)
	c := e.connect(testContext(t))
	if _, _, err := e.db.Import([]store.ImportedContact{
		{Slug: "old-friend", Name: "Old Friend", Company: "Acme", ConnectedOn: "2015-01-01"},
		{Slug: "newer-friend", Name: "Newer Friend", Company: "Initech", ConnectedOn: "2024-01-01"},
		{Slug: "no-date-friend", Name: "No Date", Company: "Acme"},
	}); err != nil {
		t.Fatal(err)
	}
	c.see("en-US", ada)
	var q protocol.ReviewQueueReply
	c.mustCall(map[string]any{"type": "review_queue", "filter": map[string]any{}, "limit": 2}, protocol.TypeReviewQueueReply, &q)
	if q.Total != 4 || len(q.Items) != 2 || q.Items[0].Slug != "old-friend" || q.Items[1].Slug != "newer-friend" {
		t.Fatalf("queue %+v", q)
	}
	c.mustCall(map[string]any{"type": "review_queue", "filter": map[string]any{"never_seen": true, "company": "ACME"}}, protocol.TypeReviewQueueReply, &q)
	if q.Total != 2 || q.Items[0].Slug != "old-friend" || q.Items[1].Slug != "no-date-friend" || q.Items[0].Company != "Acme" {
		t.Errorf("never seen at Acme: %+v", q)
	}
	c.mustCall(map[string]any{"type": "review_queue", "filter": map[string]any{"due": true}}, protocol.TypeReviewQueueReply, &q)
	if q.Total != 0 || q.Items == nil {
		t.Errorf("nothing due: %+v", q)
	}
	c.expectError(`{"type":"review_queue","id":"q","filter":{},"limit":5001}`, protocol.CodeInvalidField)
}

// Three planned removals at one company: the plan warns, the reminder
// warns, and applying the spread-out schedule dates them all at once.
func TestRemovalPlan(t *testing.T) {
	e := newEnv(t)
	ctx := testContext(t)
	a, b := e.connect(ctx), e.connect(ctx)
	if _, _, err := e.db.Import([]store.ImportedContact{
		{Slug: "acme-one", Name: "One Acme", Company: "Acme", ConnectedOn: "2015-01-01"},
		{Slug: "acme-two", Name: "Two Acme", Company: "ACME", ConnectedOn: "2015-01-01"},
		{Slug: "acme-three", Name: "Three Acme", Company: "Acme", ConnectedOn: "2015-01-01"},
		{Slug: "elsewhere", Name: "Else Where", Company: "Initech", ConnectedOn: "2015-01-01"},
	}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"acme-one", "acme-two", "acme-three", "elsewhere"} {
		a.mustCall(map[string]any{"type": "review_save", "slug": s, "decision": "remove_now", "why": "Never in touch."}, protocol.TypeContact, nil)
		b.recv(&protocol.ContactChanged{})
	}
	var plan protocol.RemovalPlan
	a.mustCall(map[string]any{"type": "removal_plan_get"}, protocol.TypeRemovalPlan, &plan)
	if plan.Planned != 4 || len(plan.Clusters) != 1 || plan.Clusters[0].Kind != protocol.ClusterCompany || plan.Clusters[0].Count != 3 ||
		plan.Clusters[0].Sentence != "3 of your 4 planned removals work at Acme; removing them in one week may be noticed." {
		t.Fatalf("plan %+v", plan)
	}
	// Monday 30 Nov (two), then the Acme people two weeks apart.
	want := "acme-one@2026-11-30 elsewhere@2026-11-30 acme-three@2026-12-14 acme-two@2026-12-28"
	if got := schedule(plan.Schedule); got != want {
		t.Errorf("schedule %s, want %s", got, want)
	}

	var rem protocol.ReminderReply
	a.mustCall(map[string]any{"type": "removal_intent", "slug": "acme-two"}, protocol.TypeReminder, &rem)
	if rem.Reminder.Decision == nil || !strings.Contains(rem.Reminder.Decision.Detail, "remove now") ||
		len(rem.Reminder.Clusters) != 1 || rem.Reminder.Clusters[0].Kind != "cluster" {
		t.Errorf("reminder decision %+v, clusters %+v", rem.Reminder.Decision, rem.Reminder.Clusters)
	}

	// The schedule goes back as it came.
	var applied protocol.RemovalPlan
	a.mustCall(map[string]any{"type": "removal_plan_apply", "schedule": plan.Schedule}, protocol.TypeRemovalPlan, &applied)
	if schedule(applied.Schedule) != want || len(applied.Clusters) != 1 {
		t.Errorf("after apply: %+v", applied)
	}
	for range 4 {
		var push protocol.ContactChanged
		b.recv(&push)
		if push.Type != protocol.TypeContactChanged {
			t.Fatalf("b got %+v", push)
		}
	}
	a.ping() // the sender's next message is its own reply
	b.ping()
	var c protocol.ContactReply
	a.mustCall(map[string]any{"type": "contact_get", "slug": "acme-two"}, protocol.TypeContact, &c)
	if c.Contact.Review.Decision != protocol.DecisionRemoveOn || c.Contact.Review.On != "2026-12-28" || c.Contact.Review.Why != "Never in touch." {
		t.Errorf("acme-two after the plan: %+v", c.Contact.Review)
	}
	if len(c.Advice.Clusters) != 1 {
		t.Errorf("advice clusters %+v", c.Advice.Clusters)
	}
	// All or nothing.
	a.expectError(`{"type":"removal_plan_apply","id":"x","schedule":[{"slug":"acme-one","on":"2027-01-04"},{"slug":"nobody-known","on":"2027-01-04"}]}`, protocol.CodeNotFound)
	a.mustCall(map[string]any{"type": "contact_get", "slug": "acme-one"}, protocol.TypeContact, &c)
	if c.Contact.Review.On != "2026-11-30" {
		t.Errorf("a refused plan moved acme-one to %s", c.Contact.Review.On)
	}
}

func schedule(s []protocol.Scheduled) string {
	var out []string
	for _, x := range s {
		out = append(out, x.Slug+"@"+x.On)
	}
	return strings.Join(out, " ")
}

func TestNetworkSummary(t *testing.T) {
	e := newEnv(t)
	c := e.connect(testContext(t))
	c.see("en-US", ada, grace)
	c.mustCall(map[string]any{"type": "review_save", "slug": ada.Slug, "decision": "keep", "tags": []string{"keep"}}, protocol.TypeContact, nil)
	c.mustCall(map[string]any{"type": "review_save", "slug": grace.Slug, "decision": "remove_now"}, protocol.TypeContact, nil)
	c.mustCall(map[string]any{"type": "removal_outcome", "slug": grace.Slug, "outcome": "removed"}, protocol.TypeAnnotation, nil)
	c.see("en-US", grace) // still listed right after: LinkedIn's list lags
	e.clock.Advance(25 * time.Hour)
	c.see("en-US", grace) // listed again the next day: connected again
	var s protocol.NetworkSummaryReply
	c.mustCall(map[string]any{"type": "network_summary"}, protocol.TypeNetworkSummaryReply, &s)
	if s.Total != 2 || fmt.Sprint(s.ByStatus) != "map[keep:1 none:1]" || fmt.Sprint(s.ByTag) != "[{keep 1}]" || s.Due != 0 {
		t.Errorf("summary %+v", s.NetworkSummary)
	}
	if len(s.DecisionsByMonth) != 12 {
		t.Fatalf("%d months", len(s.DecisionsByMonth))
	}
	nov := s.DecisionsByMonth[11]
	if nov != (protocol.MonthDecisions{Month: "2026-11", Keep: 1, Remove: 1, Removed: 1, Reconnected: 1}) {
		t.Errorf("November %+v", nov)
	}
	var h protocol.HistoryReply
	c.mustCall(map[string]any{"type": "history_get", "slug": grace.Slug}, protocol.TypeHistory, &h)
	var kinds []string
	for _, ev := range h.Events {
		kinds = append(kinds, string(ev.Kind))
	}
	// The whole arc, newest first.
	if got := strings.Join(kinds, " "); got != "reconnected outcome reviewed first_seen" {
		t.Errorf("grace's history: %s", got)
	}
}

// Decisions and dates leave in the export and come back with an import.
func TestReviewSurvivesExportAndImport(t *testing.T) {
	e := newEnv(t)
	c := e.connect(testContext(t))
	c.see("en-US", ada)
	c.mustCall(map[string]any{"type": "review_save", "slug": ada.Slug, "decision": "revisit", "on": "2027-03-01",
		"why": "Quiet for a year.", "message": "silent"}, protocol.TypeContact, nil)
	var ex protocol.ExportData
	c.mustCall(map[string]any{"type": "export", "format": "json"}, protocol.TypeExportData, &ex)

	f := newEnv(t)
	fc := f.connect(testContext(t))
	fc.mustCall(map[string]any{"type": "import_json", "data": ex.Data}, protocol.TypeImportResult, nil)
	var got protocol.ContactReply
	fc.mustCall(map[string]any{"type": "contact_get", "slug": ada.Slug}, protocol.TypeContact, &got)
	rv := got.Contact.Review
	if rv == nil || rv.Decision != protocol.DecisionRevisit || rv.On != "2027-03-01" || rv.Why != "Quiet for a year." || rv.Message != "silent" {
		t.Fatalf("review after import: %+v", rv)
	}
	if got.Events[0].Kind != protocol.EventReviewed || got.Events[0].On != "2027-03-01" || got.Events[0].Decision != protocol.DecisionRevisit {
		t.Errorf("reviewed event after import: %+v", got.Events[0])
	}
}
