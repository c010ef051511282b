package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/tactful/tactful/daemon"
	"github.com/tactful/tactful/daemon/store"
	"github.com/tactful/tactful/protocol"
)

func statusCommand() *command {
	return &command{
		name:  "status",
		short: "say whether the daemon runs and what it holds",
		long: `Asks the address whether a tactful daemon runs there and, if so, its version,
protocol, how many contacts, notes and events it holds and how many clients
are connected. Also prints the home directory and whether the database exists.
Exits with status 1 when no daemon runs.`,
		run: (*Main).status,
	}
}

func (m *Main) status(ctx context.Context, e *env) error {
	tw := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
	defer tw.Flush()
	dbPath := daemon.DBPath(e.Home)
	fmt.Fprintf(tw, "home:\t%s\n", e.Home)
	if fi, err := os.Stat(dbPath); err == nil {
		fmt.Fprintf(tw, "database:\t%s (%s)\n", dbPath, humanBytes(fi.Size()))
	} else {
		fmt.Fprintf(tw, "database:\t%s (does not exist yet)\n", dbPath)
	}

	res, h, err := probe(ctx, e.Addr)
	switch res {
	case probeNothing:
		fmt.Fprintf(tw, "daemon:\tnot running on %s\n", e.Addr)
		m.storedStats(tw, e, dbPath)
		return fmt.Errorf("no tactful daemon is running on %s", e.Addr)
	case probeOther:
		return errNotTactful(e.Addr, err)
	}
	fmt.Fprintf(tw, "daemon:\trunning on %s\n", e.Addr)
	fmt.Fprintf(tw, "version:\t%s\n", h.Version)
	fmt.Fprintf(tw, "protocol:\t%d\n", h.Protocol)

	code, err := readCode(e.Home)
	if err != nil {
		return err
	}
	c, err := m.dial(ctx, e, e.Addr, code)
	if err != nil {
		return err
	}
	defer c.Close()
	var st protocol.StatusReply
	if err := c.Call(ctx, &protocol.StatusGet{}, &st); err != nil {
		return fmt.Errorf("status: %w", err)
	}
	fmt.Fprintf(tw, "contacts:\t%d\n", st.Contacts)
	fmt.Fprintf(tw, "notes:\t%d\n", st.Notes)
	fmt.Fprintf(tw, "events:\t%d\n", st.Events)
	fmt.Fprintf(tw, "connections:\t%d (this one included)\n", st.Connections)
	return nil
}

// storedStats prints what the database holds, read directly, when no daemon
// answers; a daemon on another address still holds the file, and says so.
func (m *Main) storedStats(w io.Writer, e *env, dbPath string) {
	if _, err := os.Stat(dbPath); err != nil {
		return
	}
	db, err := store.Open(dbPath, store.Options{Timeout: 200 * time.Millisecond, ReadOnly: true, Logger: e.Log})
	if errors.Is(err, store.ErrLocked) {
		fmt.Fprintf(w, "note:\tanother tactful daemon holds the database; pass its --addr\n")
		return
	}
	if err != nil {
		fmt.Fprintf(w, "note:\tthe database cannot be read: %v\n", err)
		return
	}
	defer db.Close()
	st, err := db.Stats()
	if err != nil {
		return
	}
	fmt.Fprintf(w, "contacts:\t%d\nnotes:\t%d\nevents:\t%d\n", st.Contacts, st.Notes, st.Events)
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
