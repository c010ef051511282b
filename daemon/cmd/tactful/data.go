package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tactful/tactful/daemon/client"
	"github.com/tactful/tactful/daemon/store"
	"github.com/tactful/tactful/daemon/transfer"
	"github.com/tactful/tactful/protocol"
)

func importCommand() *command {
	return &command{
		name:  "import",
		args:  "FILE",
		nargs: 1,
		short: "import LinkedIn's Connections.csv or a tactful JSON export",
		long: `Imports FILE: LinkedIn's Connections.csv (Settings > Data privacy > Get a copy
of your data > Connections) or a JSON export written by 'tactful export'.
Importing the same CSV again updates contacts and never duplicates them or
touches your notes; a JSON export restores the contacts it holds exactly.
The format follows the extension (.csv, .json) or the content unless --format
says. Prints what was added, updated and skipped (with line numbers).
When a daemon runs on --addr it does the import; otherwise the database is
opened directly.`,
		bind: func(fs *flag.FlagSet) runFunc {
			format := fs.String("format", "", "the file's `FORMAT`: csv (LinkedIn's Connections.csv) or json (a tactful export); default: guessed")
			return func(m *Main, ctx context.Context, e *env) error { return m.importFile(ctx, e, *format) }
		},
	}
}

// importFormat picks csv or json for path: the flag, else the extension,
// else the first byte.
func importFormat(flagFormat, path string, data []byte) (string, error) {
	switch strings.ToLower(flagFormat) {
	case "csv", "json":
		return strings.ToLower(flagFormat), nil
	case "":
	default:
		return "", usagef("import: --format must be csv or json, not %q", flagFormat)
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return "csv", nil
	case ".json":
		return "json", nil
	}
	if bytes.HasPrefix(bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))), []byte("{")) {
		return "json", nil
	}
	return "csv", nil
}

func (m *Main) importFile(ctx context.Context, e *env, formatFlag string) error {
	path := e.Args[0]
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	format, err := importFormat(formatFlag, path, head[:n])
	if err != nil {
		return err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	var body io.Reader = f
	if fi, err := f.Stat(); err == nil && fi.Size() > 1<<20 && m.isTerminal(m.Stderr) {
		body = &progressReader{r: f, total: fi.Size(), w: m.Stderr, label: "importing " + filepath.Base(path)}
	}
	var sum protocol.ImportSummary
	err = m.withStore(ctx, e, false,
		func(d remoteDaemon) error {
			sum, err = d.importFile(ctx, format, body)
			return err
		},
		func(db *store.DB) error {
			if format == transfer.FormatCSV {
				sum, err = transfer.ImportCSV(db, body)
			} else {
				sum, err = transfer.ImportJSON(db, body)
			}
			return err
		})
	if err != nil {
		return fmt.Errorf("import %s: %w", path, userError(err))
	}
	printSummary(m.Stdout, path, format, sum)
	return nil
}

func printSummary(w io.Writer, path, format string, s protocol.ImportSummary) {
	what := "connections"
	if format == "json" {
		what = "contacts"
	}
	fmt.Fprintf(w, "Imported %s: %d %s read, %d added, %d updated, %d skipped.\n",
		filepath.Base(path), s.Total, what, s.Added, s.Updated, len(s.Skipped))
	for _, sk := range s.Skipped {
		fmt.Fprintf(w, "  skipped line %d: %s\n", sk.Line, oneLine(sk.Reason))
	}
}

// userError keeps a *protocol.Error's sentence and drops its code.
func userError(err error) error {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return errors.New(pe.Message)
	}
	return err
}

// progressReader reports how much of a large file was read, on a terminal.
type progressReader struct {
	r     io.Reader
	w     io.Writer
	label string
	total int64
	n     int64
	last  int
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.n += int64(n)
	if pct := int(p.n * 100 / max(p.total, 1)); pct != p.last || err == io.EOF {
		p.last = pct
		fmt.Fprintf(p.w, "\r%s: %3d%%", p.label, pct)
		if err == io.EOF {
			fmt.Fprintln(p.w)
		}
	}
	return n, err
}

func exportCommand() *command {
	return &command{
		name:  "export",
		short: "write every contact, note and event as JSON or CSV",
		long: `Writes everything tactful holds: contacts with their notes, tags, status and
history. The JSON export restores exactly ('tactful import FILE'); the CSV
opens in a spreadsheet, one row per contact. Writes to standard output unless
--out names a file, which is written with mode 0600 (only you can read it).`,
		bind: func(fs *flag.FlagSet) runFunc {
			format := fs.String("format", "json", "`FORMAT`: json or csv")
			out := fs.String("out", "", "write to `FILE` (mode 0600) instead of standard output; a directory gets tactful-export-DATE.json or .csv")
			return func(m *Main, ctx context.Context, e *env) error { return m.export(ctx, e, *format, *out) }
		},
	}
}

