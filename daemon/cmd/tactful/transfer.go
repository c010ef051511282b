package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/tactful/tactful/daemon"
	"github.com/tactful/tactful/daemon/store"
	"github.com/tactful/tactful/protocol"
)

// remoteDaemon is a running daemon's HTTP transfer endpoints (/export,
// /import), which stream whole stores that no WebSocket message could hold.
type remoteDaemon struct {
	addr, code, home string
}

// withStore runs remote against the daemon on e.Addr when one runs there,
// and local on the database opened in this process otherwise. With
// mustExist, a home without a database is an error rather than a new one.
func (m *Main) withStore(ctx context.Context, e *env, mustExist bool, remote func(remoteDaemon) error, local func(*store.DB) error) error {
	res, _, perr := probe(ctx, e.Addr)
	switch res {
	case probeOther:
		return errNotTactful(e.Addr, perr)
	case probeTactful:
		code, err := readCode(e.Home)
		if err != nil {
			return err
		}
		e.Log.Debug().Str("addr", e.Addr).Msg("using the running daemon")
		return remote(remoteDaemon{addr: e.Addr, code: code, home: e.Home})
	}
	path := daemon.DBPath(e.Home)
	if _, err := os.Stat(path); mustExist && errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("there is no tactful database at %s yet (and no daemon runs on %s)", path, e.Addr)
	}
	db, err := store.Open(path, store.Options{Timeout: 500 * time.Millisecond, Logger: e.Log})
	if errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("another tactful daemon is using %s, but not on %s: pass its --addr", path, e.Addr)
	}
	if err != nil {
		return err
	}
	e.Log.Debug().Str("db", path).Msg("no daemon runs; opened the database in this process")
	err = local(db)
	if cerr := db.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close %s: %w", path, cerr)
	}
	return err
}

func (d remoteDaemon) request(ctx context.Context, method, path, format string, body io.Reader) (*http.Response, error) {
	u := "http://" + d.addr + path + "?format=" + url.QueryEscape(format)
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+d.code)
	resp, err := noProxyClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("ask the daemon on %s: %w", d.addr, err)
	}
	if resp.StatusCode == http.StatusOK {
		return resp, nil
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		return nil, fmt.Errorf("the daemon on %s refused the pairing code in %s: is it serving another --home?", d.addr, d.home)
	}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var reply protocol.ErrorReply
	if json.Unmarshal(raw, &reply) == nil && reply.Code != "" {
		return nil, &protocol.Error{Code: reply.Code, Message: reply.Message}
	}
	return nil, fmt.Errorf("the daemon on %s answered %s: %s", d.addr, resp.Status, strings.TrimSpace(string(raw)))
}

// export streams GET /export into w.
func (d remoteDaemon) export(ctx context.Context, format string, w io.Writer) error {
	resp, err := d.request(ctx, http.MethodGet, "/export", format, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(w, resp.Body); err != nil {
		return fmt.Errorf("read the export from the daemon on %s: %w", d.addr, err)
	}
	return nil
}

// importFile streams body to POST /import and returns the daemon's summary.
func (d remoteDaemon) importFile(ctx context.Context, format string, body io.Reader) (protocol.ImportSummary, error) {
	resp, err := d.request(ctx, http.MethodPost, "/import", format, body)
	if err != nil {
		return protocol.ImportSummary{}, err
	}
	defer resp.Body.Close()
	var reply protocol.ImportResult
	if err := json.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(&reply); err != nil {
		return protocol.ImportSummary{}, fmt.Errorf("read the daemon's import summary: %w", err)
	}
	return reply.Summary, nil
}
