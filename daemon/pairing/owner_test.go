package pairing

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const nobody = 65534 // the owner of files that must belong to another user

// plant puts a valid code of someone else's at home's pairing-code, as a
// symbolic link to a file with it, or as a file owned by nobody (root only).
func plant(t *testing.T, home string, asLink bool) (theirs string) {
	t.Helper()
	theirs, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(t.TempDir(), "theirs")
	if err := os.WriteFile(src, []byte(theirs+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if asLink {
		if err := os.Symlink(src, Path(home)); err != nil {
			t.Fatal(err)
		}
		return theirs
	}
	if os.Geteuid() != 0 {
		t.Skip("giving a file to another user (os.Chown) needs root; the symbolic link case runs without it")
	}
	if err := os.Chown(src, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(src, Path(home)); err != nil {
		t.Fatal(err)
	}
	return theirs
}

func TestEnsureRefusesACodeSomeoneElsePlanted(t *testing.T) {
	for _, c := range []struct {
		name   string
		asLink bool
		want   string
	}{
		{"symbolic link", true, "is a symbolic link"},
		{"another user's file", false, "belongs to another user"},
	} {
		t.Run(c.name, func(t *testing.T) {
			home := t.TempDir()
			plant(t, home, c.asLink)
			for name, read := range map[string]func(string) (string, error){"Ensure": Ensure, "Read": Read} {
				code, err := read(home)
				if err == nil {
					t.Fatalf("%s trusted the planted code %s", name, code)
				}
				for _, w := range []string{Path(home), c.want, "tactful pair --rotate"} {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("%s: %q lacks %q", name, err, w)
					}
				}
			}
			if !c.asLink {
				// Only the user's own file is tightened.
				if fi, err := os.Lstat(Path(home)); err != nil || fi.Mode().Perm() != 0o644 {
					t.Errorf("another user's file was changed: %v %v", fi.Mode(), err)
				}
			}
			// Rotating replaces the planted file with the user's own.
			code, err := Rotate(home)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := Ensure(home); err != nil || got != code {
				t.Errorf("after Rotate: Ensure = %q, %v; want %q", got, err, code)
			}
		})
	}
}

func TestKeeperIgnoresAPlantedCode(t *testing.T) {
	for _, asLink := range []bool{true, false} {
		name := map[bool]string{true: "symbolic link", false: "another user's file"}[asLink]
		t.Run(name, func(t *testing.T) {
			k, home, code := newKeeper(t)
			if err := os.Remove(Path(home)); err != nil {
				t.Fatal(err)
			}
			theirs := plant(t, home, asLink)
			if _, ok := k.Check(theirs); ok {
				t.Error("the keeper accepted the planted code")
			}
			if gen, ok := k.Check(code); !ok || gen != 1 {
				t.Errorf("Check(owner's code) = %d, %v; want 1, true", gen, ok)
			}
		})
	}
}
