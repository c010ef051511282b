// Package export writes and reads tactful's own export files.
//
// The JSON export is one protocol.Archive, one record per line; importing it restores
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
	"bufio"
	"bytes"
	"encoding/csv"
	stdjson "encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/tactful/tactful/protocol"
)

// MaxJSONBytes is the largest JSON export ScanJSON reads. The records are
// read one at a time, so this bounds the disk a restore may fill, not the
// memory it takes.
const MaxJSONBytes = 1 << 30

// maxJSONBytes is MaxJSONBytes, smaller in tests.
var maxJSONBytes int64 = MaxJSONBytes

// CSVHeader is the first row of the CSV export.
var CSVHeader = []string{"slug", "name", "headline", "company", "position", "connected_on", "status", "tags",
	"cooldown_until", "note_count", "notes", "first_seen", "last_seen", "events",
	// The latest guided review (issue 13); the history has every one.
	"decision", "decision_on", "decision_why"}

// TagSeparator joins a contact's tags in one CSV cell.
const TagSeparator = "; "

// NoteSeparator joins a contact's notes, newest first, in one CSV cell.
const NoteSeparator = "\n---\n"

// JSONWriter writes a JSON export one record at a time, so an export of any
// size streams with little memory: all contacts first, then all events.
// Each record is one line of compact JSON, which keeps a heavy user's file
// small and still lets a person read, grep and diff it. Its bytes depend
// only on what it is given.
type JSONWriter struct {
	w       io.Writer
	section int // 0 nothing yet, 1 contacts, 2 events, 3 closed
	inList  bool
	err     error
	buf     bytes.Buffer
	enc     *stdjson.Encoder
}

// NewJSONWriter starts an export written at exportedAt (left out when zero).
func NewJSONWriter(w io.Writer, exportedAt time.Time) *JSONWriter {
	jw := &JSONWriter{w: w}
	jw.enc = stdjson.NewEncoder(&jw.buf)
	jw.enc.SetEscapeHTML(false)
	head := fmt.Sprintf("{\n  \"format\": %q,\n  \"version\": %d,\n", protocol.ArchiveFormat, protocol.ArchiveVersion)
	if !exportedAt.IsZero() {
		at, _ := exportedAt.MarshalText()
		head += fmt.Sprintf("  \"exported_at\": %q,\n", at)
	}
	jw.write(head)
	return jw
}

func (jw *JSONWriter) write(s string) {
	if jw.err == nil {
		_, jw.err = io.WriteString(jw.w, s)
	}
}

// open moves to section (1 contacts, 2 events), closing lists before it.
func (jw *JSONWriter) open(section int) {
	for jw.section < section {
		if jw.section > 0 {
			if jw.inList {
				jw.write("\n  ]")
			} else {
				jw.write("]")
			}
			jw.write(",\n")
		}
		jw.section++
		jw.inList = false
		if jw.section == 1 {
			jw.write(`  "contacts": [`)
		} else if jw.section == 2 {
			jw.write(`  "events": [`)
		}
	}
}

// element writes one record of section, given as compact JSON.
func (jw *JSONWriter) element(section int, raw []byte) error {
	if jw.section > section {
		return fmt.Errorf("write json export: a record after the list it belongs in")
	}
	jw.open(section)
	if jw.inList {
		jw.write(",\n    ")
	} else {
		jw.write("\n    ")
		jw.inList = true
	}
	if jw.err == nil {
		_, jw.err = jw.w.Write(raw)
	}
	return jw.err
}

func (jw *JSONWriter) encode(v any) []byte {
	jw.buf.Reset()
	if err := jw.enc.Encode(v); err != nil && jw.err == nil {
		jw.err = err
	}
	return bytes.TrimSuffix(jw.buf.Bytes(), []byte("\n"))
}

// Contact writes one contact.
func (jw *JSONWriter) Contact(c protocol.Contact) error { return jw.element(1, jw.encode(c)) }

// Event writes one event; events come after every contact.
func (jw *JSONWriter) Event(e protocol.Event) error {
	raw, err := stdjson.Marshal(e)
	if err != nil {
		return fmt.Errorf("write json export: %w", err)
	}
	return jw.element(2, raw)
}

// RawEvent writes an event given as the JSON json.Marshal (encoding/json)
// makes of a protocol.Event, as a store keeps it: Event's own bytes, with
// no decoding and encoding again for each of a long history's events.
func (jw *JSONWriter) RawEvent(raw []byte) error { return jw.element(2, raw) }

