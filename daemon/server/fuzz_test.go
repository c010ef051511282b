package server

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/rs/zerolog"

	"github.com/tactful/tactful/daemon/annotate"
	"github.com/tactful/tactful/daemon/store"
	"github.com/tactful/tactful/protocol"
)

// FuzzHandle feeds arbitrary messages through decoding and dispatch against
// a real store. Whatever a client sends, the answer must be a reply or a
// client error: an internal error means validation let through something the
// store or the rules cannot take.
func FuzzHandle(f *testing.F) {
	for _, dir := range []string{"requests", "invalid"} {
		files, err := filepath.Glob(filepath.Join("..", "..", "protocol", "testdata", dir, "*.json"))
		if err != nil {
			f.Fatal(err)
		}
		for _, name := range files {
			data, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	clk := &clock{now: time.Date(2026, 11, 29, 12, 0, 0, 0, time.Local)}
	db, err := store.Open(filepath.Join(f.TempDir(), "tactful.db"), store.Options{Now: clk.Now})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	s := New(Config{Store: db, Rules: annotate.Rules{Now: clk.Now}, Logger: zerolog.Nop(), Now: clk.Now})
	f.Cleanup(s.Close)
	// Contacts the seeds refer to.
	if _, err := db.See([]store.Sighting{{Slug: "ada-lovelace-1815", Name: "Ada Lovelace"}, {Slug: "grace-hopper", Name: "Grace Hopper"}}); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		req, id, err := protocol.Decode(data)
		if err != nil {
			// Every refusal is one of the protocol's codes with a sentence,
			// and the id it echoes is one a client could have sent.
			var pe *protocol.Error
			if !errors.As(err, &pe) || !slices.Contains(protocol.Codes, pe.Code) || pe.Code == protocol.CodeInternal || pe.Message == "" {
				t.Fatalf("Decode(%q) refused with %#v, not a client error with a known code", data, err)
			}
			if utf8.RuneCountInString(id) > protocol.MaxIDChars || !utf8.ValidString(id) {
				t.Fatalf("Decode(%q) echoes the id %q", data, id)
			}
			return
		}
		// What Decode accepts is normalized for good: encoding it and
		// decoding again gives the same request.
		again, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		req2, _, err := protocol.Decode(again)
		if err != nil || !reflect.DeepEqual(req, req2) {
			t.Fatalf("Decode(%q) = %+v, which reads back as %+v (%v)", data, req, req2, err)
		}
		if _, ok := req.(*protocol.Hello); ok {
			return
		}
		if _, ok := req.(*protocol.Export); ok {
			return // slow on a grown store and reads only
		}
		start := time.Now()
		_, _, err = s.safeHandle(req)
		if d := time.Since(start); d > 3*time.Second {
			t.Fatalf("%.300s took %v", data, d)
		}
		if protocol.ErrorCode(err) == protocol.CodeInternal {
			t.Fatalf("%s: internal error: %v", data, err)
		}
	})
}
