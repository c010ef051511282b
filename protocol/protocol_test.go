package protocol

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// replyTypes maps every reply and event type to its struct, so the golden
// replies can be decoded strictly.
var replyTypes = map[string]func() any{
	TypeWelcome:        func() any { return &Welcome{} },
	TypePong:           func() any { return &Pong{} },
	TypeAnnotations:    func() any { return &Annotations{} },
	TypeNoteSaved:      func() any { return &NoteSaved{} },
	TypeAnnotation:     func() any { return &AnnotationReply{} },
	TypeReminder:       func() any { return &ReminderReply{} },
	TypeContact:        func() any { return &ContactReply{} },
	TypeHistory:        func() any { return &HistoryReply{} },
	TypeImportResult:   func() any { return &ImportResult{} },
	TypeExportData:     func() any { return &ExportData{} },
	TypeError:          func() any { return &ErrorReply{} },
	TypeStatusReply:    func() any { return &StatusReply{} },
	TypeContactChanged: func() any { return &ContactChanged{} },

	TypeReviewQueueReply:    func() any { return &ReviewQueueReply{} },
	TypeRemovalPlan:         func() any { return &RemovalPlan{} },
	TypeNetworkSummaryReply: func() any { return &NetworkSummaryReply{} },
}

func readGolden(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files in testdata/%s: %v", dir, err)
	}
	out := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".json")] = b
	}
	return out
}

// sameJSON reports whether a and b hold the same JSON value.
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(x, y)
}

func TestGoldenRequestsDecode(t *testing.T) {
	covered := map[string]bool{}
	for name, raw := range readGolden(t, "requests") {
		t.Run(name, func(t *testing.T) {
			req, id, err := Decode(raw)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if id == "" || req.RequestID() != id {
				t.Errorf("id = %q, request id = %q", id, req.RequestID())
			}
			covered[req.RequestType()] = true
			// What the daemon decodes, re-encoded, must still decode: the
			// normalized form is a valid request too.
			again, err := json.Marshal(req)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := Decode(again); err != nil {
				t.Errorf("re-encoded request does not decode: %v\n%s", err, again)
			}
		})
	}
	for _, typ := range RequestTypes() {
		if !covered[typ] {
			t.Errorf("no golden request of type %q in testdata/requests", typ)
		}
	}
}

func TestGoldenRepliesMatchTypes(t *testing.T) {
	covered := map[string]bool{}
	for name, raw := range readGolden(t, "replies") {
		t.Run(name, func(t *testing.T) {
			var head Header
			if err := json.Unmarshal(raw, &head); err != nil {
				t.Fatal(err)
			}
			newReply, ok := replyTypes[head.Type]
			if !ok {
				t.Fatalf("type %q is not a reply or event", head.Type)
			}
			covered[head.Type] = true
			v := newReply()
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			if err := dec.Decode(v); err != nil {
				t.Fatalf("golden reply has fields the Go type lacks: %v", err)
			}
			// Every field in the file must survive a round trip through the
			// Go type, so a renamed json tag fails here.
			out, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			if !sameJSON(t, raw, out) {
				t.Errorf("round trip changed the message\n got: %s\nwant: %s", out, raw)
			}
		})
	}
	for typ := range replyTypes {
		if !covered[typ] {
			t.Errorf("no golden reply of type %q in testdata/replies", typ)
		}
	}
}

func TestGoldenInvalidRequests(t *testing.T) {
	covered := map[Code]bool{}
	for name, raw := range readGolden(t, "invalid") {
		t.Run(name, func(t *testing.T) {
			var c struct {
				Raw  string `json:"raw"`
				Code Code   `json:"code"`
			}
			if err := json.Unmarshal(raw, &c); err != nil {
				t.Fatal(err)
			}
			_, _, err := Decode([]byte(c.Raw))
			if got := ErrorCode(err); got != c.Code {
				t.Fatalf("code = %q (%v), want %q", got, err, c.Code)
			}
			if msg := ErrorMessage(err); len(msg) < 10 || len(msg) > 300 {
				t.Errorf("message %q is not a sentence a person can act on", msg)
			}
			covered[c.Code] = true
		})
	}
	for _, code := range []Code{CodeBadJSON, CodeUnknownType, CodeMissingField, CodeInvalidField, CodeUnknownField,
		CodeBatchTooLarge, CodeNoteTooLarge, CodeInvalidSlug} {
		if !covered[code] {
			t.Errorf("no invalid vector produces %q", code)
		}
	}
}

func TestDecodeRejectsInvalidUTF8(t *testing.T) {
	_, _, err := Decode([]byte("{\"type\":\"ping\",\"id\":\"\xff\xfe\"}"))
	if ErrorCode(err) != CodeBadJSON {
		t.Fatalf("got %v, want bad_json", err)
	}
}

func TestDecodeKeepsIDOfInvalidRequest(t *testing.T) {
	_, id, err := Decode([]byte(`{"type":"note_add","id":"abc","slug":"ada-lovelace-1815","note_id":"n1"}`))
	if err == nil || id != "abc" {
		t.Fatalf("id = %q, err = %v; the client needs the id to match the error to its request", id, err)
	}
}

func TestCanonicalSlugVectors(t *testing.T) {
	raw, err := os.ReadFile("testdata/slugs.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		In   string `json:"in"`
		Out  string `json:"out"`
		Code Code   `json:"code"`
	}
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		got, err := CanonicalSlug(c.In)
		if c.Code != "" {
			if ErrorCode(err) != c.Code {
				t.Errorf("CanonicalSlug(%q) = %q, %v; want code %s", c.In, got, err, c.Code)
			}
			continue
		}
		if err != nil || got != c.Out {
			t.Errorf("CanonicalSlug(%q) = %q, %v; want %q", c.In, got, err, c.Out)
		}
	}
}

func TestDecodeNormalizes(t *testing.T) {
	req, _, err := Decode([]byte(`{"type":"tags_set","id":"1","slug":"Ada-Lovelace-1815","tags":["  Interests  Drifted ","inactive","INACTIVE"]}`))
	if err != nil {
		t.Fatal(err)
	}
	ts := req.(*TagsSet)
	if ts.Slug != "ada-lovelace-1815" {
		t.Errorf("slug = %q", ts.Slug)
	}
	if want := []string{"interests-drifted", "inactive"}; !reflect.DeepEqual(*ts.Tags, want) {
		t.Errorf("tags = %q, want %q", *ts.Tags, want)
	}
}

func FuzzDecode(f *testing.F) {
	for _, dir := range []string{"requests", "invalid"} {
		files, _ := filepath.Glob(filepath.Join("testdata", dir, "*.json"))
		for _, file := range files {
			b, _ := os.ReadFile(file)
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		req, _, err := Decode(data)
		if err != nil {
			if ErrorCode(err) == CodeInternal {
				t.Fatalf("Decode returned an uncoded error: %v", err)
			}
			return
		}
		// A request the daemon accepted must be valid again once
		// normalized: validation is idempotent.
		again, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := Decode(again); err != nil {
			t.Fatalf("accepted %q but not its normal form %s: %v", data, again, err)
		}
	})
}
