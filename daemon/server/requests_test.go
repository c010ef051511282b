package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/tactful/tactful/daemon/export"
	"github.com/tactful/tactful/daemon/store"
	"github.com/tactful/tactful/protocol"
)

var (
	ada   = protocol.SeenContact{Slug: "ada-lovelace-1815", Name: "Ada Lovelace", Headline: "Programmer", ConnectedText: "Connected 2 weeks ago"}
	grace = protocol.SeenContact{Slug: "grace-hopper", Name: "Grace Hopper", ConnectedText: "Connected on June 29, 2024"}
)

func TestWelcome(t *testing.T) {
	e := newEnv(t)
	ctx := testContext(t)
	c := e.connect(ctx)
	c.see("en-US", ada)
	c.mustCall(map[string]any{"type": "tags_set", "slug": ada.Slug, "tags": []string{"Met at PyCon", "inactive"}}, protocol.TypeAnnotation, nil)

	d, _, err := e.dial(ctx, chromeOrigin)
	if err != nil {
		t.Fatal(err)
	}
	welcome := d.hello(e.code)
	if welcome.Protocol != protocol.Version || welcome.DaemonVersion != "test" {
		t.Errorf("welcome = %+v", welcome)
	}
	want := append(append([]string{}, protocol.DefaultTags...), "met-at-pycon")
	if fmt.Sprint(welcome.Tags) != fmt.Sprint(want) {
		t.Errorf("tags = %v, want %v", welcome.Tags, want)
	}
	if fmt.Sprint(welcome.Statuses) != fmt.Sprint(protocol.Statuses) {
		t.Errorf("statuses = %v", welcome.Statuses)
	}
}

