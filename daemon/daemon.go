// Package daemon wires tactful's parts into one running daemon: the store in
// HOME/tactful.db, the pairing code in HOME/pairing-code, the annotation rules
// and the WebSocket server, listening on loopback.
//
// Start checks everything that can fail before it serves (the address, the
// home directory, the database lock, the port), so a mistake is one clear
// error at startup rather than a daemon that half works.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/tactful/tactful/daemon/annotate"
	"github.com/tactful/tactful/daemon/internal/fsowner"
	"github.com/tactful/tactful/daemon/pairing"
	"github.com/tactful/tactful/daemon/server"
	"github.com/tactful/tactful/daemon/store"
	"github.com/tactful/tactful/protocol"
)

// DBFileName is the name of the database inside the home directory.
const DBFileName = "tactful.db"

// Errors Start returns, for errors.Is. Their messages are refined with the
// path or port concerned.
var (
	// ErrNotLoopback: the address is not a loopback address.
	ErrNotLoopback = errors.New("tactful listens on loopback only")
	// ErrPortInUse: something already listens on the address.
	ErrPortInUse = errors.New("port in use")
	// ErrLocked: another process holds the database.
	ErrLocked = errors.New("database in use by another tactful daemon")
)

// Error is a startup error: Kind is one of the errors above (or nil) for
// errors.Is, Message the sentence for the user, Err the cause.
type Error struct {
	Kind    error
	Message string
	Err     error
}

func (e *Error) Error() string { return e.Message }

// Unwrap returns the kind and the cause.
func (e *Error) Unwrap() []error {
	var out []error
	if e.Kind != nil {
		out = append(out, e.Kind)
	}
	if e.Err != nil {
		out = append(out, e.Err)
	}
	return out
}

// Config configures Start. Home and Addr default to DefaultHome and
// DefaultAddr; zero fields of Rules take annotate's defaults.
type Config struct {
	Home string
	Addr string
	// Logger receives the daemon's log; the zero value discards it.
	Logger zerolog.Logger
	Rules  annotate.Rules
	// ExtraOrigins are browser origins allowed besides tactful's extension.
	ExtraOrigins []string
	// Version is the daemon's version, shown in welcome and /healthz.
	Version string
	// MaxConns bounds simultaneous paired connections; zero lets the server
	// choose. Connections before hello have places of their own.
	MaxConns int
	// Now is the daemon's clock: the store's timestamps, the rules' "today"
	// (cool-downs, review days, badges) and the server's. nil means
	// time.Now; end-to-end tests move it to see a review day come.
	Now func() time.Time
}

// Daemon is a running tactful daemon.
type Daemon struct {
	home    string
	db      *store.DB
	keeper  *pairing.Keeper
	server  *server.Server
	http    *http.Server
	ln      net.Listener
	log     zerolog.Logger
	served  chan struct{}
	serveEr error

	closeOnce sync.Once
	closeErr  error
}

// DefaultAddr is the address the daemon listens on unless told otherwise.
func DefaultAddr() string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(protocol.DefaultPort))
}

// DBPath returns the database file of home.
func DBPath(home string) string { return filepath.Join(home, DBFileName) }

// CheckAddr returns addr normalized if it is HOST:PORT on a loopback host
// ("localhost" reads as 127.0.0.1), and an *Error otherwise.
func CheckAddr(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", &Error{Kind: ErrNotLoopback, Err: err,
			Message: fmt.Sprintf("%q is not HOST:PORT; use 127.0.0.1:PORT", addr)}
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return "", &Error{Kind: ErrNotLoopback, Err: err,
			Message: fmt.Sprintf("%q is not a port number; use 127.0.0.1:PORT", port)}
	}
	if strings.EqualFold(host, "localhost") {
		host = "127.0.0.1"
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return "", &Error{Kind: ErrNotLoopback,
			Message: fmt.Sprintf("tactful listens on loopback only; use 127.0.0.1:%d, not %s", n, addr)}
	}
	return net.JoinHostPort(ip.String(), strconv.FormatUint(n, 10)), nil
}

