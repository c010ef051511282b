package main_test

import (
	"bytes"
	"encoding/binary"
	"hash/fnv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tactful/tactful/daemon/store"
)

// goodStore writes a real store with one contact to path and returns its
// bytes and page size.
func goodStore(t *testing.T, path string) ([]byte, int) {
	t.Helper()
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.See([]store.Sighting{{Slug: "ada-lovelace", Name: "Ada"}}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return raw, int(binary.NativeEndian.Uint32(raw[16+8:]))
}

// rootPastTheEnd rewrites both meta pages of a bbolt file so that the root
// bucket and the high water mark lie far past the end of the file, with
// checksums that still validate.
func rootPastTheEnd(raw []byte, pageSize int) []byte {
	out := bytes.Clone(raw)
	for _, off := range []int{0, pageSize} {
		meta := out[off+16 : off+16+64]
		binary.NativeEndian.PutUint64(meta[16:], 1<<20)   // root
		binary.NativeEndian.PutUint64(meta[40:], 1<<20+1) // high water mark
		h := fnv.New64a()
		h.Write(meta[:56])
		binary.NativeEndian.PutUint64(meta[56:], h.Sum64())
	}
	return out
}

// Before the pre-open check, these files killed serve, history and restore
// with "fatal error: fault" (SIGSEGV).
func TestDamagedDatabaseGetsTheDamagedMessage(t *testing.T) {
	bin := build(t)
	raw, pageSize := goodStore(t, filepath.Join(t.TempDir(), "good.db"))
	files := map[string][]byte{
		"root past the end": rootPastTheEnd(raw, pageSize),
		"truncated":         raw[:3*pageSize],
	}
	for name, content := range files {
		t.Run(name, func(t *testing.T) {
			wantDamaged := func(r result, path string) {
				t.Helper()
				if r.code == 0 || !strings.Contains(r.stderr, path+" is not a tactful database or is damaged") {
					t.Errorf("exit %d, stderr:\n%s\nwant the damaged message naming %s", r.code, r.stderr, path)
				}
				if strings.Contains(r.stderr, "fatal error") || strings.Contains(r.stderr, "SIG") {
					t.Errorf("the process crashed:\n%s", r.stderr)
				}
			}
			home := t.TempDir()
			db := filepath.Join(home, "tactful.db")
			if err := os.WriteFile(db, content, 0o600); err != nil {
				t.Fatal(err)
			}
			wantDamaged(run(t, bin, "serve", "--home", home, "--addr", "127.0.0.1:0"), db)
			wantDamaged(run(t, bin, "history", "--home", home, "--addr", freeAddr(t)), db)

			// restore checks its source and replaces nothing.
			target := t.TempDir()
			kept, _ := goodStore(t, filepath.Join(target, "tactful.db"))
			src := filepath.Join(t.TempDir(), "backup.db")
			if err := os.WriteFile(src, content, 0o600); err != nil {
				t.Fatal(err)
			}
			wantDamaged(run(t, bin, "restore", "--force", "--home", target, "--addr", freeAddr(t), src), src)
			if after, _ := os.ReadFile(filepath.Join(target, "tactful.db")); !bytes.Equal(after, kept) {
				t.Error("a refused restore changed the database")
			}
			if after, _ := os.ReadFile(db); !bytes.Equal(after, content) {
				t.Error("the damaged file was changed")
			}
		})
	}
}
