package daemon

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/rs/zerolog"

	"github.com/tactful/tactful/daemon/internal/fsowner"
)

// ErrUnsafeHome: the home directory belongs to another user, or others can
// write to it. Whoever can write there can replace the pairing code with one
// they know and read every note through the daemon.
var ErrUnsafeHome = errors.New("the home directory is not safe")

// CheckHome refuses an existing home that the effective user does not own,
// or that its group or others can write to (a 1777 folder included). A
// group that is the user's private group (fsowner.PrivateGroup) may write:
// it holds nobody else. A home that does not exist yet passes: tactful
// creates it 0700.
func CheckHome(home string) error {
	fi, err := os.Stat(home)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return &Error{Err: err, Message: fmt.Sprintf("home directory %s: %v", home, err)}
	}
	if !fi.IsDir() {
		return &Error{Message: fmt.Sprintf("home %s is not a directory", home)}
	}
	mine, known := fsowner.Mine(fi)
	if !known {
		// Windows: no owners and no mode bits to read (Go reports 0777 for
		// any folder); access lists protect the home there (SECURITY.md).
		return nil
	}
	if !mine {
		return &Error{Kind: ErrUnsafeHome, Message: fmt.Sprintf(
			"home directory %s (%s) belongs to another user, not to you (%s): it would hold your private notes and the pairing code under their control; use a directory of your own with --home or TACTFUL_HOME",
			home, fsowner.Describe(fi), fsowner.Name(os.Geteuid()))}
	}
	othersWrite := fi.Mode().Perm()&0o002 != 0
	groupWrites := fi.Mode().Perm()&0o020 != 0 && !fsowner.PrivateGroup(fi)
	if othersWrite || groupWrites {
		return &Error{Kind: ErrUnsafeHome, Message: fmt.Sprintf(
			"home directory %s (%s) can be written by other users, who could replace the pairing code and read your notes; run `chmod 700 %s`, or use another --home",
			home, fsowner.Describe(fi), home)}
	}
	return nil
}

// ensureHome checks home (CheckHome) and creates it with mode 0700 when it
// is missing. A home that others can read but not write is left alone (it
// may be shared on purpose), but logged: the files in it are 0600 either way.
func ensureHome(home string, logger zerolog.Logger) error {
	if err := CheckHome(home); err != nil {
		return err
	}
	fi, err := os.Stat(home)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(home, 0o700); err != nil {
			return &Error{Err: err, Message: fmt.Sprintf("create home directory %s: %v", home, err)}
		}
		return nil
	} else if err != nil {
		return &Error{Err: err, Message: fmt.Sprintf("home directory %s: %v", home, err)}
	}
	if fi.Mode().Perm()&0o077 != 0 {
		logger.Warn().Str("home", home).Str("mode", fi.Mode().Perm().String()).
			Msg("the home directory can be read by other users; chmod 700 it")
	}
	return nil
}