func TestEveryRequest(t *testing.T) {
	e := newEnv(t)
	ctx := testContext(t)
	c := e.connect(ctx)

	t.Run("ping", func(t *testing.T) { c.ping() })

	t.Run("contacts_seen", func(t *testing.T) {
		anns := c.see("en-US", ada, grace)
		if len(anns) != 2 || anns[0].Slug != ada.Slug || anns[1].Slug != grace.Slug {
			t.Fatalf("annotations %+v are not one per contact in order", anns)
		}
		if anns[0].ConnectedOn != "2026-11-15" {
			t.Errorf("ada connected_on = %q, want 2026-11-15 (2 weeks before the clock)", anns[0].ConnectedOn)
		}
		if anns[1].ConnectedOn != "2024-06-29" {
			t.Errorf("grace connected_on = %q, want 2024-06-29", anns[1].ConnectedOn)
		}
		if !hasBadge(anns[0], protocol.BadgeRecent) || hasBadge(anns[1], protocol.BadgeRecent) {
			t.Errorf("recent badges wrong: %+v", anns)
		}
	})

	t.Run("note_add", func(t *testing.T) {
		var r protocol.NoteSaved
		c.mustCall(map[string]any{"type": "note_add", "slug": ada.Slug, "note_id": "n1", "text": "  Met at the meetup.  "}, protocol.TypeNoteSaved, &r)
		if r.Note.ID != "n1" || r.Note.Text != "Met at the meetup." || r.Annotation.NoteCount != 1 || !hasBadge(r.Annotation, protocol.BadgeNote) {
			t.Errorf("note_saved = %+v", r)
		}
	})

	t.Run("note_edit", func(t *testing.T) {
		var r protocol.NoteSaved
		c.mustCall(map[string]any{"type": "note_edit", "slug": ada.Slug, "note_id": "n1", "text": "Met at the Analytical Engine meetup."}, protocol.TypeNoteSaved, &r)
		if r.Note.Text != "Met at the Analytical Engine meetup." || r.Annotation.NoteCount != 1 {
			t.Errorf("note_saved = %+v", r)
		}
	})

	t.Run("note_delete", func(t *testing.T) {
		c.mustCall(map[string]any{"type": "note_add", "slug": ada.Slug, "note_id": "n2", "text": "second"}, protocol.TypeNoteSaved, nil)
		var r protocol.AnnotationReply
		c.mustCall(map[string]any{"type": "note_delete", "slug": ada.Slug, "note_id": "n2"}, protocol.TypeAnnotation, &r)
		if r.Annotation.NoteCount != 1 {
			t.Errorf("note_count = %d after deleting one of two", r.Annotation.NoteCount)
		}
	})

	t.Run("tags_set", func(t *testing.T) {
		var r protocol.AnnotationReply
		c.mustCall(map[string]any{"type": "tags_set", "slug": grace.Slug, "tags": []string{"Inactive", "interests drifted"}, "status": "reviewing"}, protocol.TypeAnnotation, &r)
		if fmt.Sprint(r.Annotation.Tags) != "[inactive interests-drifted]" || r.Annotation.Status != protocol.StatusReviewing {
			t.Errorf("annotation = %+v", r.Annotation)
		}
		var cleared protocol.AnnotationReply
		c.mustCall(map[string]any{"type": "tags_set", "slug": grace.Slug, "status": ""}, protocol.TypeAnnotation, &cleared)
		if cleared.Annotation.Status != "" || len(cleared.Annotation.Tags) != 2 {
			t.Errorf("status-only change gave %+v", cleared.Annotation)
		}
	})

	t.Run("fallout_mark", func(t *testing.T) {
		var r protocol.AnnotationReply
		c.mustCall(map[string]any{"type": "fallout_mark", "slug": grace.Slug, "days": 10, "text": "argued about tabs"}, protocol.TypeAnnotation, &r)
		if r.Annotation.CooldownUntil != "2026-12-09" || !hasBadge(r.Annotation, protocol.BadgeCooldown) {
			t.Errorf("annotation = %+v, want a cool-down until 2026-12-09", r.Annotation)
		}
	})

	t.Run("removal_intent", func(t *testing.T) {
		var r protocol.ReminderReply
		c.mustCall(map[string]any{"type": "removal_intent", "slug": grace.Slug}, protocol.TypeReminder, &r)
		if r.Reminder.Slug != grace.Slug || r.Reminder.Advice != "wait" || r.Reminder.Headline == "" {
			t.Errorf("reminder = %+v", r.Reminder)
		}
	})

	t.Run("removal_outcome", func(t *testing.T) {
		var r protocol.AnnotationReply
		c.mustCall(map[string]any{"type": "removal_outcome", "slug": grace.Slug, "outcome": "kept"}, protocol.TypeAnnotation, &r)
		if r.Annotation.Slug != grace.Slug {
			t.Errorf("annotation = %+v", r.Annotation)
		}
	})

	t.Run("contact_get", func(t *testing.T) {
		var r protocol.ContactReply
		c.mustCall(map[string]any{"type": "contact_get", "slug": ada.Slug}, protocol.TypeContact, &r)
		if r.Contact.Slug != ada.Slug || r.Contact.Name != ada.Name || len(r.Contact.Notes) != 1 || r.Annotation.Slug != ada.Slug {
			t.Errorf("contact = %+v", r)
		}
		kinds := eventKinds(r.Events)
		want := "[note_deleted note_added note_edited note_added first_seen]"
		if fmt.Sprint(kinds) != want {
			t.Errorf("events %v, want newest first %s", kinds, want)
		}
		for _, ev := range r.Events {
			if ev.Slug != ada.Slug {
				t.Errorf("event of %s in %s's contact", ev.Slug, ada.Slug)
			}
		}
	})

	t.Run("history_get", func(t *testing.T) {
		var all protocol.HistoryReply
		c.mustCall(map[string]any{"type": "history_get"}, protocol.TypeHistory, &all)
		if len(all.Events) < 8 || all.NextCursor != "" {
			t.Fatalf("history has %d events, next %q", len(all.Events), all.NextCursor)
		}
		// Paging with the cursor walks the same events.
		var paged []protocol.Event
		cursor := ""
		for {
			req := map[string]any{"type": "history_get", "limit": 3}
			if cursor != "" {
				req["cursor"] = cursor
			}
			var page protocol.HistoryReply
			c.mustCall(req, protocol.TypeHistory, &page)
			paged = append(paged, page.Events...)
			if page.NextCursor == "" {
				break
			}
			if page.NextCursor == cursor || len(paged) > len(all.Events) {
				t.Fatalf("paging does not advance at cursor %q", cursor)
			}
			cursor = page.NextCursor
		}
		if fmt.Sprint(seqs(paged)) != fmt.Sprint(seqs(all.Events)) {
			t.Errorf("paged %v, want %v", seqs(paged), seqs(all.Events))
		}
		var filtered protocol.HistoryReply
		c.mustCall(map[string]any{"type": "history_get", "slug": grace.Slug, "kinds": []string{"fallout_marked"}}, protocol.TypeHistory, &filtered)
		if len(filtered.Events) != 1 || filtered.Events[0].Until != "2026-12-09" {
			t.Errorf("filtered = %+v", filtered.Events)
		}
		var since protocol.HistoryReply
		c.mustCall(map[string]any{"type": "history_get", "since": "2026-11-29"}, protocol.TypeHistory, &since)
		if len(since.Events) != len(all.Events) {
			t.Errorf("since today: %d events, want %d", len(since.Events), len(all.Events))
		}
		c.mustCall(map[string]any{"type": "history_get", "since": "2026-11-30"}, protocol.TypeHistory, &since)
		if len(since.Events) != 0 {
			t.Errorf("since tomorrow: %d events, want 0", len(since.Events))
		}
		var none protocol.HistoryReply
		raw := c.mustCall(map[string]any{"type": "history_get", "query": "no such words anywhere"}, protocol.TypeHistory, &none)
		if !bytes.Contains(raw, []byte(`"events":[]`)) {
			t.Errorf("an empty page is %s, want events: []", raw)
		}
	})

	t.Run("import_connections", func(t *testing.T) {
		csv := "Notes:\n\"When exporting your connection data, you may notice...\"\n\n" +
			"First Name,Last Name,URL,Email Address,Company,Position,Connected On\n" +
			"Ada,Lovelace,https://www.linkedin.com/in/ada-lovelace-1815,,Babbage & Co,Programmer,15 Nov 2026\n" +
			"Alan,Turing,https://www.linkedin.com/in/alan-turing,,Bletchley,Cryptanalyst,01 Jan 2020\n" +
			"Not,Linked,https://example.com/in/someone,,,,01 Jan 2020\n"
		var r protocol.ImportResult
		c.mustCall(map[string]any{"type": "import_connections", "csv": csv}, protocol.TypeImportResult, &r)
		s := r.Summary
		if s.Added != 1 || s.Updated != 1 || s.Total != 3 || len(s.Skipped) != 1 || s.Skipped[0].Line == 0 || s.Skipped[0].Reason == "" {
			t.Errorf("summary = %+v", s)
		}
		var got protocol.ContactReply
		c.mustCall(map[string]any{"type": "contact_get", "slug": "alan-turing"}, protocol.TypeContact, &got)
		if got.Contact.Company != "Bletchley" || got.Contact.ConnectedOn != "2020-01-01" {
			t.Errorf("imported contact = %+v", got.Contact)
		}
		c.call(map[string]any{"type": "import_connections", "csv": "just,some\ncsv,text\n"}, nil)
	})

	var jsonExport string
	t.Run("export", func(t *testing.T) {
		var j protocol.ExportData
		c.mustCall(map[string]any{"type": "export", "format": "json"}, protocol.TypeExportData, &j)
		if j.Format != "json" || j.Filename != "tactful-export-2026-11-29.json" {
			t.Errorf("export = %s %s", j.Format, j.Filename)
		}
		a, err := export.ReadJSON(strings.NewReader(j.Data))
		if err != nil {
			t.Fatalf("the JSON export does not read back: %v", err)
		}
		if len(a.Contacts) != 3 {
			t.Errorf("export holds %d contacts, want 3", len(a.Contacts))
		}
		jsonExport = j.Data
		var csv protocol.ExportData
		c.mustCall(map[string]any{"type": "export", "format": "csv"}, protocol.TypeExportData, &csv)
		if csv.Filename != "tactful-export-2026-11-29.csv" || !strings.Contains(csv.Data, "ada-lovelace-1815") {
			t.Errorf("csv export %s: %.200q", csv.Filename, csv.Data)
		}
		var def protocol.ExportData
		c.mustCall(map[string]any{"type": "export"}, protocol.TypeExportData, &def)
		if def.Format != "json" {
			t.Errorf("default format %q, want json", def.Format)
		}
	})

	t.Run("import_json", func(t *testing.T) {
		if jsonExport == "" {
			t.Skip("no export to restore")
		}
		var r protocol.ImportResult
		c.mustCall(map[string]any{"type": "import_json", "data": jsonExport}, protocol.TypeImportResult, &r)
		if r.Summary.Total != 3 || r.Summary.Added != 0 || r.Summary.Skipped == nil {
			t.Errorf("restoring into the same store: summary = %+v", r.Summary)
		}
		// Into an empty store, everything is added and reads back.
		fresh := newEnv(t)
		fc := fresh.connect(testContext(t))
		var fr protocol.ImportResult
		fc.mustCall(map[string]any{"type": "import_json", "data": jsonExport}, protocol.TypeImportResult, &fr)
		if fr.Summary.Total != 3 || fr.Summary.Added != 3 {
			t.Errorf("restoring into an empty store: summary = %+v", fr.Summary)
		}
		var got protocol.ContactReply
		fc.mustCall(map[string]any{"type": "contact_get", "slug": ada.Slug}, protocol.TypeContact, &got)
		if len(got.Contact.Notes) != 1 || len(got.Events) == 0 {
			t.Errorf("restored contact = %+v", got)
		}
		c.expectError(`{"type":"import_json","id":"j","data":"{\"format\":\"something-else\"}"}`, protocol.CodeInvalidField)
	})

	t.Run("status", func(t *testing.T) {
		other := e.connect(ctx)
		other.ping()
		var r protocol.StatusReply
		c.mustCall(map[string]any{"type": "status"}, protocol.TypeStatusReply, &r)
		if r.Contacts != 3 || r.Notes != 1 || r.Events < 10 || r.Connections != 2 || r.DaemonVersion != "test" || r.Protocol != protocol.Version {
			t.Errorf("status = %+v", r)
		}
	})
}