// Close ends the export.
func (jw *JSONWriter) Close() error {
	jw.open(2)
	if jw.inList {
		jw.write("\n  ]")
	} else {
		jw.write("]")
	}
	jw.write("\n}\n")
	jw.section = 3
	if jw.err != nil {
		return fmt.Errorf("write json export: %w", jw.err)
	}
	return nil
}

// WriteJSON writes a as an indented JSON export (see JSONWriter). The same
// archive always gives the same bytes.
func WriteJSON(w io.Writer, a protocol.Archive) error {
	jw := NewJSONWriter(w, a.ExportedAt)
	for _, c := range a.Contacts {
		if err := jw.Contact(c); err != nil {
			return err
		}
	}
	for _, e := range a.Events {
		if err := jw.Event(e); err != nil {
			return err
		}
	}
	return jw.Close()
}

// Header is what a JSON export says of itself before its records.
type Header struct {
	Format     string
	Version    int
	ExportedAt time.Time
}

// ScanJSON reads a JSON export written by this tactful or an older one,
// one record at a time: it checks each (protocol's Validate) and passes
// contacts to contact and events to event, in the file's order; an error
// from either stops the scan. Nothing is held but the current record and
// the slugs seen, so a file of any size reads in little memory.
//
// The file is read strictly: one JSON object, UTF-8, no repeated or unknown
// member, nothing after it, and "format" and "version" before the records
// (tactful writes them first). Errors meant for the user are
// *protocol.Error; version 1's events get protocol.LegacyEventID.
func ScanJSON(r io.Reader, contact func(protocol.Contact) error, event func(protocol.Event) error) (Header, error) {
	lr := &limitedReader{r: r, n: maxJSONBytes}
	br := bufio.NewReaderSize(lr, 64<<10)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\ufeff")) {
		_, _ = br.Discard(3)
	}
	start, _ := br.Peek(512)
	if start = bytes.TrimLeft(start, " \t\r\n"); len(start) == 0 || start[0] != '{' {
		if !utf8.Valid(start) {
			return Header{}, notExport("it is not UTF-8 text")
		}
		return Header{}, notExport("it is not a JSON object")
	}
	s := scanner{dec: jsontext.NewDecoder(br), contact: contact, event: event, seen: map[string]bool{}}
	err := s.scan()
	if lr.over {
		return Header{}, protocol.Errorf(protocol.CodeTooLarge, "This file is larger than %d MiB; tactful reads exports up to that size.", maxJSONBytes>>20)
	}
	return s.head, err
}

// ReadJSON reads a whole JSON export into memory (see ScanJSON).
func ReadJSON(r io.Reader) (protocol.Archive, error) {
	a := protocol.Archive{Contacts: []protocol.Contact{}, Events: []protocol.Event{}}
	h, err := ScanJSON(r,
		func(c protocol.Contact) error { a.Contacts = append(a.Contacts, c); return nil },
		func(e protocol.Event) error { a.Events = append(a.Events, e); return nil })
	if err != nil {
		return protocol.Archive{}, err
	}
	a.Format, a.Version, a.ExportedAt = h.Format, h.Version, h.ExportedAt
	return a, nil
}

type scanner struct {
	dec      *jsontext.Decoder
	head     Header
	contact  func(protocol.Contact) error
	event    func(protocol.Event) error
	seen     map[string]bool
	contacts int
	events   int
	// ev is where each event is decoded: a fresh variable per event would
	// be one more allocation each, for a history of 300,000.
	ev protocol.Event
}

func (s *scanner) scan() error {
	if _, err := s.dec.ReadToken(); err != nil {
		return s.syntax(err)
	}
	for {
		tok, err := s.dec.ReadToken()
		if err != nil {
			return s.syntax(err)
		}
		if tok.Kind() == '}' {
			break
		}
		name := tok.String()
		switch name {
		case "format":
			if err := s.readFormat(); err != nil {
				return err
			}
		case "version":
			if err := s.readVersion(); err != nil {
				return err
			}
		case "exported_at":
			if err := s.value(&s.head.ExportedAt, "exported_at"); err != nil {
				return err
			}
		case "contacts", "events":
			if err := s.checkHead(); err != nil {
				return err
			}
			if err := s.list(name); err != nil {
				return err
			}
		default:
			if s.head.Format == "" {
				return notExport("it has no format field")
			}
			return damaged(fmt.Sprintf("it has a field this tactful does not know, %q", protocol.Clip(name, 60)))
		}
	}
	if err := s.checkHead(); err != nil {
		return err
	}
	if _, err := s.dec.ReadToken(); err != io.EOF {
		return damaged("there is more after the export's closing brace")
	}
	return nil
}

