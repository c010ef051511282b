package server

import (
	"encoding/binary"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/rs/zerolog"

	"github.com/tactful/tactful/daemon/annotate"
	"github.com/tactful/tactful/daemon/pairing"
	"github.com/tactful/tactful/daemon/store"
	"github.com/tactful/tactful/protocol"
)

// bendFirstLeaf finds the top-level bucket name in the bbolt file raw, goes
// down its first branch to a leaf, and points that leaf's first key at
// offset far. It reads bbolt's format 2: the meta page with the higher
// transaction id names the root page; leaf elements are 16 bytes (flags,
// pos, ksize, vsize, with pos counted from the element); branch elements
// are 16 bytes (pos, ksize, page id); a bucket's value starts with its root
// page id. It reports whether the bucket had a tree of its own.
func bendFirstLeaf(raw []byte, name string, far int) bool {
	ne := binary.NativeEndian
	pageSize := int(ne.Uint32(raw[16+8:]))
	meta := raw[16:]
	if other := raw[pageSize+16:]; ne.Uint64(other[48:]) > ne.Uint64(meta[48:]) {
		meta = other
	}
	page := raw[int(ne.Uint64(meta[16:]))*pageSize:]
	id := 0
	for i := range int(ne.Uint16(page[10:])) {
		elem := page[16+i*16:]
		pos, ksize := int(ne.Uint32(elem[4:])), int(ne.Uint32(elem[8:]))
		if ne.Uint32(elem)&1 != 0 && string(elem[pos:pos+ksize]) == name {
			id = int(ne.Uint64(elem[pos+ksize:]))
		}
	}
	if id == 0 {
		return false
	}
	for ne.Uint16(raw[id*pageSize+8:]) == 0x01 { // branch: take the first child
		id = int(ne.Uint64(raw[id*pageSize+16+8:]))
	}
	elem := id*pageSize + 16
	ne.PutUint32(raw[elem+4:], uint32(far-elem))
	return true
}

// A key deep in a damaged file that lies past its end passes every check
// at open. Reading it faults; the read loop's SetPanicOnFault turns
// that into a panic that is answered as internal_error, and the daemon
// keeps serving, where before the process died with SIGBUS.
func TestADamagedPageIsAnErrorNotACrash(t *testing.T) {
	home := t.TempDir()
	path := filepath.Join(home, "tactful.db")
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var seen []store.Sighting
	for i := range 300 {
		seen = append(seen, store.Sighting{Slug: fmt.Sprintf("person-%03d", i), Name: fmt.Sprintf("Person %d of a large enough store", i)})
	}
	if _, err := db.See(seen); err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pageSize := int(binary.NativeEndian.Uint32(raw[16+8:]))
	// Past the end of the file, inside bbolt's mapping: a SIGBUS.
	if !bendFirstLeaf(raw, "contacts", (len(raw)/pageSize+16)*pageSize) {
		t.Fatal("the contacts bucket has no page of its own to damage")
	}
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	logger := zerolog.New(zerolog.NewTestWriter(t))
	db, err = store.Open(path, store.Options{Logger: logger})
	if err != nil {
		t.Fatalf("the damage is deep; Open should not see it: %v", err)
	}
	defer db.Close()
	keeper, err := pairing.NewKeeper(home, logger)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := pairing.Ensure(home)
	srv := New(Config{Store: db, Pairing: keeper, Logger: logger, BadCodeDelay: -1, Rules: annotate.Rules{}})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	t.Cleanup(srv.Close)
	e := &env{t: t, srv: srv, ts: ts, home: home, code: code, db: db, keeper: keeper}
	ctx := testContext(t)
	c := e.connect(ctx)
	c.expectError(`{"type":"contact_get","id":"g","slug":"person-001"}`, protocol.CodeInternal)
	c.ping()
	e.connect(ctx).ping()
}
