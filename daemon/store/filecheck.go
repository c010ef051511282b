package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"runtime"
	"runtime/debug"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"
)

// bbolt trusts the file it maps: a meta page whose checksum is right but
// whose root or freelist lies past the end of the file makes it read memory
// the file never filled, and the process dies with SIGBUS or SIGSEGV, which
// no recover catches; a branch page that points back up its tree makes it
// recurse until the stack overflows, which is fatal too. checkFile reads
// the meta pages with plain reads before bbolt maps anything and refuses a
// file whose meta page, the one bbolt would use, points outside the file;
// then it walks the branch pages of every bucket (treeWalk), refusing a
// child outside the file and a loop. Damage it does not read (a key or
// value in a leaf) is caught where bbolt reads it: openBolt, prepare,
// Verify and the server's read loop run with debug.SetPanicOnFault, so such
// a read panics and faultToDamaged turns the panic into the "damaged" error.

// The layout of a bbolt (format 2) page header and meta page, in the
// machine's byte order as bbolt writes them.
const (
	boltMagic         = 0xED0CDAED
	boltVersion       = 2
	boltPageHeader    = 16 // id u64, flags u16, count u16, overflow u32
	boltMetaSize      = 64 // the meta struct, after the page header
	boltMetaChecksumd = 56 // bytes the checksum covers
	boltNoFreelist    = ^uint64(0)
	boltBranchPage    = 0x01
	boltLeafPage      = 0x02
	boltFreelistPage  = 0x10
)

// boltMeta is a decoded meta page.
type boltMeta struct {
	pageSize       uint32
	root, freelist uint64 // page ids
	pgid           uint64 // high water mark: pages [0, pgid) are in use
	txid           uint64
	valid          bool // magic, version and checksum are right
}

func decodeMeta(page []byte) boltMeta {
	if len(page) < boltPageHeader+boltMetaSize {
		return boltMeta{}
	}
	b := page[boltPageHeader:]
	ne := binary.NativeEndian
	m := boltMeta{
		pageSize: ne.Uint32(b[8:]),
		root:     ne.Uint64(b[16:]),
		freelist: ne.Uint64(b[32:]),
		pgid:     ne.Uint64(b[40:]),
		txid:     ne.Uint64(b[48:]),
	}
	h := fnv.New64a()
	h.Write(b[:boltMetaChecksumd])
	m.valid = ne.Uint32(b[0:]) == boltMagic && ne.Uint32(b[4:]) == boltVersion && ne.Uint64(b[56:]) == h.Sum64()
	return m
}

// checkFile refuses, before bbolt maps it, a file whose meta page points
// outside the file. A missing or empty file passes: bbolt creates it.
func checkFile(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	// Not a regular file (a directory, say): bbolt's own open says why,
	// with the system's error rather than a verdict on the data.
	if fi.Size() == 0 || !fi.Mode().IsRegular() {
		return nil
	}
	r := &pageReader{f: f}
	err = checkMeta(r, uint64(fi.Size()))
	if r.err != nil {
		return &fs.PathError{Op: "read", Path: path, Err: r.err}
	}
	if err != nil {
		return damaged(path, err)
	}
	return nil
}

// pageReader reads pages of the file, keeping the first error the system
// gave (a short read at the end is none: the caller checks lengths).
type pageReader struct {
	f   io.ReaderAt
	err error
}

func readPage(r *pageReader, off int64, n int) []byte {
	buf := make([]byte, n)
	got, err := r.f.ReadAt(buf, off)
	if err != nil && !errors.Is(err, io.EOF) && r.err == nil {
		r.err = err
	}
	return buf[:got]
}

