// Package transfer moves a whole store in and out as files: tactful's JSON
// and CSV exports, and LinkedIn's Connections.csv. The daemon's HTTP
// endpoints (/export, /import), its WebSocket requests (export,
// import_json, import_connections) and the command line without a daemon
// all go through here, so each file takes one path whichever way it came.
//
// Everything streams: an export is written record by record from one read
// transaction, and a JSON export is read once, record by record, into a
// staged restore committed in steps, so memory does not grow with the file.
package transfer

import (
	"bufio"
	"errors"
	"fmt"
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

// ImportJSON restores a tactful JSON export read from r, in one pass: its
// contacts replace the stored ones, and the events the store lacks are
// added. A file that is not a tactful export, or any record in it that
// fails its check, changes nothing: the records are staged as they are read
// and become the store's only once the whole file has passed
// (store.RestoreInSteps).
//
// Reading, checking and encoding the records (a goroutine of its own) and
// writing them (bbolt, in the Loader) each take about half the work, so
// they run side by side, handing over records in batches.
func ImportJSON(db *store.DB, r io.Reader) (protocol.ImportSummary, error) {
	res, err := db.RestoreInSteps(func(l *store.Loader) error {
		batches := make(chan []store.Record, 4)
		stop := make(chan struct{})
		var scanErr error
		// Batches go back and forth rather than being made anew.
		free := make(chan []store.Record, cap(batches)+2)
		for range cap(free) {
			free <- make([]store.Record, 0, recordBatch)
		}
		go func() {
			defer close(batches)
			// No request's goroutine is behind this one: a panic here
			// would end the daemon rather than the request.
			defer func() {
				if p := recover(); p != nil {
					scanErr = fmt.Errorf("read the import: panic: %v", p)
				}
			}()
			var records store.Records
			batch := <-free
			add := func(rec store.Record) error {
				if batch = append(batch, rec); len(batch) < recordBatch {
					return nil
				}
				select {
				case batches <- batch:
				case <-stop:
					return errStopped
				}
				select {
				case batch = <-free:
				case <-stop:
					return errStopped
				}
				return nil
			}
			_, scanErr = export.ScanJSON(r,
				func(c protocol.Contact) error { return add(records.Contact(c)) },
				func(e protocol.Event) error { return add(records.Event(e)) })
			if len(batch) > 0 {
				select {
				case batches <- batch:
				case <-stop:
				}
			}
		}()
		fail := func(err error) error {
			close(stop)
			for range batches {
				// Wait for the reader to stop: r is the caller's again.
			}
			return err
		}
		idle := time.NewTimer(pauseAfter)
		idle.Stop()
		for {
			var batch []store.Record
			var more bool
			select {
			case batch, more = <-batches:
			default:
				// The reader is behind, as a slow upload is: before long,
				// commit what is staged, so that the store's other
				// writers need not wait for the rest of the file.
				idle.Reset(pauseAfter)
				select {
				case batch, more = <-batches:
					idle.Stop()
				case <-idle.C:
					if err := l.Pause(); err != nil {
						return fail(err)
					}
					batch, more = <-batches
				}
			}
			if !more {
				return scanErr
			}
			for _, rec := range batch {
				if err := l.Add(rec); err != nil {
					return fail(err)
				}
			}
			clear(batch) // let the encoded records go
			free <- batch[:0]
		}
	}, restoreEvery)
	if err != nil {
		return protocol.ImportSummary{}, err
	}
	return protocol.ImportSummary{Added: res.Added, Updated: res.Updated, Skipped: []protocol.Skipped{}, Total: res.Contacts}, nil
}

// recordBatch is how many records the reader hands the writer at once.
const recordBatch = 256

// pauseAfter is how long the writer waits for the reader before it commits
// what it holds (Loader.Pause).
const pauseAfter = 20 * time.Millisecond

var errStopped = errors.New("import stopped")

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
