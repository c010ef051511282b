package export

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tactful/tactful/protocol"
)

func day(d int, h int) time.Time { return time.Date(2026, 11, d, h, 30, 15, 123456789, time.UTC) }

// eventID is a fixed id for an event at t.
func eventID(t time.Time, n byte) protocol.EventID {
	id, err := protocol.ParseEventID(fmt.Sprintf("%016x%016x", t.UnixNano(), n))
	if err != nil {
		panic(err)
	}
	return id
}

func archive() protocol.Archive {
	fallout := day(20, 9)
	return protocol.Archive{
		Format:     protocol.ArchiveFormat,
		Version:    protocol.ArchiveVersion,
		ExportedAt: day(29, 10),
		Contacts: []protocol.Contact{
			{
				Slug: "ada-lovelace-1815", Name: "Ada Lovelace", Headline: "Programmer", Company: "Babbage & Co",
				Position: "Analyst", ConnectedOn: "2026-11-01", ConnectedSource: protocol.DateFromImport,
				ConnectedText: "Connected on November 1, 2026", FirstSeen: day(2, 8), LastSeen: day(28, 8),
				Tags: []string{"mentor", "london"}, Status: protocol.StatusKeep,
				FalloutAt: &fallout, CooldownUntil: "2026-12-04",
				Notes: []protocol.Note{
					{ID: "n1", Text: "Met at the \"Engine\" talk,\nlovely.", Created: day(3, 8), Updated: day(3, 8)},
					{ID: "n2", Text: "Disagreed about notation.", Created: day(20, 9), Updated: day(21, 9)},
				},
			},
			{
				Slug: "josé-garcía-núñez-4b1a2c3", Name: "José García-Núñez", FirstSeen: day(5, 8), LastSeen: day(5, 8),
				Tags: []string{}, Notes: []protocol.Note{},
			},
			{
				Slug: "renee-xss-test", Name: "=HYPERLINK(\"http://evil.example\",\"click\")",
				Headline: "+1 555 0100", Company: "-2+3", Position: "@SUM(A1:A9)",
				FirstSeen: day(6, 8), LastSeen: day(6, 8), Tags: []string{"+thing"},
				Notes: []protocol.Note{{ID: "n3", Text: "\t=1+1", Created: day(6, 9), Updated: day(6, 9)}},
			},
		},
		Events: []protocol.Event{
			{ID: eventID(day(2, 8), 1), At: day(2, 8), Slug: "ada-lovelace-1815", Name: "Ada Lovelace", Kind: protocol.EventFirstSeen, Summary: "First seen"},
			{ID: eventID(day(3, 8), 2), At: day(3, 8), Slug: "ada-lovelace-1815", Name: "Ada Lovelace", Kind: protocol.EventNoteAdded, Summary: "Note added", NoteID: "n1", Text: "Met at the talk"},
			{ID: eventID(day(5, 8), 3), At: day(5, 8), Slug: "josé-garcía-núñez-4b1a2c3", Name: "José García-Núñez", Kind: protocol.EventFirstSeen, Summary: "First seen"},
			{ID: eventID(day(20, 9), 4), At: day(20, 9), Slug: "ada-lovelace-1815", Name: "Ada Lovelace", Kind: protocol.EventFalloutMarked, Summary: "Fallout marked", Until: "2026-12-04"},
			{ID: eventID(day(21, 9), 5), At: day(21, 9), Slug: "ada-lovelace-1815", Name: "Ada Lovelace", Kind: protocol.EventTagsChanged, Summary: "Tags changed", Tags: []string{"mentor", "london"}, Status: protocol.StatusKeep},
			{ID: eventID(day(22, 9), 6), At: day(22, 9), Slug: "renee-xss-test", Name: "Renee", Kind: protocol.EventImported, Summary: "Imported from LinkedIn's export"},
		},
	}
}

func TestJSONRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		a    protocol.Archive
	}{
		{"full", archive()},
		{"empty store", protocol.Archive{Format: protocol.ArchiveFormat, Version: protocol.ArchiveVersion, ExportedAt: day(29, 10),
			Contacts: []protocol.Contact{}, Events: []protocol.Event{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteJSON(&buf, tt.a); err != nil {
				t.Fatal(err)
			}
			first := buf.String()
			got, err := ReadJSON(&buf)
			if err != nil {
				t.Fatalf("ReadJSON: %v\n%s", err, first)
			}
			if !reflect.DeepEqual(got, tt.a) {
				t.Errorf("round trip changed the archive\n got %+v\nwant %+v", got, tt.a)
			}
			var again bytes.Buffer
			if err := WriteJSON(&again, got); err != nil {
				t.Fatal(err)
			}
			if again.String() != first {
				t.Errorf("writing the read archive gives other bytes")
			}
		})
	}
}