func checkMeta(r *pageReader, size uint64) error {
	// Find the page size as bbolt does: from the first meta page, else from
	// a second one at 1 KiB, 2 KiB ... 16 MiB.
	pageSize := uint64(0)
	if m := decodeMeta(readPage(r, 0, 4096)); m.valid {
		pageSize = uint64(m.pageSize)
	} else {
		for i := 0; i <= 14 && pageSize == 0; i++ {
			if m := decodeMeta(readPage(r, 1024<<i, 4096)); m.valid {
				pageSize = uint64(m.pageSize)
			}
		}
	}
	if pageSize == 0 {
		return errors.New("it has no valid bbolt meta page")
	}
	if pageSize < 1024 || pageSize > 1<<24 || pageSize&(pageSize-1) != 0 {
		return fmt.Errorf("its page size %d is impossible", pageSize)
	}
	if size < 2*pageSize {
		return fmt.Errorf("it is %d bytes, shorter than its two meta pages", size)
	}
	// bbolt uses the valid meta page with the higher transaction id.
	m0 := decodeMeta(readPage(r, 0, boltPageHeader+boltMetaSize))
	m1 := decodeMeta(readPage(r, int64(pageSize), boltPageHeader+boltMetaSize))
	m := m0
	if (m1.valid && m1.txid > m0.txid) || !m0.valid {
		m = m1
	}
	if !m.valid {
		return errors.New("it has no valid bbolt meta page")
	}
	pages := size / pageSize
	switch {
	case m.pgid < 2 || m.pgid > pages:
		return fmt.Errorf("it is cut short: it holds %d pages of %d bytes but says it uses %d", pages, pageSize, m.pgid)
	case m.root < 2 || m.root >= m.pgid:
		return fmt.Errorf("its root page %d lies outside its %d pages", m.root, m.pgid)
	case m.freelist != boltNoFreelist && (m.freelist < 2 || m.freelist >= m.pgid):
		return fmt.Errorf("its freelist page %d lies outside its %d pages", m.freelist, m.pgid)
	}
	if err := checkPage(r, pageSize, m.pgid, m.root, boltBranchPage|boltLeafPage); err != nil {
		return fmt.Errorf("its root %w", err)
	}
	if m.freelist != boltNoFreelist {
		if err := checkPage(r, pageSize, m.pgid, m.freelist, boltFreelistPage); err != nil {
			return fmt.Errorf("its freelist %w", err)
		}
	}
	w := &treeWalk{r: r, pageSize: pageSize, pgid: m.pgid, seen: map[uint64]bool{}}
	return w.tree(m.root, 0, w.bucketEntries)
}

// treeWalk follows the branch pages of the root tree and of each top-level
// bucket with plain reads. bbolt recurses through branch pages without
// remembering where it has been: a branch that points back up the tree
// recurses until the stack overflows, a fatal error like a fault. Leaves
// are read only in the root tree (tactful's six buckets), so the walk
// costs a few pages even on a large store.
type treeWalk struct {
	r              *pageReader
	pageSize, pgid uint64
	seen           map[uint64]bool
}

// maxTreeDepth is far beyond any real tree: bbolt's fan-out keeps a tree
// of millions of keys under ten levels.
const maxTreeDepth = 32

// tree walks the tree at page id; leaf, when not nil, reads its leaf pages.
func (w *treeWalk) tree(id uint64, depth int, leaf func(page []byte) error) error {
	switch {
	case depth > maxTreeDepth:
		return fmt.Errorf("its tree is more than %d pages deep", maxTreeDepth)
	case id < 2 || id >= w.pgid:
		return fmt.Errorf("page %d lies outside its %d pages", id, w.pgid)
	case w.seen[id]:
		return fmt.Errorf("page %d is reached twice: its tree loops", id)
	}
	w.seen[id] = true
	ne := binary.NativeEndian
	h := readPage(w.r, int64(id*w.pageSize), boltPageHeader)
	if len(h) < boltPageHeader || ne.Uint64(h) != id {
		return fmt.Errorf("page %d cannot be read or says it is another", id)
	}
	flags, count := ne.Uint16(h[8:]), int(ne.Uint16(h[10:]))
	switch {
	case flags == boltBranchPage:
		// Branch elements: pos u32, ksize u32, pgid u64.
		elems := readPage(w.r, int64(id*w.pageSize)+boltPageHeader, count*16)
		if len(elems) < count*16 {
			return fmt.Errorf("branch page %d is cut short", id)
		}
		for i := range count {
			if err := w.tree(ne.Uint64(elems[i*16+8:]), depth+1, leaf); err != nil {
				return err
			}
		}
		return nil
	case flags == boltLeafPage:
		if leaf == nil {
			return nil
		}
		overflow := uint64(ne.Uint32(h[12:]))
		if overflow > 16 {
			return fmt.Errorf("the root leaf page %d runs %d pages long", id, overflow)
		}
		return leaf(readPage(w.r, int64(id*w.pageSize), int((overflow+1)*w.pageSize)))
	default:
		return fmt.Errorf("page %d has the wrong type (%#x)", id, flags)
	}
}

