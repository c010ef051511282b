package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"syscall"
	"time"

	"github.com/tactful/tactful/daemon"
	"github.com/tactful/tactful/daemon/client"
	"github.com/tactful/tactful/daemon/pairing"
	"github.com/tactful/tactful/daemon/store"
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

// session connects to the daemon on e.Addr. When none runs there, it starts
// one in this process on a free loopback port with the same home, so every
// data command takes the same path through the protocol whether or not the
// user's daemon runs. With mustExist, a home without a database is an error
// rather than a new, empty database. done ends the session.
func (m *Main) session(ctx context.Context, e *env, mustExist bool) (c *client.Client, done func(), err error) {
	res, _, perr := probe(ctx, e.Addr)
	switch res {
	case probeOther:
		return nil, nil, errNotTactful(e.Addr, perr)
	case probeTactful:
		code, err := readCode(e.Home)
		if err != nil {
			return nil, nil, err
		}
		c, err := m.dial(ctx, e, e.Addr, code)
		if err != nil {
			return nil, nil, err
		}
		e.Log.Debug().Str("addr", e.Addr).Msg("using the running daemon")
		return c, func() { c.Close() }, nil
	}

	path := daemon.DBPath(e.Home)
	if _, err := os.Stat(path); mustExist && errors.Is(err, os.ErrNotExist) {
		return nil, nil, fmt.Errorf("there is no tactful database at %s yet (and no daemon runs on %s)", path, e.Addr)
	}
	d, err := daemon.Start(daemon.Config{Home: e.Home, Addr: "127.0.0.1:0", Logger: e.Log, Version: m.Version})
	if errors.Is(err, daemon.ErrLocked) {
		return nil, nil, fmt.Errorf("another tactful daemon is using %s, but not on %s: pass its --addr", path, e.Addr)
	}
	if err != nil {
		return nil, nil, err
	}
	stop := func() {
		sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
		defer cancel()
		if err := d.Close(sctx); err != nil {
			e.Log.Error().Err(err).Msg("close the database")
		}
	}
	code, err := d.PairingCode()
	if err == nil {
		c, err = m.dial(ctx, e, d.Addr(), code)
	}
	if err != nil {
		stop()
		return nil, nil, err
	}
	e.Log.Debug().Str("db", path).Msg("no daemon runs; opened the database in this process")
	return c, func() { c.Close(); stop() }, nil
}

func (m *Main) dial(ctx context.Context, e *env, addr, code string) (*client.Client, error) {
	c, err := client.Dial(ctx, addr, code, &client.Options{Client: "tactful-cli", ClientVersion: m.Version})
	if errors.Is(err, client.ErrPairingRefused) {
		return nil, fmt.Errorf("the daemon on %s refused the pairing code in %s: is it serving another --home?", addr, e.Home)
	}
	return c, err
}

// openReadOnly opens the database directly and read-only, for when no daemon
// runs.
func openReadOnly(e *env) (*store.DB, error) {
	path := daemon.DBPath(e.Home)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("there is no tactful database at %s yet (and no daemon runs on %s)", path, e.Addr)
	}
	db, err := store.Open(path, store.Options{Timeout: 500 * time.Millisecond, ReadOnly: true, Logger: e.Log})
	if errors.Is(err, store.ErrLocked) {
		return nil, fmt.Errorf("another tactful daemon is using %s (it is not on %s: pass its --addr)", path, e.Addr)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}

// readCode reads the pairing code of home without creating one.
func readCode(home string) (string, error) {
	code, err := pairing.Read(home)
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("no pairing code in %s (is the daemon using another --home?): %w", home, err)
	}
	return code, err
}
