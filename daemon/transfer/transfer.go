// Package transfer moves a whole store in and out as files: tactful's JSON
// and CSV exports, and LinkedIn's Connections.csv. The daemon's HTTP
// endpoints (/export, /import), its WebSocket requests (export,
// import_json, import_connections) and the command line without a daemon
// all go through here, so each file takes one path whichever way it came.
//
// Everything streams: an export is written record by record from one read
// transaction, and a JSON export is restored record by record into one
// write transaction, so memory does not grow with the file.
package transfer

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/tactful/tactful/daemon/export"
	"github.com/tactful/tactful/daemon/linkedincsv"
	"github.com/tactful/tactful/daemon/store"
	"github.com/tactful/tactful/protocol"
)

// Formats an export can take.
const (
	FormatJSON = "json"
	FormatCSV  = "csv"
)

// CheckFormat refuses a format other than json and csv; "" means json.
func CheckFormat(format string) (string, error) {
	switch format {
	case "", FormatJSON:
		return FormatJSON, nil
	case FormatCSV:
		return FormatCSV, nil
	}
	return "", protocol.Errorf(protocol.CodeInvalidField, "The format must be json or csv, not %q.", format)
}

// Export writes everything db holds to w in format, from one consistent
// read of the store.
func Export(db *store.DB, format string, w io.Writer) error {
	format, err := CheckFormat(format)
	if err != nil {
		return err
	}
	// Records are small and many: gather them into large writes.
	bw := bufio.NewWriterSize(w, 256<<10)
	err = db.Snapshot(func(s *store.Snapshot) error {
		w := bw
		if format == FormatCSV {
			cw, err := export.NewCSVWriter(w)
			if err != nil {
				return err
			}
			if err := s.Contacts(func(c protocol.Contact) error { return cw.Contact(c, s.EventCount(c.Slug)) }); err != nil {
				return err
			}
			return cw.Close()
		}
		jw := export.NewJSONWriter(w, s.At)
		if err := s.Contacts(jw.Contact); err != nil {
			return err
		}
		if err := s.RawEvents(jw.RawEvent); err != nil {
			return err
		}
		return jw.Close()
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

// Filename is the name to save an export of format under on the day of now.
func Filename(format string, now time.Time) string { return export.Filename(format, now) }

// restoreStep is how many records a restore commits at once: a heavy
// user's restore then holds a few MiB of pages, not the whole store.
const restoreStep = 5000

// restoreEvery is restoreStep, smaller in tests.
var restoreEvery = restoreStep

// ImportJSON restores a tactful JSON export read from r: its contacts
// replace the stored ones, and the events the store lacks are added. A file
// that is not a tactful export, or any record in it that fails its check,
// changes nothing: the whole file is read and checked first (from a
// temporary copy when r cannot seek), and then restored in steps.
func ImportJSON(db *store.DB, r io.Reader) (protocol.ImportSummary, error) {
	rs, done, err := seekable(r, filepath.Dir(db.Path()))
	if err != nil {
		return protocol.ImportSummary{}, err
	}
	defer done()
	start, err := rs.Seek(0, io.SeekCurrent)
	if err != nil {
		return protocol.ImportSummary{}, err
	}
	owners := map[string]string{}
	replaced := map[string]bool{}
	_, err = export.ScanJSON(rs, func(c protocol.Contact) error {
		replaced[c.Slug] = true
		for _, n := range c.Notes {
			if other, ok := owners[n.ID]; ok && other != c.Slug {
				return protocol.Errorf(protocol.CodeConflict, "The note id %s belongs to both %s and %s; nothing was imported.", n.ID, other, c.Slug)
			}
			owners[n.ID] = c.Slug
		}
		return nil
	}, nil)
	if err != nil {
		return protocol.ImportSummary{}, err
	}
	if err := db.CheckNoteOwners(owners, replaced); err != nil {
		return protocol.ImportSummary{}, err
	}
	if _, err := rs.Seek(start, io.SeekStart); err != nil {
		return protocol.ImportSummary{}, err
	}
	res, err := db.RestoreInSteps(func(l *store.Loader) error {
		_, err := export.ScanJSON(rs, l.Contact, l.Event)
		return err
	}, restoreEvery)
	if err != nil {
		return protocol.ImportSummary{}, err
	}
	return protocol.ImportSummary{Added: res.Added, Updated: res.Updated, Skipped: []protocol.Skipped{}, Total: res.Contacts}, nil
}

// seekable returns r when it can seek (a file, a string), or a temporary
// copy of it (a request body) in dir, the home, which done removes. The
// copy holds notes, so it stays beside the database, mode 0600.
func seekable(r io.Reader, dir string) (io.ReadSeeker, func(), error) {
	if rs, ok := r.(io.ReadSeeker); ok {
		return rs, func() {}, nil
	}
	tmp, err := os.CreateTemp(dir, ".import-*.json")
	if err != nil {
		return nil, nil, fmt.Errorf("keep the import while it is checked: %w", err)
	}
	done := func() { tmp.Close(); os.Remove(tmp.Name()) }
	// One byte past the limit tells ScanJSON the file is too large.
	if _, err := io.Copy(tmp, io.LimitReader(r, export.MaxJSONBytes+1)); err != nil {
		done()
		return nil, nil, fmt.Errorf("keep the import while it is checked: %w", err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		done()
		return nil, nil, err
	}
	return tmp, done, nil
}

// ImportCSV files the rows of LinkedIn's Connections.csv read from r; rows
// it cannot use are skipped and named in the summary.
func ImportCSV(db *store.DB, r io.Reader) (protocol.ImportSummary, error) {
	res, err := linkedincsv.Parse(r)
	if err != nil {
		return protocol.ImportSummary{}, err
	}
	rows := make([]store.ImportedContact, len(res.Rows))
	for i, row := range res.Rows {
		rows[i] = store.ImportedContact{Slug: row.Slug, Name: row.Name, Company: row.Company, Position: row.Position, ConnectedOn: row.ConnectedOn}
	}
	added, updated, err := db.Import(rows)
	if err != nil {
		return protocol.ImportSummary{}, err
	}
	skipped := res.Skipped
	if skipped == nil {
		skipped = []protocol.Skipped{}
	}
	return protocol.ImportSummary{Added: added, Updated: updated, Skipped: skipped, Total: res.Total}, nil
}
