// Package benchmarks measures tactful's speed and memory; docs/benchmarks.md
// keeps the latest results and `make bench` (scripts/bench.sh) produces them.
//
// Speed and memory are measured here and by cmd/tactful-load, never asserted
// in tests. The only code outside the _test files builds the large store the
// benchmarks and the load generator share: a heavy user with LinkedIn's
// maximum of 30,000 connections and 300,000 history events.
package benchmarks

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/rs/zerolog"

	"github.com/tactful/tactful/daemon/store"
	"github.com/tactful/tactful/protocol"
)

// The size of the large store.
const (
	Contacts = 30000
	Events   = 300000
)

// FixtureVersion names the cached large store; change it whenever Archive
// or the store's file layout changes, so no stale cache is used.
const FixtureVersion = "v4"

// base is the first event's time; the fixture is the same on every run.
var base = time.Date(2023, 1, 2, 9, 0, 0, 0, time.UTC)

// Slug is the profile slug of the i-th contact of the large store.
func Slug(i int) string { return "person-" + strconv.Itoa(100000+i) + "-x" }

// Name is the name of the i-th contact.
func Name(i int) string { return "Person " + strconv.Itoa(i) }

// Archive returns the large store as an export: Contacts contacts, one in
// ten with a note, one in seven tagged, a few with a status or a fall-out,
// and Events events, each contact's history starting with its import.
func Archive() protocol.Archive {
	a := protocol.Archive{Format: protocol.ArchiveFormat, Version: protocol.ArchiveVersion,
		ExportedAt: base.AddDate(3, 0, 0), Contacts: make([]protocol.Contact, Contacts), Events: make([]protocol.Event, 0, Events)}
	var seq uint64
	event := func(i int, at time.Time, kind protocol.EventKind, summary string) *protocol.Event {
		seq++
		// A fixed id, so the fixture is the same on every build.
		var id protocol.EventID
		binary.BigEndian.PutUint64(id[:8], uint64(at.UnixNano()))
		binary.BigEndian.PutUint64(id[8:], seq)
		a.Events = append(a.Events, protocol.Event{ID: id, At: at, Slug: Slug(i), Name: Name(i), Kind: kind, Summary: summary})
		return &a.Events[len(a.Events)-1]
	}
	// One import event per contact, then the rest spread over three years.
	step := 3 * 365 * 24 * time.Hour / Events
	for i := range a.Contacts {
		at := base.Add(time.Duration(i) * step)
		c := protocol.Contact{
			Slug: Slug(i), Name: Name(i), Headline: "Engineer at Company " + strconv.Itoa(i%500),
			Company: "Company " + strconv.Itoa(i%500), Position: "Engineer",
			ConnectedOn: base.AddDate(-10, 0, i%3650).Format(time.DateOnly), ConnectedSource: protocol.DateFromImport,
			FirstSeen: at, LastSeen: at, Tags: []string{}, Notes: []protocol.Note{},
		}
		event(i, at, protocol.EventImported, "Imported from LinkedIn's export")
		a.Contacts[i] = c
	}
	for n := Contacts; n < Events; n++ {
		i := (n * 7919) % Contacts // scatter each contact's events over time
		c := &a.Contacts[i]
		at := base.Add(time.Duration(n) * step)
		switch {
		case i%10 == 0 && len(c.Notes) == 0:
			note := protocol.Note{ID: "note-" + strconv.Itoa(i), Text: "Met at a meetup in " + strconv.Itoa(2015+i%10) + "; ask about the project.", Created: at, Updated: at}
			c.Notes = append(c.Notes, note)
			e := event(i, at, protocol.EventNoteAdded, "Note added")
			e.NoteID, e.Text = note.ID, note.Text
		case i%7 == 0 && len(c.Tags) == 0:
			c.Tags = []string{"colleague"}
			e := event(i, at, protocol.EventTagsChanged, "Tags set to colleague")
			e.Tags = c.Tags
		case i%50 == 0 && c.Status == "":
			c.Status = protocol.StatusKeep
			e := event(i, at, protocol.EventStatusChanged, "Status set to keep")
			e.Status = c.Status
		case i%100 == 1 && c.FalloutAt == nil:
			t := at
			c.FalloutAt, c.CooldownUntil = &t, at.AddDate(0, 0, 14).Format(time.DateOnly)
			e := event(i, at, protocol.EventFalloutMarked, "Fall-out marked")
			e.Until = c.CooldownUntil
		default:
			event(i, at, protocol.EventReminderShown, "Removal reminder shown")
		}
		c.LastSeen = at
	}
	return a
}

// LargeStore returns the path of a cached copy of the large store, building
// it (store.Load of Archive, in slices; a minute or so) when the cache of this
// FixtureVersion is missing. The cache lives under os.TempDir() and is only
// read: open a copy (CopyLargeStore), never the cache itself.
func LargeStore() (string, error) {
	dir := filepath.Join(os.TempDir(), "tactful-bench-"+FixtureVersion)
	path := filepath.Join(dir, "large.db")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	// Build beside the cache and rename, so a concurrent builder or an
	// interrupted build never leaves a half-written cache.
	tmp, err := os.MkdirTemp(dir, "build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	db, err := store.Open(filepath.Join(tmp, "large.db"), store.Options{Logger: zerolog.Nop()})
	if err != nil {
		return "", err
	}
	// store.Load puts every event in one transaction, where bbolt's cost
	// grows with the square of the events (see docs/benchmarks.md): the
	// history goes in in slices instead, each event under its own id.
	a := Archive()
	events := a.Events
	for len(events) > 0 || a.Contacts != nil {
		n := min(len(events), 25000)
		a.Events = events[:n]
		if _, _, err := db.Load(a); err != nil {
			db.Close()
			return "", fmt.Errorf("load the large store: %w", err)
		}
		events, a.Contacts = events[n:], nil
	}
	if err := db.Close(); err != nil {
		return "", err
	}
	if err := os.Rename(filepath.Join(tmp, "large.db"), path); err != nil {
		return "", err
	}
	return path, nil
}

// CopyLargeStore writes a fresh copy of the large store to dst, for a
// benchmark or a daemon to open and change.
func CopyLargeStore(dst string) error {
	src, err := LargeStore()
	if err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// SeenRequest is the contacts_seen a connections page sends for the n cards
// of contacts first, first+1, ... (wrapping around the large store), with id
// and English "Connected ..." texts, both absolute and relative.
func SeenRequest(id string, first, n int) []byte {
	req := protocol.ContactsSeen{Header: protocol.Header{Type: protocol.TypeContactsSeen, ID: id}, Locale: "en-US",
		Contacts: make([]protocol.SeenContact, n)}
	for j := range req.Contacts {
		i := (first + j) % Contacts
		text := "Connected " + strconv.Itoa(1+i%11) + " months ago"
		if i%3 == 0 {
			text = "Connected on " + base.AddDate(-10, 0, i%3650).Format("January 2, 2006")
		}
		req.Contacts[j] = protocol.SeenContact{Slug: Slug(i), Name: Name(i), Headline: "Engineer at Company " + strconv.Itoa(i%500), ConnectedText: text}
	}
	data, err := json.Marshal(req)
	if err != nil {
		panic(err) // plain strings always encode
	}
	return data
}