func TestPushReachesOthersNotSender(t *testing.T) {
	e := newEnv(t)
	ctx := testContext(t)
	a, b := e.connect(ctx), e.connect(ctx)
	unpaired, _, err := e.dial(ctx, chromeOrigin)
	if err != nil {
		t.Fatal(err)
	}
	a.see("en-US", ada)
	tests := []struct {
		name string
		req  map[string]any
		want string
	}{
		{name: "note_add", req: map[string]any{"type": "note_add", "slug": ada.Slug, "note_id": "p1", "text": "hello"}, want: protocol.TypeNoteSaved},
		{name: "note_edit", req: map[string]any{"type": "note_edit", "slug": ada.Slug, "note_id": "p1", "text": "hello again"}, want: protocol.TypeNoteSaved},
		{name: "tags_set", req: map[string]any{"type": "tags_set", "slug": ada.Slug, "tags": []string{"keep"}}, want: protocol.TypeAnnotation},
		{name: "fallout_mark", req: map[string]any{"type": "fallout_mark", "slug": ada.Slug}, want: protocol.TypeAnnotation},
		{name: "removal_outcome", req: map[string]any{"type": "removal_outcome", "slug": ada.Slug, "outcome": "unfollowed"}, want: protocol.TypeAnnotation},
		{name: "note_delete", req: map[string]any{"type": "note_delete", "slug": ada.Slug, "note_id": "p1"}, want: protocol.TypeAnnotation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var reply struct {
				Annotation protocol.Annotation `json:"annotation"`
			}
			a.mustCall(tt.req, tt.want, &reply)
			var push protocol.ContactChanged
			raw := b.recv(&push)
			if push.Type != protocol.TypeContactChanged || push.ID != "" {
				t.Fatalf("b got %s, want contact_changed without id", raw)
			}
			if fmt.Sprint(push.Annotation) != fmt.Sprint(reply.Annotation) {
				t.Errorf("pushed %+v, replied %+v", push.Annotation, reply.Annotation)
			}
			// The sender's next message is the answer to its next request, not
			// a push of its own change.
			a.ping()
		})
	}
	// The unpaired connection got nothing: its first message is its own reply.
	unpaired.expectError(`{"type":"ping","id":"u"}`, protocol.CodeUnauthorized)
	// Reads change nothing and push nothing.
	a.mustCall(map[string]any{"type": "contact_get", "slug": ada.Slug}, protocol.TypeContact, nil)
	a.see("en-US", ada)
	a.mustCall(map[string]any{"type": "removal_intent", "slug": ada.Slug}, protocol.TypeReminder, nil)
	b.ping()
}