func (s *scanner) readFormat() error {
	v, err := s.dec.ReadValue()
	if err != nil {
		return s.syntax(err)
	}
	var format string
	if json.Unmarshal(v, &format) != nil || format == "" {
		return notExport("it has no format field")
	}
	if err := protocol.CheckArchive(format, protocol.ArchiveVersion); err != nil {
		return err
	}
	s.head.Format = format
	return nil
}

func (s *scanner) readVersion() error {
	v, err := s.dec.ReadValue()
	if err != nil {
		return s.syntax(err)
	}
	var version int
	if json.Unmarshal(v, &version) != nil {
		version = 0
	}
	if err := protocol.CheckArchive(protocol.ArchiveFormat, version); err != nil {
		return err
	}
	s.head.Version = version
	return nil
}

func (s *scanner) checkHead() error {
	if s.head.Format == "" {
		return notExport("it has no format field")
	}
	if s.head.Version == 0 {
		return protocol.Errorf(protocol.CodeInvalidField, "This tactful export has no valid version number.")
	}
	return nil
}

// legacyEvent is an event of export version 1, which had a local "seq"
// where version 2 has the id.
type legacyEvent struct {
	protocol.Event
	Seq uint64 `json:"seq"`
}

func (s *scanner) list(name string) error {
	if s.dec.PeekKind() == 'n' {
		_, err := s.dec.ReadToken() // null: an empty list
		return s.syntax(err)
	}
	if k := s.dec.PeekKind(); k != '[' {
		if _, err := s.dec.ReadValue(); err != nil {
			return s.syntax(err)
		}
		return damaged(fmt.Sprintf("field %s is not a list", name))
	}
	if _, err := s.dec.ReadToken(); err != nil {
		return s.syntax(err)
	}
	for s.dec.PeekKind() != ']' {
		var err error
		if name == "contacts" {
			err = s.readContact()
		} else {
			err = s.readEvent()
		}
		if err != nil {
			return err
		}
	}
	_, err := s.dec.ReadToken()
	return s.syntax(err)
}

func (s *scanner) readContact() error {
	s.contacts++
	var c protocol.Contact
	if err := s.value(&c, "contacts"); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return damaged(recordProblem(protocol.Describe("contact", s.contacts, c.Slug), err))
	}
	if s.seen[c.Slug] {
		return damaged(fmt.Sprintf("contact %d repeats the profile %q", s.contacts, c.Slug))
	}
	s.seen[c.Slug] = true
	if s.contact == nil {
		return nil
	}
	return s.contact(c)
}

func (s *scanner) readEvent() error {
	s.events++
	var e protocol.Event
	if s.head.Version == 1 {
		var old legacyEvent
		if err := s.value(&old, "events"); err != nil {
			return err
		}
		e = old.Event
		if e.ID.IsZero() {
			id, err := protocol.LegacyEventID(e)
			if err != nil {
				return damaged(recordProblem(protocol.Describe("event", s.events, e.Slug), err))
			}
			e.ID = id
		}
	} else {
		s.ev = protocol.Event{}
		if err := s.value(&s.ev, "events"); err != nil {
			return err
		}
		e = s.ev
	}
	if err := e.Validate(); err != nil {
		return damaged(recordProblem(protocol.Describe("event", s.events, e.Slug), err))
	}
	if s.event == nil {
		return nil
	}
	return s.event(e)
}

// value decodes the next JSON value into v, strictly, straight from the
// stream (reading it whole first would parse it twice).
func (s *scanner) value(v any, field string) error {
	err := json.UnmarshalDecode(s.dec, v, json.RejectUnknownMembers(true))
	if err == nil {
		return nil
	}
	var sem *json.SemanticError
	if errors.As(err, &sem) {
		// Say where in the record, as for a record read on its own:
		// "/events/12/kind" is "kind" of field events.
		p := string(sem.JSONPointer)
		if p == "/"+field {
			p = ""
		} else if rest, ok := strings.CutPrefix(p, "/"+field+"/"); ok {
			p = ""
			if i := strings.IndexByte(rest, '/'); i >= 0 {
				p = rest[i:]
			}
		}
		sem.JSONPointer = jsontext.Pointer(p)
		return damaged(jsonProblem(field, sem))
	}
	return s.syntax(err)
}

// syntax turns a reading error into the sentence for the user.
func (s *scanner) syntax(err error) error {
	if err == nil {
		return nil
	}
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return err
	}
	if s.head.Format == "" {
		return notExport("it is not valid JSON")
	}
	return damaged(jsonProblem("", err))
}

