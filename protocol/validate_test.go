package protocol

import (
	"strings"
	"testing"
)

func TestTextChecks(t *testing.T) {
	for _, tc := range []struct {
		name string
		raw  string
		code Code // "" accepted
	}{
		{"a note keeps its lines and tabs", `{"type":"note_add","id":"1","slug":"ada-x","note_id":"n1","text":"one\n\ttwo\r\nthree"}`, ""},
		{"a note with a bell", `{"type":"note_add","id":"1","slug":"ada-x","note_id":"n1","text":"ding\u0007"}`, CodeInvalidField},
		{"a note with a C1 control", `{"type":"note_add","id":"1","slug":"ada-x","note_id":"n1","text":"x\u009bq"}`, CodeInvalidField},
		{"a name with a tab", `{"type":"contacts_seen","contacts":[{"slug":"ada-x","name":"Ada\tL"}]}`, CodeInvalidField},
		{"a name with a bidi mark that overrides nothing", `{"type":"contacts_seen","contacts":[{"slug":"ada-x","name":"عربي\u200fAda"}]}`, ""},
		{"a headline with a bidi isolate", `{"type":"contacts_seen","contacts":[{"slug":"ada-x","name":"Ada","headline":"\u2066x"}]}`, CodeInvalidField},
		{"a fall-out remark with an escape", `{"type":"fallout_mark","slug":"ada-x","text":"\u001b[2J"}`, CodeInvalidField},
		{"an accented name", `{"type":"contacts_seen","contacts":[{"slug":"ada-x","name":"José Núñez 🚀"}]}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _, err := Decode([]byte(tc.raw))
			if got := ErrorCode(err); got != tc.code {
				t.Fatalf("Decode: %v (code %q), want %q", err, got, tc.code)
			}
			if n, ok := req.(*NoteAdd); ok && n.Text != "one\n\ttwo\nthree" {
				t.Errorf("note text %q: Windows line ends should become \\n", n.Text)
			}
		})
	}
	if err := CheckLine("name", strings.Repeat("é", MaxNameChars), MaxNameChars); err != nil {
		t.Errorf("a name of MaxNameChars accented letters (more bytes than characters): %v", err)
	}
	if err := CheckNoteID(strings.Repeat("a", MaxIDChars+1)); ErrorCode(err) != CodeInvalidField {
		t.Errorf("a note id of %d characters: %v", MaxIDChars+1, err)
	}
}

// Decode reads strictly and says what is wrong in words a person can use.
func TestDecodeStrictly(t *testing.T) {
	for _, tc := range []struct {
		name, raw string
		code      Code
		says      string
	}{
		{"a repeated member", `{"type":"note_add","slug":"ada-x","note_id":"n1","text":"kind","text":"cruel"}`, CodeBadJSON, "Field text appears twice."},
		{"a repeated type", `{"type":"ping","type":"status"}`, CodeBadJSON, "Field type appears twice."},
		{"trailing data", `{"type":"ping"} {}`, CodeBadJSON, "exactly one JSON object"},
		{"invalid UTF-8 in a member nobody reads", "{\"type\":\"ping\",\"x\":\"\xff\"}", CodeBadJSON, "not valid UTF-8"},
		{"a name in the wrong case", `{"type":"ping","ID":"1"}`, CodeUnknownField, `Field "ID" is not part of this request.`},
		{"a number as a string", `{"type":"history_get","limit":"50"}`, CodeInvalidField, "Field limit must be a number, not a string."},
		{"a list of the wrong things", `{"type":"tags_set","slug":"ada-x","tags":[1]}`, CodeInvalidField, "Field tags.0 must be a string, not a number."},
		{"a cursor that is no id", `{"type":"history_get","cursor":"42"}`, CodeInvalidField, "next_cursor"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Decode([]byte(tc.raw))
			if ErrorCode(err) != tc.code || !strings.Contains(ErrorMessage(err), tc.says) {
				t.Errorf("Decode: %v, want %s saying %q", err, tc.code, tc.says)
			}
		})
	}
	req, _, err := Decode([]byte(`{"type":"history_get","cursor":"18ec7c8dd3d268005eed00000000002a","since":"2026-11-01"}`))
	if err != nil {
		t.Fatal(err)
	}
	h := req.(*HistoryGet)
	if h.Before.String() != h.Cursor || h.SinceDay.Format("2006-01-02") != "2026-11-01" {
		t.Errorf("cursor and since parsed to %s and %s", h.Before, h.SinceDay)
	}
}
