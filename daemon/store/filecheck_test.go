package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// craftedStore returns the bytes of a real store holding one contact, with
// each valid meta page rewritten by edit and its checksum recomputed, so
// bbolt takes the meta page at its word. It also returns the page size.
func craftedStore(t *testing.T, edit func(meta []byte, pageSize int)) []byte {
	t.Helper()
	p := filepath.Join(t.TempDir(), "x.db")
	db := openAt(t, p, newClock())
	see(t, db, Sighting{Slug: "ada-x", Name: "Ada"})
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	pageSize := int(binary.NativeEndian.Uint32(raw[boltPageHeader+8:]))
	for _, off := range []int{0, pageSize} {
		meta := raw[off+boltPageHeader : off+boltPageHeader+boltMetaSize]
		if edit != nil {
			edit(meta, pageSize)
		}
		h := fnv.New64a()
		h.Write(meta[:boltMetaChecksumd])
		binary.NativeEndian.PutUint64(meta[boltMetaChecksumd:], h.Sum64())
	}
	return raw
}

// damagedFiles are files with valid meta checksums that point outside the
// file, and truncated files: each crashed the process with SIGSEGV/SIGBUS
// before checkFile.
func damagedFiles(t *testing.T) map[string][]byte {
	setU64 := func(at int, v uint64) func([]byte, int) {
		return func(meta []byte, _ int) { binary.NativeEndian.PutUint64(meta[at:], v) }
	}
	const rootAt, freelistAt, pgidAt = 16, 32, 40
	whole := craftedStore(t, nil)
	pageSize := int(binary.NativeEndian.Uint32(whole[boltPageHeader+8:]))
	return map[string][]byte{
		"root past the end": craftedStore(t, func(meta []byte, ps int) {
			setU64(rootAt, 1<<20)(meta, ps)
			setU64(pgidAt, 1<<20+1)(meta, ps)
		}),
		"root past the mapping": craftedStore(t, setU64(rootAt, 1<<40)),
		"freelist past the end": craftedStore(t, func(meta []byte, ps int) {
			setU64(freelistAt, 1<<20)(meta, ps)
			setU64(pgidAt, 1<<20+1)(meta, ps)
		}),
		"truncated to its meta pages": whole[:2*pageSize],
		"truncated mid-page":          whole[:int(liveMeta(whole).pgid)*pageSize-pageSize/2],
		"shorter than a page":         whole[:3000],
	}
}

func TestDamagedFilesAreRefusedNotFatal(t *testing.T) {
	for name, content := range damagedFiles(t) {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "tactful.db")
			if err := os.WriteFile(path, content, 0o600); err != nil {
				t.Fatal(err)
			}
			wantDamaged := func(what string, err error) {
				t.Helper()
				if err == nil {
					t.Fatalf("%s accepted a damaged file", what)
				}
				if want := path + " is not a tactful database or is damaged: "; !strings.HasPrefix(err.Error(), want) {
					t.Errorf("%s: %q, want it to start with %q", what, err, want)
				}
				if errors.Is(err, ErrLocked) {
					t.Errorf("%s: a damaged file reported as locked", what)
				}
			}
			for _, ro := range []bool{false, true} {
				db, err := Open(path, Options{ReadOnly: ro, Logger: testLogger(t)})
				if err == nil {
					db.Close()
				}
				wantDamaged("Open", err)
			}
			wantDamaged("Verify", Verify(path))
			if after, _ := os.ReadFile(path); !bytes.Equal(after, content) {
				t.Errorf("opening changed the damaged file")
			}
		})
	}
}

// largeStore returns the bytes of a real store whose contacts bucket has a
// tree of its own (a branch page over leaves), and its page size.
func largeStore(t *testing.T) ([]byte, int) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "x.db")
	db := openAt(t, p, newClock())
	var seen []Sighting
	for i := range 300 {
		seen = append(seen, Sighting{Slug: fmt.Sprintf("person-%03d", i), Name: fmt.Sprintf("Person %d of a large enough store", i)})
	}
	see(t, db, seen...)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return raw, int(liveMeta(raw).pageSize)
}

// bucketRootPage returns the page id of the root of the top-level bucket
// name, or 0 when it is inline.
func bucketRootPage(t *testing.T, raw []byte, name string) uint64 {
	t.Helper()
	ne := binary.NativeEndian
	m := liveMeta(raw)
	page := raw[m.root*uint64(m.pageSize):]
	for i := range int(ne.Uint16(page[10:])) {
		elem := page[boltPageHeader+i*16:]
		pos, ksize := int(ne.Uint32(elem[4:])), int(ne.Uint32(elem[8:]))
		if ne.Uint32(elem)&1 != 0 && string(elem[pos:pos+ksize]) == name {
			return ne.Uint64(elem[pos+ksize:])
		}
	}
	t.Fatalf("no bucket %s", name)
	return 0
}