func (m *Main) export(ctx context.Context, e *env, formatFlag, out string) error {
	format := strings.ToLower(formatFlag)
	if format != transfer.FormatJSON && format != transfer.FormatCSV {
		return usagef("export: --format must be json or csv, not %q", formatFlag)
	}
	if out != "" && out != "-" {
		if fi, err := os.Stat(out); err == nil && fi.IsDir() {
			out = filepath.Join(out, transfer.Filename(format, time.Now()))
		}
	}
	// The export streams from the store to the file: nothing holds it all.
	write := func(w io.Writer) error {
		return m.withStore(ctx, e, true,
			func(d remoteDaemon) error { return d.export(ctx, format, w) },
			func(db *store.DB) error { return transfer.Export(db, format, w) })
	}
	if out == "" || out == "-" {
		if err := write(m.Stdout); err != nil {
			return fmt.Errorf("export: %w", userError(err))
		}
		return nil
	}
	cw := &countingWriter{}
	if err := writeFileAtomic(out, func(w io.Writer) error { cw.w = w; return write(cw) }); err != nil {
		return fmt.Errorf("export: %w", userError(err))
	}
	fmt.Fprintf(m.Stderr, "Wrote %s (%s, %s).\n", out, format, humanBytes(cw.n))
	return nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func historyCommand() *command {
	return &command{
		name:  "history",
		short: "print the timeline of what happened, newest first",
		long: `Prints the history, newest first: when, who, what. Filter by contact (a
profile slug such as ada-lovelace-1815, or the profile's URL), by kind of
event, by day. Kinds: ` + kindList() + `.`,
		bind: func(fs *flag.FlagSet) runFunc {
			var o historyOptions
			fs.StringVar(&o.Contact, "contact", "", "only this contact's events: a profile `SLUG` or URL")
			fs.StringVar(&o.Kind, "kind", "", "only events of these `KINDS` (comma-separated)")
			fs.StringVar(&o.Since, "since", "", "only events on or after this `DAY` (YYYY-MM-DD)")
			fs.IntVar(&o.Limit, "limit", 50, "print at most `N` events")
			return func(m *Main, ctx context.Context, e *env) error { return m.history(ctx, e, o) }
		},
	}
}

func kindList() string {
	var ks []string
	for _, k := range protocol.EventKinds {
		ks = append(ks, string(k))
	}
	return strings.Join(ks, ", ")
}

// slugFromArg accepts a slug or a profile URL.
func slugFromArg(s string) (string, error) {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "/in/"); i >= 0 {
		s = s[i+len("/in/"):]
		if j := strings.IndexAny(s, "/?#"); j >= 0 {
			s = s[:j]
		}
	}
	slug, err := protocol.CanonicalSlug(s)
	if err != nil {
		return "", usagef("history: --contact: %s", protocol.ErrorMessage(err))
	}
	return slug, nil
}

// historyOptions are history's own flags.
type historyOptions struct {
	Contact, Kind, Since string
	Limit                int
}

func (m *Main) history(ctx context.Context, e *env, o historyOptions) error {
	q := protocol.HistoryGet{}
	if o.Contact != "" {
		slug, err := slugFromArg(o.Contact)
		if err != nil {
			return err
		}
		q.Slug = slug
	}
	if o.Kind != "" {
		for _, k := range strings.Split(o.Kind, ",") {
			kind := protocol.EventKind(strings.TrimSpace(k))
			if !kind.Valid() {
				return usagef("history: --kind: %q is not a kind of event; use one of %s", k, kindList())
			}
			q.Kinds = append(q.Kinds, kind)
		}
	}
	if o.Since != "" {
		if _, err := time.Parse(time.DateOnly, o.Since); err != nil {
			return usagef("history: --since must be a day like 2026-01-31, not %q", o.Since)
		}
		q.Since = o.Since
	}
	if o.Limit < 1 {
		return usagef("history: --limit must be at least 1")
	}

	c, done, err := m.session(ctx, e, true)
	if err != nil {
		return err
	}
	defer done()
	events, err := historyPages(ctx, c, q, o.Limit)
	if err != nil {
		return fmt.Errorf("history: %w", userError(err))
	}
	if len(events) == 0 {
		fmt.Fprintln(m.Stdout, "No history matches.")
		return nil
	}
	return printHistory(m.Stdout, events)
}

// printHistory writes one line per event: when, who, what. Names come from
// web pages and files, so nothing in them reaches the terminal unescaped.
func printHistory(w io.Writer, events []protocol.Event) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, ev := range events {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", ev.At.Local().Format("2006-01-02 15:04"), oneLine(ev.Name), oneLine(ev.Summary))
	}
	return tw.Flush()
}

// oneLine is s as one line a terminal shows as it is: runs of white space
// become one space, and anything else that is not printable (escape
// sequences, bidi overrides, from a page or a file) is written as a Go
// escape such as \x1b or \u202e rather than acted on.
func oneLine(s string) string { return printable(strings.Join(strings.Fields(s), " ")) }

// printable escapes every rune of s that a terminal would not simply show.
func printable(s string) string {
	if !strings.ContainsFunc(s, notPrintable) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if !notPrintable(r) {
			b.WriteRune(r)
			continue
		}
		q := strconv.QuoteRuneToASCII(r) // 'X' with X escaped
		b.WriteString(q[1 : len(q)-1])
	}
	return b.String()
}

func notPrintable(r rune) bool {
	return r == utf8.RuneError || !unicode.IsPrint(r) && r != ' ' || unicode.Is(unicode.Bidi_Control, r)
}

func historyPages(ctx context.Context, c *client.Client, q protocol.HistoryGet, limit int) ([]protocol.Event, error) {
	var out []protocol.Event
	for len(out) < limit {
		q.Limit = min(limit-len(out), protocol.MaxHistoryLimit)
		var page protocol.HistoryReply
		if err := c.Call(ctx, &q, &page); err != nil {
			return nil, err
		}
		out = append(out, page.Events...)
		if page.NextCursor == "" || len(page.Events) == 0 {
			break
		}
		q.Cursor = page.NextCursor
	}
	return out, nil
}
