// Package linkedincsv reads "Connections.csv", the list of connections in
// LinkedIn's data export ("Get a copy of your data").
//
// The file is treated as hostile input. What Parse accepts:
//
//   - an optional preamble (LinkedIn writes "Notes:" and a quoted paragraph,
//     then a blank line); the header row is found by its column names within
//     the first HeaderSearchLines physical lines, never by skipping a fixed
//     number of lines;
//   - columns in any order, matched by name, trimmed and case-insensitive;
//     First Name, Last Name, URL and Connected On are required, Email
//     Address, Company and Position are optional;
//   - a UTF-8 byte order mark, CRLF or LF line ends, quoted fields with
//     commas, doubled quotes and line breaks (RFC 4180; stray quotes are
//     errors, not guesses);
//   - dates like "05 Mar 2024", "5 Mar 2024" or "2024-03-05".
//
// What happens to rows that are not perfect:
//
//   - a row tactful cannot use (no profile URL, a URL that is not a LinkedIn
//     profile, an invalid slug, no name, a field too long, broken CSV) is
//     left out and listed in Result.Skipped with its line and a reason;
//   - when two rows name the same profile, the later row is kept and the
//     earlier one is listed in Skipped;
//   - a row whose date cannot be read is kept with an empty ConnectedOn, and
//     the line is listed in Result.Warnings: the contact is worth importing
//     even without its date, and Skipped only lists rows left out;
//   - rows whose cells are all empty (spreadsheet leftovers) are ignored and
//     not counted.
//
// So len(Rows)+len(Skipped) == Total. Line numbers are the physical line
// (1-based) where a record starts, as a text editor shows it.
//
// A file that is not LinkedIn's export is refused with an *protocol.Error
// (code invalid_field); one over MaxRows data rows or MaxBytes bytes with
// code too_large.
package linkedincsv

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tactful/tactful/protocol"
)

// Limits on what Parse reads.
const (
	// MaxRows is the most data rows a file may have. LinkedIn caps a
	// network at 30,000 connections; the margin covers old exports.
	MaxRows = 100_000
	// MaxBytes is the largest file Parse reads.
	MaxBytes = 64 << 20
	// HeaderSearchLines is how far into the file the header may start.
	HeaderSearchLines = 50
)

// Row is one connection from the export. Name is First Name and Last Name
// joined by a space; URL is as the file has it, checked to be an http(s)
// profile URL on linkedin.com (build links from Slug, not URL); Slug is the
// canonical profile slug (see protocol.CanonicalSlug); ConnectedOn is
// YYYY-MM-DD or empty. Text fields are trimmed and inner runs of white
// space, line breaks included, are one space; none holds control characters
// or more than protocol.MaxNameChars characters.
type Row struct {
	Line        int
	FirstName   string
	LastName    string
	Name        string
	URL         string
	Slug        string
	Email       string
	Company     string
	Position    string
	ConnectedOn string
}

// Result is what Parse read. Total counts data rows, skipped ones included.
// Warnings list rows that were kept with something missing (an unreadable
// date), with the same line-and-reason shape as Skipped.
type Result struct {
	Rows     []Row
	Skipped  []protocol.Skipped
	Warnings []protocol.Skipped
	Total    int
}

// notLinkedIn is the sentence for a file that is not Connections.csv.
const notLinkedIn = "This is not LinkedIn's Connections.csv: no header with First Name, Last Name, URL and Connected On was found."

// column indexes in a record; -1 when the file has no such column.
type columns struct {
	first, last, url, email, company, position, connected int
	n                                                     int // fields in the header
}

var headerNames = map[string]string{
	"first name":    "first",
	"last name":     "last",
	"url":           "url",
	"profile url":   "url",
	"email address": "email",
	"email":         "email",
	"company":       "company",
	"position":      "position",
	"connected on":  "connected",
}

// dateLayouts are the forms of Connected On that Parse reads, most likely
// first. "2 Jan 2006" also reads "05 Mar 2024".
var dateLayouts = []string{"02 Jan 2006", "2 Jan 2006", time.DateOnly, "2 January 2006", "Jan 2, 2006", "January 2, 2006"}

