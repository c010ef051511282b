package securitytest

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/tactful/tactful/daemon/store"
	"github.com/tactful/tactful/protocol"
)

// replyTo is the reply type each request calls for. A hello on a paired
// connection calls for none: it is refused.
var replyTo = map[string]string{
	protocol.TypeHello:             "",
	protocol.TypePing:              protocol.TypePong,
	protocol.TypeContactsSeen:      protocol.TypeAnnotations,
	protocol.TypeNoteAdd:           protocol.TypeNoteSaved,
	protocol.TypeNoteEdit:          protocol.TypeNoteSaved,
	protocol.TypeNoteDelete:        protocol.TypeAnnotation,
	protocol.TypeTagsSet:           protocol.TypeAnnotation,
	protocol.TypeFalloutMark:       protocol.TypeAnnotation,
	protocol.TypeRemovalIntent:     protocol.TypeReminder,
	protocol.TypeRemovalOutcome:    protocol.TypeAnnotation,
	protocol.TypeContactGet:        protocol.TypeContact,
	protocol.TypeHistoryGet:        protocol.TypeHistory,
	protocol.TypeImportConnections: protocol.TypeImportResult,
	protocol.TypeImportJSON:        protocol.TypeImportResult,
	protocol.TypeExport:            protocol.TypeExportData,
	protocol.TypeStatus:            protocol.TypeStatusReply,
	protocol.TypeReviewSave:        protocol.TypeContact,
	protocol.TypeReviewQueue:       protocol.TypeReviewQueueReply,
	protocol.TypeRemovalPlanGet:    protocol.TypeRemovalPlan,
	protocol.TypeRemovalPlanApply:  protocol.TypeRemovalPlan,
	protocol.TypeNetworkSummary:    protocol.TypeNetworkSummaryReply,
}

func TestReplyToCoversEveryRequest(t *testing.T) {
	for _, typ := range protocol.RequestTypes() {
		if _, ok := replyTo[typ]; !ok {
			t.Errorf("FuzzSession does not know what %q is answered with", typ)
		}
	}
}

// fuzzSeeds are the golden requests and the raw text of the invalid vectors
// in protocol/testdata, and a few hostile frames of our own.
func fuzzSeeds(tb testing.TB) [][]byte {
	dir := filepath.Join("..", "..", "protocol", "testdata")
	var out [][]byte
	requests, err := filepath.Glob(filepath.Join(dir, "requests", "*.json"))
	if err != nil || len(requests) == 0 {
		tb.Fatalf("no golden requests in %s: %v", dir, err)
	}
	for _, name := range requests {
		data, err := os.ReadFile(name)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, data)
	}
	invalid, err := filepath.Glob(filepath.Join(dir, "invalid", "*.json"))
	if err != nil || len(invalid) == 0 {
		tb.Fatalf("no invalid vectors in %s: %v", dir, err)
	}
	for _, name := range invalid {
		data, err := os.ReadFile(name)
		if err != nil {
			tb.Fatal(err)
		}
		var v struct {
			Raw string `json:"raw"`
		}
		if err := json.Unmarshal(data, &v); err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		out = append(out, []byte(v.Raw))
	}
	for _, s := range []string{
		"", "null", "{}", "\xff\xfe", `{"type":"ping","id":"x","id":"y"}`,
		`{"type":"contact_get","id":"c","slug":"..%2f..%2fetc%2fpasswd"}`,
		`{"type":"note_add","id":"n","slug":"ada-lovelace-1815","note_id":"../x","text":"hi"}`,
		`{"type":"history_get","id":"h","cursor":"18446744073709551616","limit":200}`,
		`{"type":"import_json","id":"j","data":"{\"contacts\":[{\"slug\":\"../x\"}]}"}`,
	} {
		out = append(out, []byte(s))
	}
	return out
}

// FuzzSession sends arbitrary bytes to the real daemon as one text frame on
// a paired connection. The reply must be the reply the request calls for or
// an error with a known code (the one protocol.Decode gives when the bytes
// do not decode; never internal), echoing the request's id; and ping must
// still get pong afterwards.
func FuzzSession(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	// The clock moves 10 ms at every reading, so each message brings the
	// connection's token bucket two tokens: the rate limiter never stands
	// between the fuzzer and the checks.
	clk := &clock{at: time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC), step: 10 * time.Millisecond}
	d, code := startDaemon(f, clk)
	if _, err := d.Store().See([]store.Sighting{
		{Slug: "ada-lovelace-1815", Name: "Ada Lovelace"},
		{Slug: "grace-hopper", Name: "Grace Hopper"},
		{Slug: "renee-xss-test", Name: "Renée"},
	}); err != nil {
		f.Fatal(err)
	}
	var ws *websocket.Conn // one paired connection, redialed after a failure
	f.Cleanup(func() {
		if ws != nil {
			ws.CloseNow()
		}
	})

	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > protocol.MaxMessageBytes {
			t.Skip("over the read limit; TestHostileInput covers that")
		}
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		t.Cleanup(func() {
			if t.Failed() && ws != nil { // out of step: start afresh
				ws.CloseNow()
				ws = nil
			}
		})
		if ws == nil {
			c, _, err := dialRaw(ctx, d.Addr(), chromeOrigin, "")
			if err != nil {
				t.Fatalf("dial: %v", err)
			}
			ws = c
			(&attacker{tb: t, ctx: ctx, ws: ws}).hello(code)
		}
		a := &attacker{tb: t, ctx: ctx, ws: ws}
		a.write(websocket.MessageText, data)
		head, reply := a.read()

		req, id, derr := protocol.Decode(data)
		if head.ID != id {
			t.Errorf("reply %.200s has id %q, want %q", reply, head.ID, id)
		}
		if head.Type == protocol.TypeError {
			if !slices.Contains(protocol.Codes, head.Code) || head.Code == protocol.CodeInternal {
				t.Fatalf("%.200q answered %.300s: not a client error", data, reply)
			}
			if derr != nil && head.Code != protocol.ErrorCode(derr) {
				t.Errorf("%.200q answered %s, want %s", data, head.Code, protocol.ErrorCode(derr))
			}
			if n := len(head.Message); n < 10 || n > 300 {
				t.Errorf("error message %q is not one clear sentence", head.Message)
			}
		} else {
			if derr != nil {
				t.Fatalf("%.200q does not decode (%v), yet it was answered %.300s", data, derr, reply)
			}
			if want := replyTo[req.RequestType()]; head.Type != want || want == "" {
				t.Fatalf("%s answered %.300s, want %q", req.RequestType(), reply, want)
			}
		}
		a.ping()
	})
}