// A leaf page deep in a bucket whose first key lies past the end of the
// file passes checkFile (it reads only branch pages there). The read that
// meets it faults: Verify must end with the damaged error, not a dead
// process.
func TestFaultDeepInTheTreeIsAnError(t *testing.T) {
	raw, pageSize := largeStore(t)
	ne := binary.NativeEndian
	branch := bucketRootPage(t, raw, "contacts")
	if branch == 0 || ne.Uint16(raw[int(branch)*pageSize+8:]) != boltBranchPage {
		t.Fatal("the contacts bucket has no branch page: the store is too small for this test")
	}
	leaf := int(ne.Uint64(raw[int(branch)*pageSize+boltPageHeader+8:]))
	// Past the end of the file but inside bbolt's 256 MiB mapping: reading
	// it is a SIGBUS, which only SetPanicOnFault turns into a panic.
	pastTheEnd := (len(raw)/pageSize + 16) * pageSize
	if pastTheEnd >= initialMmapSize {
		t.Fatalf("the store grew to %d bytes, past bbolt's mapping: the test needs a smaller file", len(raw))
	}
	elem := leaf*pageSize + boltPageHeader
	ne.PutUint32(raw[elem+4:], uint32(pastTheEnd-elem))
	path := filepath.Join(t.TempDir(), "tactful.db")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := checkFile(path); err != nil {
		t.Fatalf("checkFile reads no leaf of a bucket, yet refused: %v", err)
	}
	err := Verify(path)
	if err == nil || !strings.Contains(err.Error(), "is not a tactful database or is damaged") {
		t.Errorf("Verify = %v, want damaged", err)
	}
}

// bbolt recurses through branch pages without remembering them: a branch
// that points to itself recursed until the stack overflowed, a fatal error.
// checkFile walks the branch pages and refuses the loop, and a child page
// outside the file.
func TestBrokenBucketTreesAreRefused(t *testing.T) {
	for _, c := range []struct {
		name  string
		child func(branch uint64, raw []byte) uint64
		want  string
	}{
		{"a branch that points to itself", func(branch uint64, _ []byte) uint64 { return branch }, "loops"},
		{"a child past the end", func(_ uint64, raw []byte) uint64 { return liveMeta(raw).pgid + 5 }, "outside"},
	} {
		t.Run(c.name, func(t *testing.T) {
			raw, pageSize := largeStore(t)
			branch := bucketRootPage(t, raw, "contacts")
			if branch == 0 {
				t.Fatal("the contacts bucket is inline: the store is too small for this test")
			}
			binary.NativeEndian.PutUint64(raw[int(branch)*pageSize+boltPageHeader+8:], c.child(branch, raw))
			path := filepath.Join(t.TempDir(), "tactful.db")
			if err := os.WriteFile(path, raw, 0o600); err != nil {
				t.Fatal(err)
			}
			for _, ro := range []bool{false, true} {
				db, err := Open(path, Options{ReadOnly: ro, Logger: testLogger(t)})
				if err == nil {
					db.Close()
					t.Fatal("Open accepted a broken tree")
				}
				if !strings.Contains(err.Error(), "is not a tactful database or is damaged") || !strings.Contains(err.Error(), c.want) {
					t.Errorf("Open = %v, want damaged, saying %q", err, c.want)
				}
			}
			if err := Verify(path); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Verify = %v, want damaged, saying %q", err, c.want)
			}
		})
	}
}

// liveMeta is the meta page bbolt would use: the valid one with the higher
// transaction id.
func liveMeta(raw []byte) boltMeta {
	m0 := decodeMeta(raw)
	m1 := decodeMeta(raw[m0.pageSize:])
	if m1.valid && m1.txid > m0.txid {
		return m1
	}
	return m0
}

// A key of the contacts bucket turned into a nested bucket whose root is
// the contacts bucket's own root: a loop through a leaf, which the branch
// walk does not see. Verify refuses it before bbolt's tx.Check recurses.
func TestANestedBucketIsRefused(t *testing.T) {
	raw, pageSize := largeStore(t)
	ne := binary.NativeEndian
	branch := bucketRootPage(t, raw, "contacts")
	if branch == 0 || ne.Uint16(raw[int(branch)*pageSize+8:]) != boltBranchPage {
		t.Fatal("the contacts bucket has no branch page: the store is too small for this test")
	}
	leaf := int(ne.Uint64(raw[int(branch)*pageSize+boltPageHeader+8:]))
	elem := leaf*pageSize + boltPageHeader
	pos, ksize := int(ne.Uint32(raw[elem+4:])), int(ne.Uint32(raw[elem+8:]))
	ne.PutUint32(raw[elem:], 1) // a bucket entry
	ne.PutUint64(raw[elem+pos+ksize:], branch)
	path := filepath.Join(t.TempDir(), "tactful.db")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Verify(path); err == nil || !strings.Contains(err.Error(), "holds a bucket of its own") {
		t.Errorf("Verify = %v, want it refused", err)
	}
}
