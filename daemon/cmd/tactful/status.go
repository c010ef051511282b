package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/tactful/tactful/daemon"
	"github.com/tactful/tactful/daemon/client"
	"github.com/tactful/tactful/daemon/store"
	"github.com/tactful/tactful/protocol"
)

// health is what a tactful daemon answers on /healthz.
type health struct {
	Service  string `json:"service"`
	Version  string `json:"version"`
	Protocol int    `json:"protocol"`
}

// probeResult says what listens on an address.
type probeResult int

const (
	probeNothing probeResult = iota // connection refused
	probeTactful                    // a tactful daemon
	probeOther                      // something else
)

// probe asks addr's /healthz whether a tactful daemon runs there.
func probe(ctx context.Context, addr string) (probeResult, health, error) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/healthz", nil)
	if err != nil {
		return probeNothing, health{}, err
	}
	resp, err := noProxyClient.Do(req)
	if err != nil {
		if errors.Is(err, syscall.ECONNREFUSED) {
			return probeNothing, health{}, nil
		}
		return probeOther, health{}, err
	}
	defer resp.Body.Close()
	var h health
	body := io.LimitReader(resp.Body, 64<<10)
	if resp.StatusCode != http.StatusOK || json.NewDecoder(body).Decode(&h) != nil || h.Service != "tactful" {
		return probeOther, health{}, fmt.Errorf("it answered %s", resp.Status)
	}
	return probeTactful, h, nil
}

// noProxyClient talks to loopback directly, whatever HTTP_PROXY says.
var noProxyClient = &http.Client{Transport: &http.Transport{Proxy: nil}}

// errNotTactful is returned when something other than tactful listens.
func errNotTactful(addr string, cause error) error {
	msg := fmt.Sprintf("something that is not tactful is listening on %s", addr)
	if cause != nil {
		msg += " (" + cause.Error() + ")"
	}
	return errors.New(msg + "; is --addr right?")
}

// connect returns a client of the daemon running on e.Addr, or nil when
// nothing listens there, so the caller opens the store itself.
func (m *Main) connect(ctx context.Context, e *env) (*client.Client, error) {
	res, _, err := probe(ctx, e.Addr)
	switch res {
	case probeNothing:
		return nil, nil
	case probeOther:
		return nil, errNotTactful(e.Addr, err)
	}
	code, err := readCode(e.Home)
	if err != nil {
		return nil, err
	}
	c, err := client.Dial(ctx, e.Addr, code, &client.Options{Client: "tactful-cli", ClientVersion: m.Version})
	if errors.Is(err, client.ErrPairingRefused) {
		return nil, fmt.Errorf("the daemon on %s refused the pairing code in %s: is it serving another --home?", e.Addr, e.Home)
	}
	if err != nil {
		return nil, err
	}
	e.Log.Debug().Str("addr", e.Addr).Msg("using the running daemon")
	return c, nil
}

// openStore opens the database directly, for when no daemon runs.
func (m *Main) openStore(e *env, readOnly bool) (*store.DB, error) {
	path := daemon.DBPath(e.Home)
	if readOnly {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("there is no tactful database at %s yet (no daemon runs on %s either)", path, e.Addr)
		}
	} else if err := os.MkdirAll(e.Home, 0o700); err != nil {
		return nil, fmt.Errorf("home directory: %w", err)
	}
	db, err := store.Open(path, store.Options{
		Timeout:  500 * time.Millisecond,
		ReadOnly: readOnly,
		Logger:   e.Log,
	})
	if errors.Is(err, store.ErrLocked) {
		return nil, fmt.Errorf("another tactful daemon is using %s (it is not on %s: pass its --addr)", path, e.Addr)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}

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

	c, err := m.connect(ctx, e)
	if err != nil {
		return err
	}
	if c == nil {
		return fmt.Errorf("the tactful daemon on %s stopped", e.Addr)
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
