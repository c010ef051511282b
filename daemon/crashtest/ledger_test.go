package crashtest

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/tactful/tactful/daemon/client"
	"github.com/tactful/tactful/protocol"
)

// note is one note a test client sent.
type note struct {
	ID, Slug, Text string
}

// ledger is the client side's record: which notes the daemon acknowledged
// (they must be stored exactly once, forever) and which were sent without
// an answer (they may or may not be stored, never twice).
type ledger struct {
	mu      sync.Mutex
	slugs   []string
	acked   map[string]note
	pending map[string]note
}

func newLedger() *ledger {
	return &ledger{acked: map[string]note{}, pending: map[string]note{}}
}

func (l *ledger) addSlugs(s ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.slugs = append(l.slugs, s...)
}

func (l *ledger) sending(n note) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pending[n.ID] = n
}

func (l *ledger) ack(n note) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.pending, n.ID)
	l.acked[n.ID] = n
}

// snapshot returns copies of what the ledger holds.
func (l *ledger) snapshot() (slugs []string, acked, pending map[string]note) {
	l.mu.Lock()
	defer l.mu.Unlock()
	acked = make(map[string]note, len(l.acked))
	for k, v := range l.acked {
		acked[k] = v
	}
	pending = make(map[string]note, len(l.pending))
	for k, v := range l.pending {
		pending[k] = v
	}
	return slices.Clone(l.slugs), acked, pending
}

// check compares the daemon's contacts and history with the ledger: every
// acknowledged note is stored exactly once, on its contact, with its text,
// and has exactly one note_added event; an unanswered note is stored at most
// once and has an event exactly when it is stored; no note appears that no
// client sent. It returns the problems found, at most a screenful.
func (l *ledger) check(c *client.Client) []string {
	slugs, acked, pending := l.snapshot()
	var problems []string
	report := func(format string, args ...any) {
		if len(problems) < 20 {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}

	stored := map[string][]note{} // note id -> where it is stored
	for _, slug := range slugs {
		ct, err := getContact(c, slug)
		if err != nil {
			report("%v", err)
			continue
		}
		for _, n := range ct.Notes {
			stored[n.ID] = append(stored[n.ID], note{ID: n.ID, Slug: slug, Text: n.Text})
		}
	}
	events, err := noteAddedEvents(c)
	if err != nil {
		return append(problems, err.Error())
	}

	for id, want := range acked {
		got := stored[id]
		switch {
		case len(got) == 0:
			report("acknowledged note %s on %s is lost", id, want.Slug)
		case len(got) > 1:
			report("acknowledged note %s is stored %d times: %v", id, len(got), got)
		case got[0].Slug != want.Slug || got[0].Text != want.Text:
			report("acknowledged note %s is stored as %+v, want %+v", id, got[0], want)
		}
		if events[id] != 1 {
			report("acknowledged note %s has %d note_added events in the history, want 1", id, events[id])
		}
	}
	for id, want := range pending {
		got := stored[id]
		if len(got) > 1 {
			report("unanswered note %s is stored %d times", id, len(got))
		}
		if len(got) == 1 && (got[0].Slug != want.Slug || got[0].Text != want.Text) {
			report("unanswered note %s is stored as %+v, want %+v", id, got[0], want)
		}
		if events[id] != len(got) {
			report("unanswered note %s is stored %d times but has %d note_added events", id, len(got), events[id])
		}
	}
	var strangers []string
	for id := range stored {
		if _, ok := acked[id]; !ok {
			if _, ok := pending[id]; !ok {
				strangers = append(strangers, id)
			}
		}
	}
	for id := range events {
		if _, ok := acked[id]; !ok {
			if _, ok := pending[id]; !ok && len(stored[id]) == 0 {
				strangers = append(strangers, id+" (history only)")
			}
		}
	}
	if len(strangers) > 0 {
		sort.Strings(strangers)
		report("notes no client sent: %s", strings.Join(strangers[:min(len(strangers), 10)], ", "))
	}
	return problems
}

// mustCheck fails the test with the ledger's problems.
func (l *ledger) mustCheck(t testing.TB, c *client.Client, when string) {
	t.Helper()
	if problems := l.check(c); len(problems) > 0 {
		t.Fatalf("%s:\n  %s", when, strings.Join(problems, "\n  "))
	}
}

// addNote sends one note_add and reports whether the daemon acknowledged it.
// An error reply other than rate_limited fails the test; a broken
// connection returns false and the error.
func addNote(c *client.Client, n note) (protocol.NoteSaved, error) {
	var reply protocol.NoteSaved
	err := call(c, protocol.NoteAdd{Slug: n.Slug, NoteID: n.ID, Text: n.Text}, &reply)
	if err != nil {
		return reply, err
	}
	if reply.Type != protocol.TypeNoteSaved || reply.Note.ID != n.ID || reply.Note.Text != n.Text {
		return reply, fmt.Errorf("note_add %s: the reply is a %q for note %q with %d characters of text, want note_saved with the %d sent",
			n.ID, reply.Type, reply.Note.ID, len(reply.Note.Text), len(n.Text))
	}
	return reply, nil
}
