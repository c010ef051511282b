// Package export writes and reads tactful's own export files.
//
// The JSON export is one protocol.Archive, indented; importing it restores
// the store exactly, so ReadJSON is strict: a file that is not a tactful
// export, comes from a newer tactful, has fields this version does not know,
// or holds slugs, statuses or dates tactful would never write is refused
// with an *protocol.Error (code invalid_field, or too_large) saying so.
//
// The CSV export is for people and spreadsheets: one row per contact, CRLF
// line ends and a UTF-8 byte order mark so Excel reads the accents right,
// and every cell that a spreadsheet would run as a formula (names and notes
// come from web pages) starts with an apostrophe instead.
package export

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tactful/tactful/protocol"
)

// MaxJSONBytes is the largest JSON export ReadJSON reads.
const MaxJSONBytes = 256 << 20

// CSVHeader is the first row of the CSV export.
var CSVHeader = []string{"slug", "name", "headline", "company", "position", "connected_on", "status", "tags",
	"cooldown_until", "note_count", "notes", "first_seen", "last_seen", "events"}

// TagSeparator joins a contact's tags in one CSV cell.
const TagSeparator = "; "

// NoteSeparator joins a contact's notes, newest first, in one CSV cell.
const NoteSeparator = "\n---\n"

// WriteJSON writes a as an indented JSON export. The same archive always
// gives the same bytes. A zero Format or Version is filled in with
// protocol.ArchiveFormat and protocol.ArchiveVersion.
func WriteJSON(w io.Writer, a protocol.Archive) error {
	if a.Format == "" {
		a.Format = protocol.ArchiveFormat
	}
	if a.Version == 0 {
		a.Version = protocol.ArchiveVersion
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(a); err != nil {
		return fmt.Errorf("write json export: %w", err)
	}
	return nil
}

// ReadJSON reads a JSON export written by WriteJSON (this version of
// tactful or an older one). Errors meant for the user are *protocol.Error.
func ReadJSON(r io.Reader) (protocol.Archive, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxJSONBytes+1))
	if err != nil {
		return protocol.Archive{}, fmt.Errorf("read json export: %w", err)
	}
	if len(data) > MaxJSONBytes {
		return protocol.Archive{}, protocol.Errorf(protocol.CodeTooLarge, "This file is larger than %d MiB; tactful reads exports up to that size.", MaxJSONBytes>>20)
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return protocol.Archive{}, notExport("it is not a JSON object")
	}
	if !utf8.Valid(trimmed) {
		return protocol.Archive{}, notExport("it is not UTF-8 text")
	}
	var head struct {
		Format  json.RawMessage `json:"format"`
		Version json.RawMessage `json:"version"`
	}
	if err := json.NewDecoder(bytes.NewReader(trimmed)).Decode(&head); err != nil {
		return protocol.Archive{}, notExport("it is not valid JSON")
	}
	var format string
	if len(head.Format) == 0 || json.Unmarshal(head.Format, &format) != nil || format == "" {
		return protocol.Archive{}, notExport("it has no format field")
	}
	if format != protocol.ArchiveFormat {
		return protocol.Archive{}, notExport(fmt.Sprintf("format %q", clip(format, 40)))
	}
	var version int
	if len(head.Version) == 0 || json.Unmarshal(head.Version, &version) != nil || version < 1 {
		return protocol.Archive{}, protocol.Errorf(protocol.CodeInvalidField, "This tactful export has no valid version number.")
	}
	if version > protocol.ArchiveVersion {
		return protocol.Archive{}, protocol.Errorf(protocol.CodeInvalidField,
			"This export was written by a newer tactful (export version %d); this one reads up to version %d. Update tactful to import it.",
			version, protocol.ArchiveVersion)
	}
	var a protocol.Archive
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		return protocol.Archive{}, damaged(jsonProblem(err))
	}
	if dec.More() {
		return protocol.Archive{}, damaged("there is more after the export's closing brace")
	}
	if err := check(a); err != nil {
		return protocol.Archive{}, err
	}
	return a, nil
}