func TestWriteJSONReadable(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, archive()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"{\n  \"format\": \"tactful-export\",\n  \"version\": 2,", "Babbage & Co", "José"} {
		if !strings.Contains(out, want) {
			t.Errorf("JSON export lacks %q (indented, unescaped text)", want)
		}
	}
}

func TestReadJSONRefuses(t *testing.T) {
	valid := func(edit func(s string) string) string {
		var buf bytes.Buffer
		if err := WriteJSON(&buf, archive()); err != nil {
			t.Fatal(err)
		}
		return edit(buf.String())
	}
	tests := []struct {
		name     string
		in       string
		wantCode protocol.Code
		wantMsg  string
	}{
		{"empty", "", protocol.CodeInvalidField, "This file is not a tactful export (it is not a JSON object)."},
		{"html", "<!DOCTYPE html><html></html>", protocol.CodeInvalidField, "This file is not a tactful export (it is not a JSON object)."},
		{"csv", "slug,name\r\nada,Ada\r\n", protocol.CodeInvalidField, "This file is not a tactful export (it is not a JSON object)."},
		{"latin-1 before the object", "\xe9\xe9", protocol.CodeInvalidField, "This file is not a tactful export (it is not UTF-8 text)."},
		{"latin-1 in a record", "{\"format\":\"tactful-export\",\"version\":2,\"contacts\":[{\"slug\":\"\xe9\"}]}", protocol.CodeInvalidField, "This tactful export is damaged: it is not UTF-8 text at byte 60."},
		{"a field twice", `{"format":"tactful-export","version":2,"contacts":[{"slug":"ada-x","slug":"bob-y"}]}`, protocol.CodeInvalidField, "This tactful export is damaged: a field appears twice, at .contacts.0.slug."},
		{"other JSON", `{"name":"package.json"}`, protocol.CodeInvalidField, "This file is not a tactful export (it has no format field)."},
		{"wrong format", `{"format":"other-app","version":1}`, protocol.CodeInvalidField, `This file is not a tactful export (format "other-app").`},
		{"format not a string", `{"format":7,"version":1}`, protocol.CodeInvalidField, "This file is not a tactful export (it has no format field)."},
		{"broken JSON", `{"format":"tactful-export","version":1,`, protocol.CodeInvalidField, "This tactful export is damaged: it ends too early."},
		{"broken before the format", `{"format"`, protocol.CodeInvalidField, "This file is not a tactful export (it is not valid JSON)."},
		{"newer version", `{"format":"tactful-export","version":3,"contacts":[],"events":[]}`, protocol.CodeInvalidField,
			"This export was written by a newer tactful (export version 3); this one reads up to version 2. Update tactful to import it."},
		{"no version", `{"format":"tactful-export","contacts":[],"events":[]}`, protocol.CodeInvalidField, "This tactful export has no valid version number."},
		{"version zero", `{"format":"tactful-export","version":0}`, protocol.CodeInvalidField, "This tactful export has no valid version number."},
		{"unknown field", valid(func(s string) string { return strings.Replace(s, `"version": 2,`, `"version": 2, "admin": true,`, 1) }),
			protocol.CodeInvalidField, `This tactful export is damaged: it has a field this tactful does not know, "admin".`},
		{"trailing data", valid(func(s string) string { return s + "{}" }), protocol.CodeInvalidField,
			"This tactful export is damaged: there is more after the export's closing brace."},
		{"path trick slug", valid(func(s string) string {
			return strings.Replace(s, `"slug":"ada-lovelace-1815"`, `"slug":"../../etc"`, 1)
		}), protocol.CodeInvalidField, `This tactful export is damaged: contact 1 (../../etc): "../../etc" is not a profile slug: only letters, digits, - and _ may appear.`},
		{"slug not canonical", valid(func(s string) string {
			return strings.Replace(s, `"slug":"ada-lovelace-1815"`, `"slug":"Ada-Lovelace-1815"`, 1)
		}), protocol.CodeInvalidField, `This tactful export is damaged: contact 1 (Ada-Lovelace-1815): The slug "Ada-Lovelace-1815" is not in its canonical form "ada-lovelace-1815".`},
		{"repeated slug", valid(func(s string) string {
			return strings.Replace(s, `"slug":"renee-xss-test"`, `"slug":"ada-lovelace-1815"`, 1)
		}), protocol.CodeInvalidField, `This tactful export is damaged: contact 3 repeats the profile "ada-lovelace-1815".`},
		{"bad status", valid(func(s string) string { return strings.Replace(s, `"status":"keep"`, `"status":"boss"`, 1) }),
			protocol.CodeInvalidField, `This tactful export is damaged: contact 1 (ada-lovelace-1815): "boss" is not a status.`},
		{"bad date", valid(func(s string) string { return strings.Replace(s, `"2026-12-04"`, `"next week"`, 1) }),
			protocol.CodeInvalidField, "This tactful export is damaged: contact 1 (ada-lovelace-1815): Field cooldown_until must be a date like 2026-01-31."},
		{"control characters in a name", valid(func(s string) string {
			return strings.Replace(s, `"name":"Ada Lovelace"`, `"name":"Ada\u001b]0;owned\u0007"`, 1)
		}),
			protocol.CodeInvalidField, "This tactful export is damaged: contact 1 (ada-lovelace-1815): Field name holds the control character U+001B; names, headlines and tags are plain text."},
		{"name over the wire's limit", valid(func(s string) string {
			return strings.Replace(s, `"name":"Ada Lovelace"`, `"name":"`+strings.Repeat("A", protocol.MaxNameChars+1)+`"`, 1)
		}), protocol.CodeInvalidField, "This tactful export is damaged: contact 1 (ada-lovelace-1815): Field name is longer than 500 characters."},
		{"event without an id", valid(func(s string) string { return strings.Replace(s, `"id":"`, `"xid":"`, 1) }),
			protocol.CodeInvalidField, `This tactful export is damaged: it has a field this tactful does not know, "xid".`},
		{"bad event kind", valid(func(s string) string { return strings.Replace(s, `"kind":"first_seen"`, `"kind":"hacked"`, 1) }),
			protocol.CodeInvalidField, `This tactful export is damaged: event 1 (ada-lovelace-1815): "hacked" is not a kind of event.`},
		{"wrong type", valid(func(s string) string { return strings.Replace(s, `"kind":"first_seen"`, `"kind":7`, 1) }),
			protocol.CodeInvalidField, "This tactful export is damaged: field events.kind has the wrong type or value."},
		{"seq in a version 2 export", valid(func(s string) string {
			return strings.Replace(s, `"kind":"first_seen"`, `"kind":"first_seen","seq":1`, 1)
		}),
			protocol.CodeInvalidField, `This tactful export is damaged: it has a field this tactful does not know, "seq".`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadJSON(strings.NewReader(tt.in))
			if got := protocol.ErrorCode(err); got != tt.wantCode {
				t.Fatalf("error %v (code %q), want code %q", err, got, tt.wantCode)
			}
			if got := protocol.ErrorMessage(err); got != tt.wantMsg {
				t.Errorf("message\n got %q\nwant %q", got, tt.wantMsg)
			}
		})
	}
}