func TestReminderTiming(t *testing.T) {
	e := newEnv(t)
	ctx := testContext(t)
	c := e.connect(ctx)
	old := protocol.SeenContact{Slug: "old-friend", Name: "Old Friend", ConnectedText: "Connected on March 3, 2019"}
	cooling := protocol.SeenContact{Slug: "hot-head", Name: "Hot Head", ConnectedText: "Connected on March 3, 2019"}
	c.see("en-US", ada, old, cooling)
	c.mustCall(map[string]any{"type": "fallout_mark", "slug": cooling.Slug, "days": 14}, protocol.TypeAnnotation, nil)
	tests := []struct {
		name   string
		slug   string
		advice string
		timing []string
	}{
		{name: "recently connected", slug: ada.Slug, advice: "wait", timing: []string{"recent"}},
		{name: "in cool-down", slug: cooling.Slug, advice: "wait", timing: []string{"cooldown"}},
		{name: "long connected, nothing recorded", slug: old.Slug, advice: "consider", timing: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r protocol.ReminderReply
			c.mustCall(map[string]any{"type": "removal_intent", "slug": tt.slug}, protocol.TypeReminder, &r)
			rem := r.Reminder
			var kinds []string
			for _, p := range rem.Timing {
				kinds = append(kinds, p.Kind)
				if p.Title == "" || p.Detail == "" {
					t.Errorf("timing point %+v lacks words", p)
				}
			}
			if rem.Advice != tt.advice || fmt.Sprint(kinds) != fmt.Sprint(tt.timing) {
				t.Errorf("advice %q timing %v, want %q %v", rem.Advice, kinds, tt.advice, tt.timing)
			}
			if rem.ProfileURL != "https://www.linkedin.com/in/"+tt.slug+"/" || rem.Unfollow.Detail == "" || len(rem.Facts) == 0 {
				t.Errorf("reminder = %+v", rem)
			}
		})
	}
	// The cool-down ends: the same contact no longer has a cool-down point.
	e.clock.Advance(15 * 24 * time.Hour)
	var r protocol.ReminderReply
	c.mustCall(map[string]any{"type": "removal_intent", "slug": cooling.Slug}, protocol.TypeReminder, &r)
	for _, p := range r.Reminder.Timing {
		if p.Kind == "cooldown" {
			t.Errorf("cool-down point 15 days after a 14-day cool-down: %+v", p)
		}
	}
	// Each reminder shown is in the history.
	var h protocol.HistoryReply
	c.mustCall(map[string]any{"type": "history_get", "kinds": []string{"reminder_shown"}}, protocol.TypeHistory, &h)
	if len(h.Events) != 4 {
		t.Errorf("%d reminder_shown events, want 4", len(h.Events))
	}
}

