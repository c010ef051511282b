package server

import (
	"testing"
	"time"

	"github.com/tactful/tactful/daemon/annotate"
)

// The remembered dates must read exactly as ParseConnected does, on every
// day and at every hour, whatever was asked before.
func TestConnectedDatesReadAsParseConnected(t *testing.T) {
	texts := []string{
		"Connected on June 29, 2024",
		"Connected on December 2, 2026", // tomorrow on the first day, then past
		"Connected 3 hours ago",         // relative: depends on the hour
		"Connected 2 weeks ago",
		"29. Juni 2024",
		"06/07/2024",
		"not a date at all",
	}
	var d connectedDates
	start := time.Date(2026, 12, 1, 1, 30, 0, 0, time.Local)
	for step := range 8 {
		now := start.Add(time.Duration(step) * 7 * time.Hour) // crosses midnight twice
		for _, locale := range []string{"en-US", "en-GB"} {
			for range 2 { // the second time from memory
				for _, text := range texts {
					day, src, ok := d.parse(text, locale, now)
					wday, wsrc, wok := annotate.ParseConnected(text, locale, now)
					if day != wday || src != wsrc || ok != wok {
						t.Errorf("%s, %q (%s): got %q %q %v, want %q %q %v", now.Format(time.DateTime), text, locale, day, src, ok, wday, wsrc, wok)
					}
				}
			}
		}
	}
}
