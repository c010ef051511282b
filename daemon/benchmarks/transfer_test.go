package benchmarks

import (
	"bytes"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/tactful/tactful/daemon/store"
	"github.com/tactful/tactful/daemon/transfer"
)

// BenchmarkTransferHeavy exports the large store (Contacts contacts, Events
// events) as JSON and as CSV, and restores its own JSON export into an
// empty store: what `tactful export` and `tactful import` do, with or
// without a daemon, minus the process and the file. Target: the JSON export
// and its import in ≤ 2 s each. cpu-ns/op is the process's CPU time per op
// (the import reads and writes on two goroutines), which says more than
// the wall time on a shared machine.
func BenchmarkTransferHeavy(b *testing.B) {
	path := filepath.Join(b.TempDir(), "large.db")
	if err := CopyLargeStore(path); err != nil {
		b.Fatal(err)
	}
	db, err := store.Open(path, store.Options{Logger: zerolog.Nop()})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var exported bytes.Buffer
	if err := transfer.Export(db, transfer.FormatJSON, &exported); err != nil {
		b.Fatal(err)
	}

	for _, format := range []string{transfer.FormatJSON, transfer.FormatCSV} {
		b.Run("export-"+format, func(b *testing.B) {
			var n int64
			defer processCPU(b)()
			for b.Loop() {
				cw := &counter{}
				if err := transfer.Export(db, format, cw); err != nil {
					b.Fatal(err)
				}
				n = cw.n
			}
			b.ReportMetric(float64(n)/(1<<20), "MiB")
		})
	}
	b.Run("import-json", func(b *testing.B) {
		var cpu time.Duration
		for b.Loop() {
			b.StopTimer()
			fresh, err := store.Open(filepath.Join(b.TempDir(), "fresh.db"), store.Options{Logger: zerolog.Nop()})
			if err != nil {
				b.Fatal(err)
			}
			start := cpuTime()
			b.StartTimer()
			sum, err := transfer.ImportJSON(fresh, bytes.NewReader(exported.Bytes()))
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			cpu += cpuTime() - start
			st, _ := fresh.Stats()
			if sum.Added != Contacts || st.Events != Events {
				b.Fatalf("restored %d contacts and %d events, want %d and %d", sum.Added, st.Events, Contacts, Events)
			}
			fresh.Close()
			b.StartTimer()
		}
		b.ReportMetric(float64(exported.Len())/(1<<20), "MiB")
		b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
	})
}

type counter struct{ n int64 }

func (c *counter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*counter)(nil)