// Start opens the store, ensures the pairing code, listens and serves. It
// returns once the daemon accepts connections.
func Start(cfg Config) (*Daemon, error) {
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr()
	}
	if cfg.Home == "" {
		cfg.Home = DefaultHome()
		if cfg.Home == "" {
			return nil, &Error{Message: "cannot find a home directory for tactful's data; set --home or TACTFUL_HOME"}
		}
	}
	logger := cfg.Logger

	// The address first: refusing it touches nothing on disk.
	addr, err := CheckAddr(cfg.Addr)
	if err != nil {
		return nil, err
	}
	home, err := filepath.Abs(cfg.Home)
	if err != nil {
		return nil, &Error{Message: fmt.Sprintf("home directory %s: %v", cfg.Home, err), Err: err}
	}
	if err := ensureHome(home, logger); err != nil {
		return nil, err
	}

	dbPath := DBPath(home)
	if cfg.Now != nil && cfg.Rules.Now == nil {
		cfg.Rules.Now = cfg.Now
	}
	db, err := store.Open(dbPath, store.Options{
		Timeout: 500 * time.Millisecond,
		Logger:  logger,
		Now:     cfg.Now,
	})
	if errors.Is(err, store.ErrLocked) {
		return nil, &Error{Kind: ErrLocked, Err: err,
			Message: fmt.Sprintf("another tactful daemon is using %s", dbPath)}
	} else if err != nil {
		msg := err.Error()
		if !strings.Contains(msg, dbPath) {
			msg = fmt.Sprintf("open %s: %s", dbPath, msg)
		}
		// The system refusing the file (a read-only disk, permissions) says
		// nothing against the data in it; only a file the store could not
		// read gets the advice to replace it.
		var pathErr *fs.PathError
		var errno syscall.Errno
		if !errors.As(err, &pathErr) && !errors.As(err, &errno) {
			msg += "; restore a backup with `tactful restore --force FILE`, or move the file aside to start afresh"
		}
		return nil, &Error{Err: err, Message: msg}
	}
	privateFile(dbPath, logger)
	d := &Daemon{home: home, db: db, log: logger, served: make(chan struct{})}

	d.keeper, err = pairing.NewKeeper(home, logger.With().Str("component", "pairing").Logger())
	if err != nil {
		db.Close()
		return nil, &Error{Err: err, Message: fmt.Sprintf("pairing code in %s: %v", home, err)}
	}

	d.ln, err = net.Listen("tcp", addr)
	if err != nil {
		db.Close()
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, &Error{Kind: ErrPortInUse, Err: err,
				Message: fmt.Sprintf("port %s is in use (is tactful already running? try `tactful status`)", addr)}
		}
		return nil, &Error{Err: err, Message: fmt.Sprintf("listen on %s: %v", addr, err)}
	}

	d.server = server.New(server.Config{
		Store:        db,
		Rules:        cfg.Rules,
		Pairing:      d.keeper,
		ExtraOrigins: cfg.ExtraOrigins,
		MaxConns:     cfg.MaxConns,
		Now:          cfg.Now,
		Logger:       logger.With().Str("component", "server").Logger(),
		Version:      cfg.Version,
	})
	d.http = &http.Server{
		Handler:           d.server,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          log.New(httpErrorLog{logger}, "", 0),
	}
	if err := writeAddr(home, d.Addr()); err != nil {
		logger.Warn().Err(err).Str("path", AddrPath(home)).Msg("cannot record the address in the home; commands need --addr to find this daemon")
	}
	go func() {
		defer close(d.served)
		if err := d.http.Serve(d.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			d.serveEr = err
			logger.Error().Err(err).Msg("the HTTP server stopped")
		}
	}()
	return d, nil
}

// privateFile makes sure only the user can read path: a database copied in
// by hand may carry a looser mode.
func privateFile(path string, logger zerolog.Logger) {
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm()&0o077 == 0 {
		return
	}
	// Like the pairing code: only the user's own file is theirs to change.
	if mine, _ := fsowner.Mine(fi); !mine {
		logger.Warn().Str("path", path).Str("owner", fsowner.Describe(fi)).Msg("the database belongs to another user; leaving its mode alone")
		return
	}
	if err := os.Chmod(path, 0o600); err != nil {
		logger.Warn().Err(err).Str("path", path).Msg("others can read the database and it cannot be made private")
		return
	}
	logger.Warn().Str("path", path).Str("was", fi.Mode().Perm().String()).Msg("made the database readable by its owner only (0600)")
}

// Addr is the address the daemon listens on, with the real port.
func (d *Daemon) Addr() string { return d.ln.Addr().String() }

// Home is the absolute home directory.
func (d *Daemon) Home() string { return d.home }

// DBPath is the database file.
func (d *Daemon) DBPath() string { return DBPath(d.home) }

// PairingCode returns the current pairing code.
func (d *Daemon) PairingCode() (string, error) { return pairing.Ensure(d.home) }

// Store is the daemon's open store, for tests.
func (d *Daemon) Store() *store.DB { return d.db }

// Close stops accepting connections, lets requests in flight finish under
// ctx, closes every WebSocket (1001) and closes the store. Calling it again
// returns the first call's result.
func (d *Daemon) Close(ctx context.Context) error {
	d.closeOnce.Do(func() {
		err := d.http.Shutdown(ctx)
		if err != nil {
			d.http.Close()
		}
		d.server.Close()
		<-d.served
		removeAddr(d.home, d.Addr())
		if cerr := d.db.Close(); cerr != nil && err == nil {
			err = cerr
		}
		if err == nil {
			err = d.serveEr
		}
		d.closeErr = err
	})
	return d.closeErr
}

// httpErrorLog sends net/http's own complaints (bad handshakes, TLS probes)
// to the daemon's log at debug level: a stranger's junk is not our warning.
type httpErrorLog struct{ log zerolog.Logger }

func (w httpErrorLog) Write(p []byte) (int, error) {
	w.log.Debug().Str("component", "http").Msg(strings.TrimSpace(string(p)))
	return len(p), nil
}
