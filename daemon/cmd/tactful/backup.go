package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tactful/tactful/daemon"
	"github.com/tactful/tactful/daemon/store"
)

func backupCommand() *command {
	return &command{
		name:  "backup",
		args:  "FILE",
		nargs: 1,
		short: "write a consistent copy of the database to FILE",
		long: `Writes a consistent copy of the database to FILE (mode 0600), also while the
daemon runs (it asks the daemon for the copy), then checks the copy. Restore it
with 'tactful restore FILE'.`,
		run: (*Main).backup,
	}
}

func (m *Main) backup(ctx context.Context, e *env) error {
	dest := e.Args[0]
	if same, _ := samePath(dest, daemon.DBPath(e.Home)); same {
		return usagef("backup: %s is the database itself; name another file", dest)
	}
	res, _, perr := probe(ctx, e.Addr)
	var n int64
	var err error
	switch res {
	case probeOther:
		return errNotTactful(e.Addr, perr)
	case probeTactful:
		n, err = m.backupRemote(ctx, e, dest)
	default:
		n, err = m.backupDirect(e, dest)
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := store.Verify(dest); err != nil {
		os.Remove(dest)
		return fmt.Errorf("backup: the copy did not verify, so it was removed: %w", err)
	}
	fmt.Fprintf(m.Stderr, "Wrote %s (%s) and checked it.\n", dest, humanBytes(n))
	return nil
}

// backupRemote streams GET /backup from the running daemon into dest.
func (m *Main) backupRemote(ctx context.Context, e *env, dest string) (int64, error) {
	code, err := readCode(e.Home)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+e.Addr+"/backup", nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+code)
	resp, err := noProxyClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("ask the daemon on %s: %w", e.Addr, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return 0, fmt.Errorf("the daemon on %s refused the pairing code in %s: is it serving another --home?", e.Addr, e.Home)
	case resp.StatusCode != http.StatusOK:
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return 0, fmt.Errorf("the daemon on %s answered %s: %s", e.Addr, resp.Status, strings.TrimSpace(string(msg)))
	}
	var n int64
	err = writeFileAtomic(dest, func(w io.Writer) error {
		var err error
		n, err = io.Copy(w, resp.Body)
		return err
	})
	return n, err
}

// backupDirect copies the database with a read-only open.
func (m *Main) backupDirect(e *env, dest string) (int64, error) {
	db, err := openReadOnly(e)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int64
	err = writeFileAtomic(dest, func(w io.Writer) error {
		var err error
		n, err = db.Backup(w)
		return err
	})
	return n, err
}

func restoreCommand() *command {
	return &command{
		name:  "restore",
		args:  "FILE",
		nargs: 1,
		short: "replace the database with a backup (daemon stopped)",
		long: `Replaces HOME/tactful.db with FILE, a copy 'tactful backup' wrote. It checks
FILE first, refuses while a daemon runs (stop it first), and refuses to
replace an existing database unless --force says so. The copy is put in place
atomically, mode 0600. To load a JSON export instead, use 'tactful import'.`,
		bind: func(fs *flag.FlagSet) runFunc {
			force := fs.Bool("force", false, "replace an existing database")
			return func(m *Main, ctx context.Context, e *env) error { return m.restore(ctx, e, *force) }
		},
	}
}

func (m *Main) restore(ctx context.Context, e *env, force bool) error {
	src := e.Args[0]
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if err := store.Verify(src); err != nil {
		return fmt.Errorf("restore: %v; a JSON export loads with `tactful import`", err)
	}
	switch res, _, _ := probe(ctx, e.Addr); res {
	case probeTactful:
		return fmt.Errorf("restore: a tactful daemon is running on %s; stop the daemon first", e.Addr)
	}
	dbPath := daemon.DBPath(e.Home)
	if same, _ := samePath(src, dbPath); same {
		return usagef("restore: %s is the database itself", src)
	}
	if _, err := os.Stat(dbPath); err == nil {
		if !force {
			return fmt.Errorf("restore: %s already exists; add --force to replace it (back it up first with `tactful backup`)", dbPath)
		}
		// A daemon on another address still holds the lock.
		db, err := store.Open(dbPath, store.Options{Timeout: 500 * time.Millisecond, ReadOnly: true})
		if errors.Is(err, store.ErrLocked) {
			return fmt.Errorf("restore: another tactful daemon is using %s; stop the daemon first", dbPath)
		}
		if err == nil {
			db.Close()
		}
	}
	if err := os.MkdirAll(e.Home, 0o700); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer in.Close()
	var n int64
	err = writeFileAtomicVerified(dbPath, func(w io.Writer) error {
		n, err = io.Copy(w, in)
		return err
	}, store.Verify)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	fmt.Fprintf(m.Stderr, "Restored %s from %s (%s).\n", dbPath, src, humanBytes(n))
	return nil
}

// writeFileAtomic writes path through a temporary file in the same
// directory, mode 0600, synced, then renamed over path: a reader sees the old
// file or the whole new one.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	return writeFileAtomicVerified(path, write, nil)
}

// writeFileAtomicVerified is writeFileAtomic with a check of the temporary
// file before it replaces path.
func writeFileAtomicVerified(path string, write func(io.Writer) error, verify func(string) error) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName) // a no-op after the rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if verify != nil {
		if err := verify(tmpName); err != nil {
			return err
		}
	}
	if err := os.Rename(tmpName, path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// samePath reports whether a and b name the same file.
func samePath(a, b string) (bool, error) {
	fa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	fb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(fa, fb), nil
}