func TestReadJSONTooLarge(t *testing.T) {
	maxJSONBytes = 1 << 20
	t.Cleanup(func() { maxJSONBytes = MaxJSONBytes })
	r := io.MultiReader(strings.NewReader(`{"format":"tactful-export","version":2,"contacts":[{"slug":"`),
		io.LimitReader(zeros{}, maxJSONBytes))
	_, err := ReadJSON(r)
	if protocol.ErrorCode(err) != protocol.CodeTooLarge {
		t.Fatalf("error %v, want too_large", err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '0'
	}
	return len(p), nil
}

func TestWriteCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, archive()); err != nil {
		t.Fatal(err)
	}
	raw := buf.Bytes()
	if !bytes.HasPrefix(raw, []byte("\xef\xbb\xbf")) {
		t.Fatalf("no UTF-8 byte order mark: Excel would read the accents wrong")
	}
	if !bytes.HasPrefix(raw[3:], []byte(strings.Join(CSVHeader, ",")+"\r\n")) {
		t.Errorf("header line is not %q with CRLF", strings.Join(CSVHeader, ","))
	}
	if bytes.Contains(bytes.ReplaceAll(raw, []byte("\r\n"), nil), []byte("\n")) {
		t.Errorf("a line ends with LF alone; Excel wants CRLF")
	}
	recs, err := csv.NewReader(bytes.NewReader(raw[3:])).ReadAll()
	if err != nil {
		t.Fatalf("the export is not valid CSV: %v", err)
	}
	if len(recs) != 1+3 {
		t.Fatalf("%d records, want a header and one row per contact (3)", len(recs))
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	tests := []struct {
		name      string
		row       int
		col, want string
	}{
		{"slug", 1, "slug", "ada-lovelace-1815"},
		{"name", 1, "name", "Ada Lovelace"},
		{"company with ampersand", 1, "company", "Babbage & Co"},
		{"tags joined", 1, "tags", "mentor; london"},
		{"notes newest first", 1, "notes", "Disagreed about notation.\n---\nMet at the \"Engine\" talk,\nlovely."},
		{"note count", 1, "note_count", "2"},
		{"status", 1, "status", "keep"},
		{"cooldown", 1, "cooldown_until", "2026-12-04"},
		{"connected on", 1, "connected_on", "2026-11-01"},
		{"first seen", 1, "first_seen", "2026-11-02T08:30:15Z"},
		{"last seen", 1, "last_seen", "2026-11-28T08:30:15Z"},
		{"events counted per contact", 1, "events", "4"},
		{"accents", 2, "name", "José García-Núñez"},
		{"no notes", 2, "notes", ""},
		{"no tags", 2, "tags", ""},
		{"one event", 2, "events", "1"},
		{"events of the third", 3, "events", "1"},
		{"formula in name", 3, "name", "'=HYPERLINK(\"http://evil.example\",\"click\")"},
		{"plus in headline", 3, "headline", "'+1 555 0100"},
		{"minus in company", 3, "company", "'-2+3"},
		{"at in position", 3, "position", "'@SUM(A1:A9)"},
		{"plus in tags", 3, "tags", "'+thing"},
		{"tab before a formula in notes", 3, "notes", "'\t=1+1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			i, ok := col[tt.col]
			if !ok {
				t.Fatalf("no column %q", tt.col)
			}
			if got := recs[tt.row][i]; got != tt.want {
				t.Errorf("row %d %s = %q, want %q", tt.row, tt.col, got, tt.want)
			}
		})
	}
}

func TestCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"Ada", "Ada"},
		{"=1+1", "'=1+1"},
		{"+1", "'+1"},
		{"-1", "'-1"},
		{"@x", "'@x"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"a=b", "a=b"},
		{"'quoted", "'quoted"},
	}
	for _, tt := range tests {
		if got := Cell(tt.in); got != tt.want {
			t.Errorf("Cell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFilename(t *testing.T) {
	now := time.Date(2026, 11, 29, 23, 30, 0, 0, time.FixedZone("UTC+2", 2*3600))
	tests := []struct{ format, want string }{
		{"json", "tactful-export-2026-11-29.json"},
		{"csv", "tactful-export-2026-11-29.csv"},
		{"CSV", "tactful-export-2026-11-29.csv"},
		{"../../etc/passwd", "tactful-export-2026-11-29.json"},
	}
	for _, tt := range tests {
		if got := Filename(tt.format, now); got != tt.want {
			t.Errorf("Filename(%q) = %q, want %q", tt.format, got, tt.want)
		}
	}
}

// An export says only what is known: a contact imported from LinkedIn's
// file has not been seen on a page, and its last_seen is left out rather
// than written as year 1.
func TestJSONLeavesUnknownTimesOut(t *testing.T) {
	a := protocol.Archive{Contacts: []protocol.Contact{{Slug: "ada-x", Name: "Ada", FirstSeen: day(2, 8), Tags: []string{},
		Notes: []protocol.Note{{ID: "n1", Text: "undated"}}}}}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, a); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, absent := range []string{"0001-01-01", "last_seen", "exported_at", "created", "updated"} {
		if strings.Contains(out, absent) {
			t.Errorf("the export writes %q for a time nobody knows:\n%s", absent, out)
		}
	}
	got, err := ReadJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Contacts[0].LastSeen.IsZero() || !got.Contacts[0].FirstSeen.Equal(day(2, 8)) {
		t.Errorf("read back: first %s, last %s", got.Contacts[0].FirstSeen, got.Contacts[0].LastSeen)
	}
}
