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
	"io"
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
	return db.Snapshot(func(s *store.Snapshot) error {
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
		if err := s.Events(jw.Event); err != nil {
			return err
		}
		return jw.Close()
	})
}

// Filename is the name to save an export of format under on the day of now.
func Filename(format string, now time.Time) string { return export.Filename(format, now) }

// ImportJSON restores a tactful JSON export read from r: its contacts
// replace the stored ones, and the events the store lacks are added. A file
// that is not a tactful export, or any record in it that fails its check,
// changes nothing.
func ImportJSON(db *store.DB, r io.Reader) (protocol.ImportSummary, error) {
	res, err := db.Restore(func(l *store.Loader) error {
		_, err := export.ScanJSON(r, l.Contact, l.Event)
		return err
	})
	if err != nil {
		return protocol.ImportSummary{}, err
	}
	return protocol.ImportSummary{Added: res.Added, Updated: res.Updated, Skipped: []protocol.Skipped{}, Total: res.Contacts}, nil
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
