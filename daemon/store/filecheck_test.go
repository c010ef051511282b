package store

import (
	"bytes"
	"encoding/binary"
	"errors"
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

// A page deeper in the tree pointing past the end passes checkFile; the
// fault it causes when read must end as an error, not a dead process.
func TestFaultDeepInTheTreeIsAnError(t *testing.T) {
	raw := craftedStore(t, nil)
	m := liveMeta(raw)
	pageSize, root := int(m.pageSize), int(m.root)
	// The root leaf holds the bucket entries; point each inline-less
	// bucket's root page far outside the file.
	// Past the end of the file but inside bbolt's 256 MiB mapping: reading
	// it is a SIGBUS, which only SetPanicOnFault turns into a panic.
	pastTheEnd := uint64(len(raw)/pageSize + 16)
	if pastTheEnd*uint64(pageSize) >= initialMmapSize {
		t.Fatalf("the store grew to %d bytes, past bbolt's mapping: the test needs a smaller file", len(raw))
	}
	page := raw[root*pageSize:]
	count := int(binary.NativeEndian.Uint16(page[10:]))
	bent := 0
	for i := range count {
		elem := page[boltPageHeader+i*16:]
		flags := binary.NativeEndian.Uint32(elem)
		pos, ksize := int(binary.NativeEndian.Uint32(elem[4:])), int(binary.NativeEndian.Uint32(elem[8:]))
		if flags&1 == 0 {
			continue
		}
		value := elem[pos+ksize:]
		if binary.NativeEndian.Uint64(value) != 0 { // a bucket with its own root page
			binary.NativeEndian.PutUint64(value, pastTheEnd)
			bent++
		}
	}
	if bent == 0 {
		// Every bucket is inline in so small a store: make one point out.
		for i := range count {
			elem := page[boltPageHeader+i*16:]
			pos, ksize := int(binary.NativeEndian.Uint32(elem[4:])), int(binary.NativeEndian.Uint32(elem[8:]))
			binary.NativeEndian.PutUint64(elem[pos+ksize:], pastTheEnd)
			bent++
		}
	}
	path := filepath.Join(t.TempDir(), "tactful.db")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := checkFile(path); err != nil {
		t.Fatalf("checkFile reads only the meta pages and the root, yet refused: %v", err)
	}
	err := Verify(path)
	if err == nil || !strings.Contains(err.Error(), "is not a tactful database or is damaged") {
		t.Errorf("Verify = %v, want damaged", err)
	}
	db, err := Open(path, Options{ReadOnly: true, Logger: testLogger(t)})
	if err == nil {
		db.Close()
		t.Fatal("Open accepted a file whose buckets point outside it")
	}
	if !strings.Contains(err.Error(), "is not a tactful database or is damaged") {
		t.Errorf("Open = %v, want damaged", err)
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