func TestNoteRetryIsIdempotent(t *testing.T) {
	e := newEnv(t)
	ctx := testContext(t)
	c := e.connect(ctx)
	c.see("en-US", ada)
	req := func() map[string]any {
		return map[string]any{"type": "note_add", "slug": ada.Slug, "note_id": "client-1:42", "text": "Posts rarely now."}
	}
	var first, second protocol.NoteSaved
	c.mustCall(req(), protocol.TypeNoteSaved, &first)
	c.mustCall(req(), protocol.TypeNoteSaved, &second)
	if first.Note.ID != second.Note.ID || !first.Note.Created.Equal(second.Note.Created) || second.Annotation.NoteCount != 1 {
		t.Errorf("retry gave %+v after %+v", second, first)
	}
	var got protocol.ContactReply
	c.mustCall(map[string]any{"type": "contact_get", "slug": ada.Slug}, protocol.TypeContact, &got)
	if len(got.Contact.Notes) != 1 {
		t.Errorf("%d notes after a retried note_add, want 1", len(got.Contact.Notes))
	}
	var h protocol.HistoryReply
	c.mustCall(map[string]any{"type": "history_get", "kinds": []string{"note_added"}}, protocol.TypeHistory, &h)
	if len(h.Events) != 1 {
		t.Errorf("%d note_added events after a retried note_add, want 1", len(h.Events))
	}
}

