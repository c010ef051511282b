package server

import (
	"sync"
	"time"

	"github.com/tactful/tactful/daemon/annotate"
	"github.com/tactful/tactful/protocol"
)

// connectedDates remembers what annotate.ParseConnected made of each
// calendar-date text ("Connected on June 29, 2024"), for the day it was
// read. A page scrolling its list sends the same few thousand texts again
// and again, and reading one costs about 1 µs and ten allocations: about a
// fifth of the daemon's work per batch (docs/benchmarks.md, row 2).
//
// Only absolute dates are kept. Relative texts ("2 hours ago") depend on
// the time of day, so they are read each time; an absolute reading depends
// on the clock only through "not after today", so the whole memory is
// dropped when the local day changes, and when it grows past maxEntries
// (texts are hostile input: a client could send endless distinct ones).
type connectedDates struct {
	mu      sync.Mutex
	day     string // the local day the entries were read on
	entries map[connectedKey]string
}

type connectedKey struct{ text, locale string }

const maxConnectedDates = 20_000

// parse is annotate.ParseConnected, remembered where that is safe.
func (d *connectedDates) parse(text, locale string, now time.Time) (string, protocol.DateSource, bool) {
	key := connectedKey{text, locale}
	today := now.Local().Format(time.DateOnly)
	d.mu.Lock()
	if d.day != today || len(d.entries) >= maxConnectedDates {
		d.day, d.entries = today, make(map[connectedKey]string)
	}
	day, ok := d.entries[key]
	d.mu.Unlock()
	if ok {
		return day, protocol.DateFromPageAbsolute, true
	}
	day, src, ok := annotate.ParseConnected(text, locale, now)
	if ok && src == protocol.DateFromPageAbsolute {
		d.mu.Lock()
		if d.day == today {
			d.entries[key] = day
		}
		d.mu.Unlock()
	}
	return day, src, ok
}
