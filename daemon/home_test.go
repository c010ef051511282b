package daemon_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/tactful/tactful/daemon"
	"github.com/tactful/tactful/daemon/client"
	"github.com/tactful/tactful/daemon/pairing"
)

// nobody is the uid and gid the tests give files that must belong to
// another user. Changing a file's owner takes root, so those cases skip
// otherwise.
const nobody = 65534

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("giving a file to another user (os.Chown) needs root; the mode checks run without it")
	}
}

// homeWith makes a home directory with mode (chmod, so the umask cannot
// loosen or tighten it) and runs setup on it.
func homeWith(t *testing.T, mode os.FileMode, setup func(t *testing.T, home string)) string {
	t.Helper()
	home := filepath.Join(t.TempDir(), "home")
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	if setup != nil {
		setup(t, home)
	}
	if err := os.Chmod(home, mode); err != nil {
		t.Fatal(err)
	}
	return home
}

func TestStartRefusesAHomeOthersControl(t *testing.T) {
	for _, c := range []struct {
		name  string
		mode  os.FileMode
		setup func(t *testing.T, home string)
		want  []string // in the message, besides the home's path
	}{
		{"world-writable", 0o777, nil, []string{"drwxrwxrwx", "can be written by other users", "chmod 700"}},
		{"sticky world-writable (1777)", 0o777 | os.ModeSticky, nil, []string{"can be written by other users", "chmod 700"}},
		{"writable by a group not the user's own", 0o770, func(t *testing.T, home string) {
			needRoot(t)
			if err := os.Chown(home, os.Geteuid(), nobody); err != nil {
				t.Fatal(err)
			}
		}, []string{"drwxrwx---", "can be written by other users"}},
		{"owned by another user", 0o700, func(t *testing.T, home string) {
			needRoot(t)
			if err := os.Chown(home, nobody, nobody); err != nil {
				t.Fatal(err)
			}
		}, []string{"belongs to another user", "uid 65534", "--home"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			home := homeWith(t, c.mode, c.setup)
			d, err := daemon.Start(daemon.Config{Home: home, Addr: "127.0.0.1:0", Logger: zerolog.New(zerolog.NewTestWriter(t))})
			if err == nil {
				d.Close(context.Background())
				t.Fatal("Start served from a home other users control")
			}
			if !errors.Is(err, daemon.ErrUnsafeHome) {
				t.Errorf("error %v is not ErrUnsafeHome", err)
			}
			for _, w := range append(c.want, home) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("message %q lacks %q", err, w)
				}
			}
			for _, f := range []string{daemon.DBFileName, pairing.FileName} {
				if _, err := os.Lstat(filepath.Join(home, f)); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("a refused home got %s", f)
				}
			}
		})
	}
}

func TestStartAcceptsAHomeOnlyTheUserWrites(t *testing.T) {
	for _, mode := range []os.FileMode{0o700, 0o755} {
		t.Run(mode.String(), func(t *testing.T) {
			home := homeWith(t, mode, nil)
			dial(t, start(t, home))
		})
	}
}

// The attack of issue 10: a home that became writable to others after the
// daemon started, another user's pairing-code renamed over the owner's. The
// daemon keeps the owner's code; the other user's code opens nothing.
func TestAnotherUsersPairingCodeIsNotTrusted(t *testing.T) {
	needRoot(t)
	home := homeWith(t, 0o700, nil)
	d := start(t, home)
	owners, err := d.PairingCode()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(home, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	theirs, err := pairing.Generate()
	if err != nil {
		t.Fatal(err)
	}
	planted := filepath.Join(home, ".planted")
	if err := os.WriteFile(planted, []byte(theirs+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(planted, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(planted, pairing.Path(home)); err != nil {
		t.Fatal(err)
	}

	ctx := testContext(t)
	if c, err := client.Dial(ctx, d.Addr(), theirs, nil); err == nil {
		c.Close()
		t.Fatal("the daemon accepted a code from a file another user planted")
	} else if !errors.Is(err, client.ErrPairingRefused) {
		t.Errorf("dial with the planted code: %v, want the pairing refused", err)
	}
	c, err := client.Dial(ctx, d.Addr(), owners, nil)
	if err != nil {
		t.Fatalf("the owner's code stopped working: %v", err)
	}
	c.Close()
	if fi, err := os.Stat(pairing.Path(home)); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("the daemon changed another user's file: %v, %v", fi.Mode(), err)
	}
}

// Without root, a folder of another user's to try is at hand: "/" belongs
// to root. (As root, TestStartRefusesAHomeOthersControl chowns one.)
func TestCheckHomeRefusesTheRootFolderToOthers(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("as root, / is the user's own; TestStartRefusesAHomeOthersControl gives a folder to another user instead")
	}
	err := daemon.CheckHome("/")
	if !errors.Is(err, daemon.ErrUnsafeHome) || !strings.Contains(err.Error(), "belongs to another user") {
		t.Errorf("CheckHome(/) = %v, want it refused as another user's", err)
	}
}