// check refuses content tactful would never have written, so a crafted file
// cannot put it in the store.
func check(a protocol.Archive) error {
	seen := make(map[string]bool, len(a.Contacts))
	for i, c := range a.Contacts {
		n := i + 1
		slug, err := protocol.CanonicalSlug(c.Slug)
		if err != nil || slug != c.Slug {
			return damaged(fmt.Sprintf("contact %d has no valid profile slug", n))
		}
		if seen[slug] {
			return damaged(fmt.Sprintf("contact %d repeats the profile %q", n, slug))
		}
		seen[slug] = true
		if !c.Status.Valid() {
			return damaged(fmt.Sprintf("contact %d has an unknown status", n))
		}
		if !isDay(c.ConnectedOn) || !isDay(c.CooldownUntil) {
			return damaged(fmt.Sprintf("contact %d has a date that is not YYYY-MM-DD", n))
		}
		for _, note := range c.Notes {
			if note.ID == "" || utf8.RuneCountInString(note.Text) > protocol.MaxNoteChars {
				return damaged(fmt.Sprintf("contact %d has a note without an id or over %d characters", n, protocol.MaxNoteChars))
			}
		}
	}
	for i, e := range a.Events {
		n := i + 1
		if !e.Kind.Valid() {
			return damaged(fmt.Sprintf("event %d has an unknown kind", n))
		}
		if e.Slug == "" {
			continue // an event about the whole store, not one contact
		}
		if slug, err := protocol.CanonicalSlug(e.Slug); err != nil || slug != e.Slug {
			return damaged(fmt.Sprintf("event %d has no valid profile slug", n))
		}
	}
	return nil
}

func isDay(s string) bool {
	if s == "" {
		return true
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

func notExport(why string) error {
	return protocol.Errorf(protocol.CodeInvalidField, "This file is not a tactful export (%s).", why)
}

func damaged(why string) error {
	return protocol.Errorf(protocol.CodeInvalidField, "This tactful export is damaged: %s.", why)
}

func jsonProblem(err error) string {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return "a syntax error at byte " + strconv.FormatInt(syn.Offset, 10)
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) && typ.Field != "" {
		return "field " + clip(typ.Field, 60) + " has the wrong type"
	}
	if msg := err.Error(); strings.HasPrefix(msg, "json: unknown field ") {
		return "it has a field this tactful does not know, " + clip(strings.TrimPrefix(msg, "json: unknown field "), 60)
	}
	var perr *time.ParseError
	if errors.As(err, &perr) {
		return "a time is not in RFC 3339 form"
	}
	return "it ends too early or has the wrong shape"
}

// WriteCSV writes a as a CSV file for spreadsheets: a byte order mark, the
// CSVHeader row, then one row per contact in the archive's order. Tags are
// joined by TagSeparator, notes (newest first) by NoteSeparator; times are
// RFC 3339 in UTC; events counts the contact's events in the archive.
func WriteCSV(w io.Writer, a protocol.Archive) error {
	events := make(map[string]int, len(a.Contacts))
	for _, e := range a.Events {
		events[e.Slug]++
	}
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return fmt.Errorf("write csv export: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(CSVHeader); err != nil {
		return fmt.Errorf("write csv export: %w", err)
	}
	rec := make([]string, len(CSVHeader))
	for _, c := range a.Contacts {
		notes := slices.Clone(c.Notes)
		slices.SortStableFunc(notes, func(x, y protocol.Note) int { return y.Created.Compare(x.Created) })
		texts := make([]string, len(notes))
		for i, n := range notes {
			texts[i] = n.Text
		}
		rec[0] = c.Slug
		rec[1] = c.Name
		rec[2] = c.Headline
		rec[3] = c.Company
		rec[4] = c.Position
		rec[5] = c.ConnectedOn
		rec[6] = string(c.Status)
		rec[7] = strings.Join(c.Tags, TagSeparator)
		rec[8] = c.CooldownUntil
		rec[9] = strconv.Itoa(len(c.Notes))
		rec[10] = strings.Join(texts, NoteSeparator)
		rec[11] = stamp(c.FirstSeen)
		rec[12] = stamp(c.LastSeen)
		rec[13] = strconv.Itoa(events[c.Slug])
		for i := range rec {
			rec[i] = Cell(rec[i])
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("write csv export: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv export: %w", err)
	}
	return nil
}

// Cell makes s safe for a spreadsheet cell: text that starts with = + - @,
// a tab or a carriage return would run as a formula (CSV injection), so it
// gets a leading apostrophe, which spreadsheets show as text.
func Cell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// Filename is the name to save an export under: "tactful-export-2026-11-29.json"
// for format "json" on that day of now (in now's location, so the user's own
// day), ".csv" for "csv". Any other format gets ".json".
func Filename(format string, now time.Time) string {
	ext := "json"
	if strings.EqualFold(format, "csv") {
		ext = "csv"
	}
	return "tactful-export-" + now.Format(time.DateOnly) + "." + ext
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