// limitedReader reads at most n bytes and remembers whether r had more.
type limitedReader struct {
	r    io.Reader
	n    int64
	over bool
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		var one [1]byte
		if k, _ := l.r.Read(one[:]); k > 0 {
			l.over = true
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// recordProblem is "contact 3 (slug): what the check said".
func recordProblem(what string, err error) string {
	return what + ": " + strings.TrimSuffix(protocol.ErrorMessage(err), ".")
}

func notExport(why string) error {
	return protocol.Errorf(protocol.CodeInvalidField, "This file is not a tactful export (%s).", why)
}

func damaged(why string) error {
	return protocol.Errorf(protocol.CodeInvalidField, "This tactful export is damaged: %s.", why)
}

// jsonProblem says in a few words what is wrong in a record of field.
func jsonProblem(field string, err error) string {
	var sem *json.SemanticError
	if errors.As(err, &sem) {
		where := field + strings.ReplaceAll(string(sem.JSONPointer), "/", ".")
		if errors.Is(sem.Err, json.ErrUnknownName) {
			return fmt.Sprintf("it has a field this tactful does not know, %q", protocol.Clip(path.Base(string(sem.JSONPointer)), 60))
		}
		var perr *time.ParseError
		if errors.As(err, &perr) {
			return "a time is not in RFC 3339 form, at " + protocol.Clip(where, 60)
		}
		return "field " + protocol.Clip(where, 60) + " has the wrong type or value"
	}
	var syn *jsontext.SyntacticError
	if errors.As(err, &syn) {
		switch {
		case errors.Is(syn.Err, jsontext.ErrDuplicateName):
			return "a field appears twice, at " + protocol.Clip(field+strings.ReplaceAll(string(syn.JSONPointer), "/", "."), 60)
		case strings.Contains(syn.Err.Error(), "invalid UTF-8"):
			return "it is not UTF-8 text at byte " + strconv.FormatInt(syn.ByteOffset, 10)
		case errors.Is(syn.Err, io.ErrUnexpectedEOF):
			return "it ends too early"
		}
		return "a syntax error at byte " + strconv.FormatInt(syn.ByteOffset, 10)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "it ends too early"
	}
	return "it has the wrong shape"
}

// WriteCSV writes a as a CSV file for spreadsheets (see CSVWriter), one row
// per contact in the archive's order; events counts the contact's events in
// the archive.
func WriteCSV(w io.Writer, a protocol.Archive) error {
	events := make(map[string]int, len(a.Contacts))
	for _, e := range a.Events {
		events[e.Slug]++
	}
	cw, err := NewCSVWriter(w)
	if err != nil {
		return err
	}
	for _, c := range a.Contacts {
		if err := cw.Contact(c, events[c.Slug]); err != nil {
			return err
		}
	}
	return cw.Close()
}

// CSVWriter writes the CSV export one contact at a time: a byte order mark,
// the CSVHeader row, then a row per contact. Tags are joined by
// TagSeparator, notes (newest first) by NoteSeparator; times are RFC 3339 in
// UTC, and unknown ones are left empty.
type CSVWriter struct {
	cw  *csv.Writer
	rec []string
}

// NewCSVWriter writes the byte order mark and the header row.
func NewCSVWriter(w io.Writer) (*CSVWriter, error) {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return nil, fmt.Errorf("write csv export: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(CSVHeader); err != nil {
		return nil, fmt.Errorf("write csv export: %w", err)
	}
	return &CSVWriter{cw: cw, rec: make([]string, len(CSVHeader))}, nil
}

// Contact writes the row of c, which has events events.
func (w *CSVWriter) Contact(c protocol.Contact, events int) error {
	notes := slices.Clone(c.Notes)
	slices.SortStableFunc(notes, func(x, y protocol.Note) int { return y.Created.Compare(x.Created) })
	texts := make([]string, len(notes))
	for i, n := range notes {
		texts[i] = n.Text
	}
	rec := w.rec
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
	rec[13] = strconv.Itoa(events)
	rec[14], rec[15], rec[16] = "", "", ""
	if r := c.Review; r != nil {
		rec[14], rec[15], rec[16] = string(r.Decision), r.On, r.Why
	}
	for i := range rec {
		rec[i] = Cell(rec[i])
	}
	if err := w.cw.Write(rec); err != nil {
		return fmt.Errorf("write csv export: %w", err)
	}
	return nil
}

// Close flushes what is buffered.
func (w *CSVWriter) Close() error {
	w.cw.Flush()
	if err := w.cw.Error(); err != nil {
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
