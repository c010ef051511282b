package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/tactful/tactful/daemon"
	"github.com/tactful/tactful/daemon/store"
	"github.com/tactful/tactful/protocol"
)

// dueHome writes a store with two people due (a revisit and a removal),
// one whose day is still to come, and one already removed.
func dueHome(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	at := time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC)
	person := func(slug, name string, status protocol.Status, d protocol.Decision, on string) protocol.Contact {
		return protocol.Contact{Slug: slug, Name: name, Status: status, Tags: []string{}, Notes: []protocol.Note{}, FirstSeen: at,
			Review: &protocol.Review{Decision: d, On: on, Why: "private words", At: at}}
	}
	a := protocol.Archive{Format: protocol.ArchiveFormat, Version: protocol.ArchiveVersion, Events: []protocol.Event{},
		Contacts: []protocol.Contact{
			person("jane-doe", "Jane Doe", protocol.StatusReviewing, protocol.DecisionRevisit, "2025-03-01"),
			person("john-roe", "John Roe", protocol.StatusRemovalPlanned, protocol.DecisionRemoveOn, "2025-02-01"),
			person("later-person", "Later Person", protocol.StatusReviewing, protocol.DecisionRevisit, "2999-01-01"),
			person("gone-person", "Gone Person", protocol.StatusRemoved, protocol.DecisionRemoveOn, "2025-01-15"),
		}}
	db, err := store.Open(daemon.DBPath(home), store.Options{Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.Load(a); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return home
}

const wantDue = `2025-02-01  remove   John Roe  https://www.linkedin.com/in/john-roe/
2025-03-01  revisit  Jane Doe  https://www.linkedin.com/in/jane-doe/
`

func TestReviewDue(t *testing.T) {
	ctx := testCtx(t)
	home := dueHome(t)
	noDaemon := "--addr=127.0.0.1:1"

	out, _, err := runMain(t, ctx, "review", "--due", "--home", home, noDaemon)
	if err != nil || out != wantDue {
		t.Fatalf("review --due without a daemon: %v\n%s\nwant\n%s", err, out, wantDue)
	}
	if strings.Contains(out, "private words") {
		t.Error("review --due printed the why")
	}
	out, _, err = runMain(t, ctx, "review", "--due", "--json", "--home", home, noDaemon)
	var items []protocol.QueueItem
	if err != nil || json.Unmarshal([]byte(out), &items) != nil || len(items) != 2 || items[0].Slug != "john-roe" || items[0].DueKind != protocol.DueRemove {
		t.Errorf("review --due --json: %v\n%s", err, out)
	}
	out, errOut, err := runMain(t, ctx, "review", "--due", "--limit", "1", "--home", home, noDaemon)
	if err != nil || strings.Count(out, "\n") != 1 || !strings.Contains(errOut, "1 more") {
		t.Errorf("review --due --limit 1: %v\n%s%s", err, out, errOut)
	}

	// With a daemon serving the home: the same list, through it.
	started := make(chan *daemon.Daemon, 1)
	m := &Main{Stdout: &syncBuffer{}, Stderr: &syncBuffer{}, Getenv: func(string) string { return "" }, Version: "v-test",
		OnServe: func(d *daemon.Daemon) { started <- d }}
	sctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(sctx, []string{"serve", "--home", home, "--addr", "127.0.0.1:0"}) }()
	select {
	case <-started:
	case err := <-done:
		stop()
		t.Fatalf("serve: %v", err)
	}
	out, _, err = runMain(t, ctx, "review", "--due", "--home", home)
	stop()
	if serr := <-done; serr != nil {
		t.Fatal(serr)
	}
	if err != nil || out != wantDue {
		t.Errorf("review --due with the daemon serving: %v\n%s", err, out)
	}

	// A home with nothing due says so.
	empty := t.TempDir()
	db, err := store.Open(daemon.DBPath(empty), store.Options{Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if out, _, err := runMain(t, ctx, "review", "--due", "--home", empty, noDaemon); err != nil || out != "Nothing is due.\n" {
		t.Errorf("nothing due: %v %q", err, out)
	}
}

func TestReviewBadUse(t *testing.T) {
	home := t.TempDir()
	for _, args := range [][]string{{"review"}, {"review", "--due", "--limit", "0"}, {"review", "--due", "--limit", "5001"}} {
		_, _, err := runMain(t, testCtx(t), append(args, "--home", home)...)
		if ExitCode(err) != 2 || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: %v (exit %d), want a one-line usage error", args, err, ExitCode(err))
		}
	}
}

// Names come from web pages; a terminal must show them, not obey them.
func TestReviewDueEscapesWhatATerminalWouldRun(t *testing.T) {
	var out strings.Builder
	if err := printDue(&out, []protocol.QueueItem{{Slug: "ada-x", Name: "Ada\x1b[2J \u202eLovelace", DueOn: "2025-01-01", DueKind: "revisit"}}); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); strings.ContainsAny(got, "\x1b\u202e") || !strings.Contains(got, `Ada\x1b[2J \u202eLovelace`) {
		t.Errorf("printed %q", got)
	}
}
