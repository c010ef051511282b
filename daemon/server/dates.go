package server

import (
	"strings"
	"sync"
	"time"

	"github.com/tactful/tactful/daemon/annotate"
	"github.com/tactful/tactful/protocol"
)

// connectedDates remembers what annotate.ParseConnected made of each
// "Connected ..." text on the current local day. A page scrolling its list
// sends the same texts again and again, and reading one costs about 1 µs
// and ten allocations: a fifth of the daemon's work per batch
// (docs/benchmarks.md, row 2).
//
// A reading is kept only when it cannot change during the day: it is the
// same at the day's first and last instant. ParseConnected's day only
// moves forward as now does (it counts back from now, or checks a calendar
// date against today), so agreeing at both ends means agreeing all day.
// "Connected on June 29, 2024" and "3 months ago" are kept; "3 hours ago"
// is read each time. Everything is dropped when the local day changes, and
// when the memory grows past maxConnectedDates (texts are hostile input: a
// client could send endless distinct ones).
type connectedDates struct {
	mu      sync.Mutex
	day     time.Time // local midnight of the day the entries hold for
	entries map[connectedKey]connectedReading
}

type connectedKey struct{ text, locale string }

type connectedReading struct {
	day string
	src protocol.DateSource
	ok  bool
}

const maxConnectedDates = 20_000

// parse is annotate.ParseConnected, remembered where that is safe.
func (d *connectedDates) parse(text, locale string, now time.Time) (string, protocol.DateSource, bool) {
	key := connectedKey{text, locale}
	y, m, dd := now.Local().Date()
	start := time.Date(y, m, dd, 0, 0, 0, 0, time.Local)
	d.mu.Lock()
	if !d.day.Equal(start) || len(d.entries) >= maxConnectedDates {
		d.day, d.entries = start, make(map[connectedKey]connectedReading)
	}
	r, found := d.entries[key]
	d.mu.Unlock()
	if found {
		return r.day, r.src, r.ok
	}
	var first, last connectedReading
	first.day, first.src, first.ok = annotate.ParseConnected(text, locale, start)
	end := time.Date(y, m, dd+1, 0, 0, 0, 0, time.Local).Add(-time.Nanosecond)
	last.day, last.src, last.ok = annotate.ParseConnected(text, locale, end)
	if first != last {
		return annotate.ParseConnected(text, locale, now)
	}
	// The texts of a request share its message's bytes (protocol's fast
	// decoder): a key of their own, so the memory keeps no message alive.
	key = connectedKey{strings.Clone(text), strings.Clone(locale)}
	d.mu.Lock()
	if d.day.Equal(start) {
		d.entries[key] = first
	}
	d.mu.Unlock()
	return first.day, first.src, first.ok
}
