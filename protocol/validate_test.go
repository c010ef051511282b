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