func TestErrorCodes(t *testing.T) {
	e := newEnv(t)
	ctx := testContext(t)
	c := e.connect(ctx)
	c.see("en-US", ada, grace)
	c.mustCall(map[string]any{"type": "note_add", "slug": ada.Slug, "note_id": "taken", "text": "x"}, protocol.TypeNoteSaved, nil)

	many := make([]protocol.SeenContact, protocol.MaxBatch+1)
	for i := range many {
		many[i] = protocol.SeenContact{Slug: fmt.Sprintf("person-%d", i), Name: "P"}
	}
	batch, _ := json.Marshal(map[string]any{"type": "contacts_seen", "id": "b", "contacts": many})

	tests := []struct {
		name string
		raw  string
		id   string
		code protocol.Code
	}{
		{name: "bad_json", raw: `{"type":"ping",`, code: protocol.CodeBadJSON},
		{name: "bad_json array", raw: `[1,2]`, code: protocol.CodeBadJSON},
		{name: "bad_json not utf-8", raw: "{\"type\":\"ping\",\"id\":\"\xff\"}", code: protocol.CodeBadJSON},
		{name: "unknown_type", raw: `{"type":"dance","id":"u1"}`, id: "u1", code: protocol.CodeUnknownType},
		{name: "missing_field", raw: `{"type":"note_add","id":"m1","slug":"ada-lovelace-1815","note_id":"n9"}`, id: "m1", code: protocol.CodeMissingField},
		{name: "invalid_field", raw: `{"type":"fallout_mark","id":"i1","slug":"ada-lovelace-1815","days":1000}`, id: "i1", code: protocol.CodeInvalidField},
		{name: "invalid_field type", raw: `{"type":"contact_get","id":"i2","slug":7}`, id: "i2", code: protocol.CodeInvalidField},
		{name: "unknown_field", raw: `{"type":"ping","id":"f1","extra":true}`, id: "f1", code: protocol.CodeUnknownField},
		{name: "batch_too_large", raw: string(batch), id: "b", code: protocol.CodeBatchTooLarge},
		{name: "note_too_large", raw: fmt.Sprintf(`{"type":"note_add","id":"n1","slug":"ada-lovelace-1815","note_id":"big","text":%q}`, strings.Repeat("é", protocol.MaxNoteChars+1)), id: "n1", code: protocol.CodeNoteTooLarge},
		{name: "invalid_slug", raw: `{"type":"contact_get","id":"s1","slug":"../../etc/passwd"}`, id: "s1", code: protocol.CodeInvalidSlug},
		{name: "invalid_slug encoded", raw: `{"type":"contact_get","id":"s2","slug":"..%2f..%2fetc"}`, id: "s2", code: protocol.CodeInvalidSlug},
		{name: "not_found contact", raw: `{"type":"contact_get","id":"nf1","slug":"nobody-here"}`, id: "nf1", code: protocol.CodeNotFound},
		{name: "not_found note", raw: `{"type":"note_edit","id":"nf2","slug":"ada-lovelace-1815","note_id":"nope","text":"x"}`, id: "nf2", code: protocol.CodeNotFound},
		{name: "not_found reminder", raw: `{"type":"removal_intent","id":"nf3","slug":"nobody-here"}`, id: "nf3", code: protocol.CodeNotFound},
		{name: "conflict", raw: `{"type":"note_add","id":"c1","slug":"grace-hopper","note_id":"taken","text":"y"}`, id: "c1", code: protocol.CodeConflict},
		{name: "second hello", raw: fmt.Sprintf(`{"type":"hello","id":"h2","protocol":1,"pairing_code":%q}`, e.code), id: "h2", code: protocol.CodeInvalidField},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			er := c.expectError(tt.raw, tt.code)
			if er.ID != tt.id {
				t.Errorf("error id %q, want %q", er.ID, tt.id)
			}
			c.ping()
		})
	}
	t.Run("binary frame", func(t *testing.T) {
		if err := c.ws.Write(ctx, websocket.MessageBinary, []byte(`{"type":"ping","id":"x"}`)); err != nil {
			t.Fatal(err)
		}
		var er protocol.ErrorReply
		c.recv(&er)
		if er.Code != protocol.CodeBadJSON {
			t.Errorf("binary frame answered %+v", er)
		}
		c.ping()
	})
	t.Run("unauthorized", func(t *testing.T) {
		u, _, err := e.dial(ctx, chromeOrigin)
		if err != nil {
			t.Fatal(err)
		}
		er := u.expectError(`{"type":"contact_get","id":"x1","slug":"ada-lovelace-1815"}`, protocol.CodeUnauthorized)
		if er.ID != "x1" {
			t.Errorf("id %q", er.ID)
		}
		u.expectClose(protocol.CloseHelloExpected)
		// A connection that says hello first is served.
		e.connect(ctx).ping()
	})
	t.Run("nothing stored was lost", func(t *testing.T) {
		var got protocol.ContactReply
		c.mustCall(map[string]any{"type": "contact_get", "slug": ada.Slug}, protocol.TypeContact, &got)
		if len(got.Contact.Notes) != 1 || got.Contact.Notes[0].ID != "taken" {
			t.Errorf("notes = %+v", got.Contact.Notes)
		}
	})
}

