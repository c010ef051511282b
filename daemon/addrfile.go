package daemon

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// AddrFileName is the file in the home where a running daemon writes the
// address it listens on, so that every command given only --home finds it,
// whatever --addr it was started with. A clean exit removes it; one left by
// a crash is stale, and commands that find nothing tactful there ignore it.
const AddrFileName = "daemon.addr"

// AddrPath returns the address file of home.
func AddrPath(home string) string { return filepath.Join(home, AddrFileName) }

// ReadAddr returns the address a daemon wrote into home, checked to be a
// loopback HOST:PORT; "" and no error when there is none.
func ReadAddr(home string) (string, error) {
	b, err := os.ReadFile(AddrPath(home))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	addr, err := CheckAddr(strings.TrimSpace(string(b)))
	if err != nil {
		return "", fmt.Errorf("%s: %w", AddrPath(home), err)
	}
	return addr, nil
}

// writeAddr records addr in home, atomically and readable by the user only.
func writeAddr(home, addr string) error {
	tmp, err := os.CreateTemp(home, "."+AddrFileName+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	if _, err := tmp.WriteString(addr + "\n"); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), AddrPath(home))
}

// removeAddr removes the address file if it still names addr: a daemon
// started later on the same home (after this one lost its lock) keeps its own.
func removeAddr(home, addr string) {
	if got, err := ReadAddr(home); err == nil && got == addr {
		_ = os.Remove(AddrPath(home))
	}
}