// Parse reads LinkedIn's Connections.csv from r. Errors meant for the user
// are *protocol.Error; anything else is a read error from r.
func Parse(r io.Reader) (*Result, error) {
	lr := &limitedReader{r: r, n: MaxBytes}
	br := bufio.NewReaderSize(lr, 64<<10)
	head, err := br.Peek(8 << 10)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		if errors.Is(err, errTooLarge) {
			return nil, tooLargeBytes()
		}
		return nil, fmt.Errorf("read connections: %w", err)
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return nil, protocol.Errorf(protocol.CodeInvalidField, notLinkedIn)
	}
	if bytes.HasPrefix(head, []byte("\ufeff")) {
		_, _ = br.Discard(3)
	}

	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true

	cols, err := findHeader(cr)
	if err != nil {
		return nil, err
	}

	res := &Result{}
	bySlug := map[string]int{} // slug -> index in res.Rows
	dropped := map[int]bool{}  // indexes in res.Rows replaced by a later row
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				res.Total++
				if res.Total > MaxRows {
					return nil, tooManyRows()
				}
				res.Skipped = append(res.Skipped, protocol.Skipped{Line: pe.StartLine, Reason: csvReason(pe)})
				continue
			}
			if errors.Is(err, errTooLarge) {
				return nil, tooLargeBytes()
			}
			return nil, fmt.Errorf("read connections: %w", err)
		}
		if allEmpty(rec) {
			continue
		}
		res.Total++
		if res.Total > MaxRows {
			return nil, tooManyRows()
		}
		line, _ := cr.FieldPos(0)
		row, reason, warning := cols.row(rec, line)
		if reason != "" {
			res.Skipped = append(res.Skipped, protocol.Skipped{Line: line, Reason: reason})
			continue
		}
		if warning != "" {
			res.Warnings = append(res.Warnings, protocol.Skipped{Line: line, Reason: warning})
		}
		if i, ok := bySlug[row.Slug]; ok {
			dropped[i] = true
			res.Skipped = append(res.Skipped, protocol.Skipped{
				Line:   res.Rows[i].Line,
				Reason: fmt.Sprintf("the same profile as line %d, which was kept", line),
			})
		}
		bySlug[row.Slug] = len(res.Rows)
		res.Rows = append(res.Rows, row)
	}
	if len(dropped) > 0 {
		kept := res.Rows[:0]
		for i, row := range res.Rows {
			if !dropped[i] {
				kept = append(kept, row)
			}
		}
		res.Rows = kept
	}
	slices.SortStableFunc(res.Skipped, func(a, b protocol.Skipped) int { return a.Line - b.Line })
	return res, nil
}

// findHeader reads records until one names the required columns. Records
// before it (LinkedIn's "Notes:" preamble) are ignored, broken ones too.
func findHeader(cr *csv.Reader) (columns, error) {
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return columns{}, protocol.Errorf(protocol.CodeInvalidField, notLinkedIn)
		}
		if errors.Is(err, errTooLarge) {
			return columns{}, tooLargeBytes()
		}
		var pe *csv.ParseError
		if err != nil && !errors.As(err, &pe) {
			return columns{}, fmt.Errorf("read connections: %w", err)
		}
		if err != nil {
			if pe.StartLine > HeaderSearchLines {
				return columns{}, protocol.Errorf(protocol.CodeInvalidField, notLinkedIn)
			}
			continue
		}
		if line, _ := cr.FieldPos(0); line > HeaderSearchLines {
			return columns{}, protocol.Errorf(protocol.CodeInvalidField, notLinkedIn)
		}
		if cols, ok := headerColumns(rec); ok {
			return cols, nil
		}
	}
}

func headerColumns(rec []string) (columns, bool) {
	c := columns{first: -1, last: -1, url: -1, email: -1, company: -1, position: -1, connected: -1, n: len(rec)}
	for i, f := range rec {
		name := strings.ToLower(strings.Join(strings.Fields(strings.TrimPrefix(f, "\ufeff")), " "))
		var p *int
		switch headerNames[name] {
		case "first":
			p = &c.first
		case "last":
			p = &c.last
		case "url":
			p = &c.url
		case "email":
			p = &c.email
		case "company":
			p = &c.company
		case "position":
			p = &c.position
		case "connected":
			p = &c.connected
		default:
			continue
		}
		if *p == -1 {
			*p = i
		}
	}
	ok := c.first >= 0 && c.last >= 0 && c.url >= 0 && c.connected >= 0
	return c, ok
}