// bucketEntries walks the tree of each bucket a root leaf page names. A
// leaf element is flags u32, pos u32, ksize u32, vsize u32, where pos
// counts from the element; a bucket's value starts with its root page id,
// 0 for a bucket stored inline in the value.
func (w *treeWalk) bucketEntries(page []byte) error {
	ne := binary.NativeEndian
	count := int(ne.Uint16(page[10:]))
	if boltPageHeader+count*16 > len(page) {
		return errors.New("a leaf page of its root lists more entries than it holds")
	}
	for i := range count {
		at := boltPageHeader + i*16
		elem := page[at:]
		flags, pos, ksize, vsize := ne.Uint32(elem), int(ne.Uint32(elem[4:])), int(ne.Uint32(elem[8:])), int(ne.Uint32(elem[12:]))
		if flags&1 == 0 {
			continue
		}
		if pos < 0 || ksize < 0 || vsize < 16 || at+pos+ksize+vsize > len(page) {
			return errors.New("a bucket entry of its root lies outside its page")
		}
		value := page[at+pos+ksize : at+pos+ksize+vsize]
		root := ne.Uint64(value)
		if root == 0 {
			// Inline: a leaf page follows the 16-byte bucket header.
			if len(value) < 16+boltPageHeader || ne.Uint16(value[16+8:]) != boltLeafPage {
				return errors.New("an inline bucket of its root is not a leaf page")
			}
			continue
		}
		if err := w.tree(root, 0, nil); err != nil {
			return err
		}
	}
	return nil
}

// checkPage checks that page id has one of the flags and, with its
// overflow pages, lies inside the first pgid pages. A freelist page must
// also hold its whole list.
func checkPage(r *pageReader, pageSize, pgid, id uint64, flags uint16) error {
	h := readPage(r, int64(id*pageSize), boltPageHeader+8)
	if len(h) < boltPageHeader {
		return fmt.Errorf("page %d cannot be read", id)
	}
	ne := binary.NativeEndian
	gotID, gotFlags, count, overflow := ne.Uint64(h), ne.Uint16(h[8:]), uint64(ne.Uint16(h[10:])), uint64(ne.Uint32(h[12:]))
	switch {
	case gotID != id:
		return fmt.Errorf("page %d says it is page %d", id, gotID)
	case gotFlags&flags == 0:
		return fmt.Errorf("page %d has the wrong type (%#x)", id, gotFlags)
	case id+overflow >= pgid:
		return fmt.Errorf("page %d runs %d pages past the end", id, id+overflow-pgid+1)
	}
	if flags == boltFreelistPage {
		// A count of 0xFFFF means the real count is the first element.
		extra := uint64(0)
		if count == 0xFFFF {
			if len(h) < boltPageHeader+8 {
				return fmt.Errorf("page %d cannot be read", id)
			}
			count, extra = ne.Uint64(h[boltPageHeader:]), 1
		}
		if count > (overflow+1)*pageSize/8 || boltPageHeader+(count+extra)*8 > (overflow+1)*pageSize {
			return fmt.Errorf("page %d lists %d free pages, more than it can hold", id, count)
		}
	}
	return nil
}

// faultToDamaged is deferred by whatever reads the map of path, as
//
//	defer faultToDamaged(path, &err, debug.SetPanicOnFault(true))
//
// It restores the goroutine's panic-on-fault setting and turns a panic (a
// memory fault on a damaged page included) into the error a damaged file
// gets.
func faultToDamaged(path string, err *error, panicOnFault bool) {
	debug.SetPanicOnFault(panicOnFault)
	r := recover()
	if r == nil {
		return
	}
	var rerr runtime.Error
	if e, ok := r.(runtime.Error); ok {
		rerr = e
	}
	if _, fault := rerr.(interface{ Addr() uintptr }); fault {
		*err = damaged(path, errors.New("a page points outside the file"))
		return
	}
	*err = damaged(path, fmt.Errorf("%v", r))
}

// touchEveryPage reads every key and value of every bucket in tx. Verify
// runs it, under its fault guard, before bbolt's tx.Check: Check reads in a
// goroutine of its own, where a page outside the file would be a fatal
// fault rather than a panic anyone can recover.
func touchEveryPage(tx *bolt.Tx) error {
	var sum byte
	var touch func(name []byte, b *bolt.Bucket, nested bool) error
	touch = func(name []byte, b *bolt.Bucket, nested bool) error {
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if len(k) > 0 {
				sum ^= k[0] ^ k[len(k)-1]
			}
			if v == nil {
				// tactful nests buckets one level deep, in a staged restore
				// only; a deeper one can point back up its tree, and bbolt
				// (tx.Check included) would recurse into it for ever.
				if nested || !bytes.Equal(name, bucketStaged) {
					return fmt.Errorf("bucket %s holds a bucket of its own", name)
				}
				sub := b.Bucket(k)
				if sub == nil {
					return fmt.Errorf("bucket %s holds an unreadable bucket", name)
				}
				if err := touch(k, sub, true); err != nil {
					return err
				}
				continue
			}
			if len(v) > 0 {
				sum ^= v[0] ^ v[len(v)-1]
			}
		}
		return nil
	}
	err := tx.ForEach(func(name []byte, b *bolt.Bucket) error { return touch(name, b, false) })
	touched.Store(uint32(sum)) // so the compiler keeps the reads
	return err
}

var touched atomic.Uint32