func TestRateLimit(t *testing.T) {
	e := newEnv(t, func(c *Config) {
		c.RateLimit = 1
		c.RateBurst = 3
		c.MaxRefusals = 5
	})
	ctx := testContext(t)
	c := e.connect(ctx) // hello takes one token
	c.ping()
	c.ping()
	er := c.expectError(`{"type":"ping","id":"over"}`, protocol.CodeRateLimited)
	if er.ID != "over" {
		t.Errorf("rate_limited id %q, want over", er.ID)
	}
	// Tokens come back with time; the connection is usable again.
	e.clock.Advance(2 * time.Second)
	c.ping()
	c.ping()

	// A client that keeps flooding is closed.
	for i := 0; i < 10; i++ {
		if err := c.ws.Write(ctx, websocket.MessageText, []byte(`{"type":"ping"}`)); err != nil {
			break
		}
	}
	reason := c.expectClose(protocol.CloseRateLimited)
	if reason != reasonRateLimited {
		t.Errorf("reason %q", reason)
	}
}

// A connection closed for flooding still gets every reply to what the daemon
// accepted before the close: a client that sent a note must learn it was
// stored, even if the connection then ends.
func TestRepliesQueuedBeforeCloseAreDelivered(t *testing.T) {
	const burst, maxRefusals = 300, 20
	e := newEnv(t, func(c *Config) {
		c.RateLimit = 0.001 // the frozen clock refills nothing
		c.RateBurst = burst
		c.MaxRefusals = maxRefusals
	})
	ctx := testContext(t)
	c := e.connect(ctx) // hello takes one token
	for i := 0; i < burst+2*maxRefusals; i++ {
		if err := c.ws.Write(ctx, websocket.MessageText, []byte(`{"type":"ping","id":"p"}`)); err != nil {
			break
		}
	}
	pongs, limited := 0, 0
	for {
		_, data, err := c.ws.Read(ctx)
		if err != nil {
			if code := websocket.CloseStatus(err); code != protocol.CloseRateLimited {
				t.Fatalf("connection ended with %v, want close %d", err, protocol.CloseRateLimited)
			}
			break
		}
		var h protocol.ErrorReply
		if err := json.Unmarshal(data, &h); err != nil {
			t.Fatal(err)
		}
		switch {
		case h.Type == protocol.TypePong:
			pongs++
		case h.Type == protocol.TypeError && h.Code == protocol.CodeRateLimited:
			limited++
		default:
			t.Fatalf("unexpected message %s", data)
		}
	}
	if pongs != burst-1 || limited != maxRefusals-1 {
		t.Errorf("got %d pongs and %d rate_limited before the close, want %d and %d", pongs, limited, burst-1, maxRefusals-1)
	}
}

func TestInternalErrorsAndPanics(t *testing.T) {
	e := newEnv(t)
	e.srv.hook = func(r protocol.Request) {
		if r.RequestType() == protocol.TypeStatus {
			panic("secret detail: /home/someone/tactful.db")
		}
	}
	ctx := testContext(t)
	c := e.connect(ctx)
	er := c.expectError(`{"type":"status","id":"s"}`, protocol.CodeInternal)
	if er.ID != "s" || strings.Contains(er.Message, "secret") || er.Message != protocol.ErrorMessage(fmt.Errorf("x")) {
		t.Errorf("internal error reply %+v", er)
	}
	c.ping()
	c.see("en-US", ada)

	// Without a store every request but ping is internal, never a crash.
	bare := New(Config{Pairing: e.keeper, BadCodeDelay: -1})
	defer bare.Close()
	if got := bare.vocabulary(); fmt.Sprint(got) != fmt.Sprint(protocol.DefaultTags) {
		t.Errorf("vocabulary without a store = %v", got)
	}
	if _, _, err := bare.safeHandle(&protocol.StatusGet{}); protocol.ErrorCode(err) != protocol.CodeInternal {
		t.Errorf("status without a store: %v", err)
	}
}

func TestSlowConsumerIsClosedNotWaitedFor(t *testing.T) {
	s := New(Config{SendQueue: 1})
	defer s.Close()
	c := &conn{s: s, send: make(chan []byte, 1), quit: make(chan struct{}), log: s.log}
	c.push([]byte("one"))
	select {
	case <-c.quit:
		t.Fatal("closed with room in the queue")
	default:
	}
	c.push([]byte("two")) // must not block
	select {
	case <-c.quit:
	default:
		t.Fatal("a full queue did not close the connection")
	}
	if c.closeCode != StatusTooSlow {
		t.Errorf("close code %d, want %d", c.closeCode, StatusTooSlow)
	}
}