// row turns a record into a Row, or says why it cannot (reason), or keeps
// it with something missing (warning).
func (c columns) row(rec []string, line int) (row Row, reason, warning string) {
	if len(rec) > c.n && !allEmpty(rec[c.n:]) {
		return Row{}, fmt.Sprintf("it has %d fields but the header has %d (an unquoted comma?)", len(rec), c.n), ""
	}
	get := func(i int) string {
		if i < 0 || i >= len(rec) {
			return ""
		}
		return squeeze(rec[i])
	}
	row = Row{
		Line:      line,
		FirstName: get(c.first),
		LastName:  get(c.last),
		URL:       strings.TrimSpace(get(c.url)),
		Email:     get(c.email),
		Company:   get(c.company),
		Position:  get(c.position),
	}
	for _, f := range []string{row.FirstName, row.LastName, row.URL, row.Email, row.Company, row.Position} {
		if !utf8.ValidString(f) {
			return Row{}, "it is not UTF-8 text (save the file as UTF-8)", ""
		}
		if err := protocol.CheckLine("field", f, protocol.MaxNameChars); err != nil {
			if utf8.RuneCountInString(f) > protocol.MaxNameChars {
				return Row{}, fmt.Sprintf("a field is longer than %d characters", protocol.MaxNameChars), ""
			}
			return Row{}, "it holds control characters", ""
		}
	}
	if row.URL == "" {
		return Row{}, "no profile URL", ""
	}
	slug, why := profileSlug(row.URL)
	if why != "" {
		return Row{}, why, ""
	}
	row.Slug = slug
	row.Name = strings.TrimSpace(row.FirstName + " " + row.LastName)
	if row.Name == "" {
		return Row{}, "no name", ""
	}
	if utf8.RuneCountInString(row.Name) > protocol.MaxNameChars {
		return Row{}, fmt.Sprintf("the name is longer than %d characters", protocol.MaxNameChars), ""
	}
	if raw := get(c.connected); raw != "" {
		day, ok := parseDate(raw)
		if ok {
			row.ConnectedOn = day
		} else {
			warning = fmt.Sprintf("the date %q is not a day like 05 Mar 2024; imported without a connection date", protocol.Clip(raw, 40))
		}
	}
	return row, "", warning
}

// profileSlug takes the slug out of a profile URL such as
// https://www.linkedin.com/in/ada-lovelace-1815/?trk=x.
func profileSlug(raw string) (slug, reason string) {
	s := raw
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil {
		return "", "the URL is not a LinkedIn profile"
	}
	host := strings.ToLower(u.Hostname())
	if host != "linkedin.com" && !strings.HasSuffix(host, ".linkedin.com") {
		return "", "the URL is not a LinkedIn profile"
	}
	parts := strings.Split(strings.Trim(u.EscapedPath(), "/"), "/")
	if len(parts) != 2 || parts[0] != "in" {
		return "", "the URL is not a LinkedIn profile"
	}
	slug, err = protocol.CanonicalSlug(parts[1])
	if err != nil {
		return "", "the profile URL has no valid slug: " + protocol.ErrorMessage(err)
	}
	return slug, ""
}

func parseDate(s string) (string, bool) {
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format(time.DateOnly), true
		}
	}
	return "", false
}

func csvReason(pe *csv.ParseError) string {
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return "it is not valid CSV: a quote inside a field that is not quoted"
	case errors.Is(pe.Err, csv.ErrQuote):
		return "it is not valid CSV: a quoted field is not closed properly"
	}
	return "it is not valid CSV"
}

// squeeze trims s and turns each inner run of white space into one space,
// without allocating when s is already so.
func squeeze(s string) string {
	prevSpace := true // a space at the start needs work too
	for _, r := range s {
		if unicode.IsSpace(r) {
			if r != ' ' || prevSpace {
				return strings.Join(strings.Fields(s), " ")
			}
			prevSpace = true
			continue
		}
		prevSpace = false
	}
	if prevSpace && s != "" {
		return strings.Join(strings.Fields(s), " ")
	}
	return s
}

func allEmpty(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func tooManyRows() error {
	return protocol.Errorf(protocol.CodeTooLarge, "This Connections.csv has more than %d rows; tactful imports at most %d.", MaxRows, MaxRows)
}

func tooLargeBytes() error {
	return protocol.Errorf(protocol.CodeTooLarge, "This file is larger than %d MiB; LinkedIn's Connections.csv is much smaller.", MaxBytes>>20)
}

var errTooLarge = errors.New("input over the size limit")

// limitedReader is io.LimitReader that fails instead of ending early, so a
// truncated file is never mistaken for a whole one.
type limitedReader struct {
	r io.Reader
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		// One more byte tells a file of exactly the limit from a larger one.
		var one [1]byte
		n, err := l.r.Read(one[:])
		if n > 0 {
			return 0, errTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}