func hasBadge(a protocol.Annotation, k protocol.BadgeKind) bool {
	for _, b := range a.Badges {
		if b.Kind == k {
			return true
		}
	}
	return false
}

func eventKinds(evs []protocol.Event) []protocol.EventKind {
	out := []protocol.EventKind{}
	for _, e := range evs {
		out = append(out, e.Kind)
	}
	return out
}

func seqs(evs []protocol.Event) []string {
	out := []string{}
	for _, e := range evs {
		out = append(out, e.ID.String())
	}
	return out
}

func TestConcurrentClientsSeeEveryChange(t *testing.T) {
	e := newEnv(t)
	ctx := testContext(t)
	const clients, notes = 5, 20
	cs := make([]*client, clients)
	for i := range cs {
		cs[i] = e.connect(ctx)
	}
	cs[0].see("en-US", ada)
	errs := make(chan error, clients)
	for i, c := range cs {
		go func() {
			// Writes from this goroutine, reads in the loop below: the
			// server must push to everyone while everyone writes.
			go func() {
				for n := 0; n < notes; n++ {
					data, _ := json.Marshal(map[string]any{"type": "note_add", "id": fmt.Sprintf("c%d-%d", i, n), "slug": ada.Slug,
						"note_id": fmt.Sprintf("c%d-n%d", i, n), "text": "note"})
					if err := c.ws.Write(ctx, websocket.MessageText, data); err != nil {
						return
					}
				}
			}()
			replies, pushes := 0, 0
			for replies < notes || pushes < (clients-1)*notes {
				_, data, err := c.ws.Read(ctx)
				if err != nil {
					errs <- fmt.Errorf("client %d after %d replies and %d pushes: %w", i, replies, pushes, err)
					return
				}
				var head protocol.Header
				if err := json.Unmarshal(data, &head); err != nil {
					errs <- err
					return
				}
				switch head.Type {
				case protocol.TypeNoteSaved:
					if !strings.HasPrefix(head.ID, fmt.Sprintf("c%d-", i)) {
						errs <- fmt.Errorf("client %d got the reply %s", i, data)
						return
					}
					replies++
				case protocol.TypeContactChanged:
					pushes++
				default:
					errs <- fmt.Errorf("client %d got %s", i, data)
					return
				}
			}
			errs <- nil
		}()
	}
	for range cs {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	var st protocol.StatusReply
	cs[0].mustCall(map[string]any{"type": "status"}, protocol.TypeStatusReply, &st)
	if st.Notes != clients*notes {
		t.Errorf("%d notes stored, want %d", st.Notes, clients*notes)
	}
}

func TestStorageFailedKeepsServing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tactful.db")
	rw, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rw.See([]store.Sighting{{Slug: ada.Slug, Name: ada.Name}}); err != nil {
		t.Fatal(err)
	}
	if err := rw.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := store.Open(path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ro.Close() })
	e := newEnv(t, func(c *Config) { c.Store = ro })
	ctx := testContext(t)
	c := e.connect(ctx)
	er := c.expectError(`{"type":"note_add","id":"w","slug":"ada-lovelace-1815","note_id":"n1","text":"hello"}`, protocol.CodeStorage)
	if er.ID != "w" {
		t.Errorf("id %q", er.ID)
	}
	var got protocol.ContactReply
	c.mustCall(map[string]any{"type": "contact_get", "slug": ada.Slug}, protocol.TypeContact, &got)
	if got.Contact.Name != ada.Name || len(got.Contact.Notes) != 0 {
		t.Errorf("contact after a failed write = %+v", got.Contact)
	}
	c.ping()
}

// A paired client that goes silent (a browser gone without closing its
// socket) is closed, so it cannot hold a connection slot for ever; one that
// pings as the protocol asks stays.
func TestIdleConnectionIsClosed(t *testing.T) {
	const idle = 400 * time.Millisecond
	e := newEnv(t, func(c *Config) { c.IdleTimeout = idle })
	ctx := testContext(t)
	silent := e.connect(ctx)
	pinging := e.connect(ctx)
	// Ping for three idle periods; the silent client must be gone by then.
	for end := time.Now().Add(3 * idle); time.Now().Before(end); {
		pinging.ping()
		time.Sleep(idle / 8)
	}
	if reason := silent.expectClose(protocol.CloseIdle); reason != reasonIdle {
		t.Errorf("reason %q", reason)
	}
	pinging.ping()
}
