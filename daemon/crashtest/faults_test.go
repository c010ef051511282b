package crashtest

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode"

	"github.com/tactful/tactful/daemon/client"
	"github.com/tactful/tactful/daemon/store"
	"github.com/tactful/tactful/protocol"
)

// homeFS is the size of the tmpfs the fault tests put the home on. bbolt
// grows its file sparsely, so the 16 MiB it reserves costs nothing until
// written.
const homeFS = "64m"

// unmountDir unmounts dir, waiting a little while it is busy. Unmounting a
// dir that is not mounted is not an error, so cleanups may repeat it.
func unmountDir(t *testing.T, dir string) {
	deadline := time.Now().Add(exitDeadline)
	for {
		err := syscall.Unmount(dir, 0)
		if err == nil || errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOENT) {
			return
		}
		if !errors.Is(err, syscall.EBUSY) || time.Now().After(deadline) {
			t.Errorf("unmount %s: %v; detaching it", dir, err)
			_ = syscall.Unmount(dir, syscall.MNT_DETACH)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// mountTmpfs mounts a fresh tmpfs and unmounts it when the test ends. It
// skips the test when it cannot mount (not root, or no mount permission).
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("skipped: putting the home on a small tmpfs needs root (CI runs these tests as root)")
	}
	dir := t.TempDir()
	if err := syscall.Mount("tactful-crashtest", dir, "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, "size="+size+",mode=0700"); err != nil {
		t.Skipf("skipped: cannot mount a tmpfs on %s: %v (these tests need root and a kernel that allows mounts)", dir, err)
	}
	t.Cleanup(func() { unmountDir(t, dir) })
	return dir
}

// remount makes the tmpfs at dir read-only or writable again.
func remount(dir string, readOnly bool) error {
	flags := uintptr(syscall.MS_REMOUNT | syscall.MS_NOSUID | syscall.MS_NODEV)
	if readOnly {
		flags |= syscall.MS_RDONLY
	}
	return syscall.Mount("tactful-crashtest", dir, "tmpfs", flags, "")
}

// fillDisk writes a file in dir until the file system has no block left and
// returns its path; removing it frees the space.
func fillDisk(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatalf("create the filler file: %v", err)
	}
	defer f.Close()
	for _, chunk := range []int{1 << 20, 4 << 10, 512} {
		buf := bytes.Repeat([]byte{0xfa}, chunk)
		for {
			_, err := f.Write(buf)
			if err == nil {
				continue
			}
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("fill the disk: %v", err)
			}
			break
		}
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatalf("statfs %s: %v", dir, err)
	}
	if st.Bavail != 0 {
		t.Fatalf("the disk still has %d free blocks after filling it", st.Bavail)
	}
	return path
}

// wantStorageFailed checks that err is the daemon's storage_failed reply
// with a sentence a person can act on.
func wantStorageFailed(t *testing.T, what string, err error) {
	t.Helper()
	var pe *protocol.Error
	if !errors.As(err, &pe) || pe.Code != protocol.CodeStorage {
		t.Fatalf("%s: got %v, want the error code %s", what, err, protocol.CodeStorage)
	}
	msg := pe.Message
	if msg == "" || msg == protocol.ErrorMessage(errors.New("")) || !unicode.IsUpper([]rune(msg)[0]) || !strings.HasSuffix(msg, ".") {
		t.Errorf("%s: the message %q is not a sentence about the failure", what, msg)
	}
	if !strings.Contains(strings.ToLower(msg), "disk") {
		t.Errorf("%s: the message %q does not point at the disk", what, msg)
	}
}

// stillServing checks that the daemon runs and answers ping and reads.
func stillServing(t *testing.T, d *proc, c *client.Client, slugs []string) {
	t.Helper()
	if !d.running() {
		t.Fatalf("the daemon exited (%v); it said:\n%s", d.err, d.log.String())
	}
	var pong protocol.Pong
	if err := call(c, protocol.Ping{}, &pong); err != nil || pong.Type != protocol.TypePong {
		t.Fatalf("ping: got %+v, %v; want pong", pong, err)
	}
	for _, s := range slugs {
		if _, err := getContact(c, s); err != nil {
			t.Fatalf("reading while writes fail: %v", err)
		}
	}
	var st protocol.StatusReply
	if err := call(c, protocol.StatusGet{}, &st); err != nil {
		t.Fatalf("status while writes fail: %v", err)
	}
}

// setTags sends tags_set.
func setTags(c *client.Client, slug string, tags []string) error {
	var reply protocol.AnnotationReply
	if err := call(c, protocol.TagsSet{Slug: slug, Tags: &tags}, &reply); err != nil {
		return err
	}
	if reply.Type != protocol.TypeAnnotation || !slices.Equal(reply.Annotation.Tags, tags) {
		return fmt.Errorf("tags_set %s %v: the reply is %+v", slug, tags, reply)
	}
	return nil
}

// wantTags checks the stored tags of each contact.
func wantTags(t *testing.T, c *client.Client, want map[string][]string) {
	t.Helper()
	for slug, tags := range want {
		ct, err := getContact(c, slug)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ct.Tags, tags) {
			t.Errorf("%s has tags %v, want %v", slug, ct.Tags, tags)
		}
	}
}

// wantAbsent checks that notes a write refused were not stored.
func wantAbsent(t *testing.T, c *client.Client, notes []note) {
	t.Helper()
	for _, n := range notes {
		ct, err := getContact(c, n.Slug)
		if err != nil {
			t.Fatal(err)
		}
		for _, have := range ct.Notes {
			if have.ID == n.ID {
				t.Errorf("note %s was refused with storage_failed, yet it is stored", n.ID)
			}
		}
	}
}

// longText is a note of about 9,000 characters: every one needs fresh pages.
func longText(id string) string {
	return strings.TrimSpace("Note " + id + ": " + strings.Repeat("Long conversation about the reorg, the new team and what to say next time. ", 120))
}

// seedHome stores a few contacts, notes and tags on a fresh daemon.
func seedHome(t *testing.T, c *client.Client, led *ledger, prefix string) (slugs []string, tags map[string][]string) {
	t.Helper()
	for i := range 4 {
		slugs = append(slugs, fmt.Sprintf("%s-contact-%d", prefix, i))
	}
	seeContacts(t, c, slugs)
	led.addSlugs(slugs...)
	for i := range 40 {
		n := note{ID: fmt.Sprintf("%s-before-%d", prefix, i), Slug: slugs[i%len(slugs)]}
		n.Text = "Stored before the fault: " + n.ID
		led.sending(n)
		if _, err := addNote(c, n); err != nil {
			t.Fatalf("note_add before the fault: %v", err)
		}
		led.ack(n)
	}
	tags = map[string][]string{}
	for i, s := range slugs {
		tg := []string{"keep", fmt.Sprintf("met-%d", i)}
		if err := setTags(c, s, tg); err != nil {
			t.Fatalf("tags_set before the fault: %v", err)
		}
		tags[s] = tg
	}
	return slugs, tags
}

// TestCrashDiskFull fills the disk under a running daemon: writes are
// refused with storage_failed and change nothing, the daemon keeps serving
// reads, and once space is freed writes work again. Nothing stored before
// is damaged, and the file passes bbolt's check.
func TestCrashDiskFull(t *testing.T) {
	mnt := mountTmpfs(t, homeFS)
	home := filepath.Join(mnt, "home")
	dbPath := filepath.Join(home, "tactful.db")
	d := mustStart(t, home, "127.0.0.1:0")
	c := d.mustDial(t)
	led := newLedger()
	slugs, tags := seedHome(t, c, led, "full")
	led.mustCheck(t, c, "before filling the disk")

	filler := fillDisk(t, mnt)

	// Large notes until the store has no room left. A write that still
	// fits in pages the file already has is fine, and must then be kept.
	var refused []note
	accepted := 0
	for i := 0; i < 300 && len(refused) < 5; i++ {
		n := note{ID: fmt.Sprintf("full-during-%d", i), Slug: slugs[i%len(slugs)]}
		n.Text = longText(n.ID)
		_, err := addNote(c, n)
		if err == nil {
			led.ack(n)
			accepted++
			continue
		}
		wantStorageFailed(t, "note_add on a full disk", err)
		refused = append(refused, n)
	}
	if len(refused) == 0 {
		t.Fatalf("the disk is full, yet the daemon acknowledged %d notes of 9,000 characters", accepted)
	}
	t.Logf("on the full disk: %d large notes still fitted in the file, %d refused", accepted, len(refused))

	// tags_set, with the most and longest tags a contact may carry so that
	// every change needs fresh pages for its event.
	tagsRefused := 0
	for i := 0; i < 200 && tagsRefused == 0; i++ {
		tg := make([]string, protocol.MaxTags)
		for j := range tg {
			tg[j] = fmt.Sprintf("%02d-%03d-%s", j, i, strings.Repeat("x", protocol.MaxTagChars-7))
		}
		err := setTags(c, slugs[0], tg)
		if err == nil {
			tags[slugs[0]] = tg
			continue
		}
		wantStorageFailed(t, "tags_set on a full disk", err)
		tagsRefused = i + 1
	}
	if tagsRefused == 0 {
		t.Errorf("the disk is full, yet 200 tags_set with 20 long tags each were all accepted")
	}
	t.Logf("on the full disk: tags_set refused at attempt %d", tagsRefused)

	stillServing(t, d, c, slugs)
	wantAbsent(t, c, refused)
	led.mustCheck(t, c, "on the full disk")
	wantTags(t, c, tags)

	// Killed and restarted while the disk is still full, the daemon serves
	// what it holds and keeps refusing writes.
	c.Close()
	if err := d.kill(); err != nil {
		t.Fatal(err)
	}
	d = restartDaemon(t, home, d.addr)
	c = d.mustDial(t)
	stillServing(t, d, c, slugs)
	led.mustCheck(t, c, "restarted on the full disk")
	wantAbsent(t, c, refused)
	wantTags(t, c, tags)
	_, err := addNote(c, refused[0])
	wantStorageFailed(t, "note_add after a restart on the full disk", err)

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}

	// Space again: the same requests now succeed.
	for _, n := range refused {
		if _, err := addNote(c, n); err != nil {
			t.Fatalf("note_add %s after freeing space: %v", n.ID, err)
		}
		led.ack(n)
	}
	tags[slugs[0]] = []string{"keep", "disk-was-full"}
	if err := setTags(c, slugs[0], tags[slugs[0]]); err != nil {
		t.Fatalf("tags_set after freeing space: %v", err)
	}
	led.mustCheck(t, c, "after freeing space")
	wantTags(t, c, tags)

	restartAndCheck(t, d, c, home, dbPath, led, tags)
}

// restartAndCheck stops d cleanly, checks the file, starts a new daemon on
// the same home and checks that it holds everything, then stops it.
func restartAndCheck(t *testing.T, d *proc, c *client.Client, home, dbPath string, led *ledger, tags map[string][]string) {
	t.Helper()
	c.Close()
	d.mustStop(t)
	if err := store.Verify(dbPath); err != nil {
		t.Fatalf("the database fails its check: %v", err)
	}
	d = restartDaemon(t, home, d.addr)
	c = d.mustDial(t)
	led.mustCheck(t, c, "after a restart")
	wantTags(t, c, tags)
	c.Close()
	d.mustStop(t)
	if err := store.Verify(dbPath); err != nil {
		t.Fatalf("the database fails its check after the restart: %v", err)
	}
}

// TestCrashReadOnlyHome covers a home whose file system turns read-only.
//
// While serving: Linux refuses to remount a file system read-only while a
// file on it is open for writing (EBUSY), and the daemon keeps tactful.db
// open, so `mount -o remount,ro` cannot do it. What does turn a home
// read-only under a running program is the kernel itself, when ext4 meets an
// error on a file system mounted errors=remount-ro. The test puts the home
// on such an ext4 (a loop device), raises an error through
// /sys/fs/ext4/DEV/trigger_fs_error, and checks that writes are refused with
// storage_failed while reads are served; then, as a user would after such an
// error, it stops the daemon, runs e2fsck, mounts again and checks that
// every acknowledged write is there.
//
// At start: a daemon started on a read-only home must exit at once with a
// message naming the home and saying it is read-only (or serve reads and
// refuse writes), and leave the file as it was.
func TestCrashReadOnlyHome(t *testing.T) {
	t.Run("while serving", testReadOnlyWhileServing)
	t.Run("at start", testReadOnlyAtStart)
}

func testReadOnlyWhileServing(t *testing.T) {
	fs := mountExt4(t, newExt4Image(t, t.TempDir()))
	if _, err := os.Stat(fs.errorFile()); err != nil {
		t.Skipf("skipped: this kernel has no %s to raise an ext4 error", fs.errorFile())
	}
	home := filepath.Join(fs.dir, "home")
	dbPath := filepath.Join(home, "tactful.db")
	d := mustStart(t, home, "127.0.0.1:0")
	c := d.mustDial(t)
	led := newLedger()
	slugs, tags := seedHome(t, c, led, "ext4")
	led.mustCheck(t, c, "before the file system error")

	fs.triggerError(t)

	n := note{ID: "ext4-during-0", Slug: slugs[0], Text: "Written after the file system turned read-only"}
	_, err := addNote(c, n)
	wantStorageFailed(t, "note_add on a home turned read-only", err)
	wantStorageFailed(t, "tags_set on a home turned read-only", setTags(c, slugs[1], []string{"read-only"}))
	stillServing(t, d, c, slugs)
	wantAbsent(t, c, []note{n})
	led.mustCheck(t, c, "on the read-only home")
	wantTags(t, c, tags)
	c.Close()
	d.mustStop(t)

	// What a user does after such an error: check the file system, mount
	// it again, start tactful.
	fs.repair(t)
	if err := store.Verify(dbPath); err != nil {
		t.Fatalf("after e2fsck the database fails its check: %v", err)
	}
	d = restartDaemon(t, home, d.addr)
	c = d.mustDial(t)
	led.mustCheck(t, c, "after e2fsck and a restart")
	wantAbsent(t, c, []note{n})
	if _, err := addNote(c, n); err != nil {
		t.Fatalf("note_add once the home is writable again: %v", err)
	}
	led.ack(n)
	restartAndCheck(t, d, c, home, dbPath, led, tags)
}

func testReadOnlyAtStart(t *testing.T) {
	mnt := mountTmpfs(t, homeFS)
	home := filepath.Join(mnt, "home")
	dbPath := filepath.Join(home, "tactful.db")
	d := mustStart(t, home, "127.0.0.1:0")
	addr := d.addr
	c := d.mustDial(t)
	led := newLedger()
	slugs, tags := seedHome(t, c, led, "ro")
	c.Close()
	d.mustStop(t)
	before := fileSum(t, dbPath)

	if err := remount(mnt, true); err != nil {
		t.Fatalf("remount the home read-only with no daemon running: %v", err)
	}
	p, err := startDaemon(t, home, addr)
	if err == nil {
		// A daemon that serves a read-only home must still refuse
		// writes clearly and answer reads.
		c := p.mustDial(t)
		led.mustCheck(t, c, "served from a read-only home")
		_, err := addNote(c, note{ID: "ro-start-0", Slug: slugs[0], Text: "Written on a read-only home"})
		wantStorageFailed(t, "note_add on a daemon started on a read-only home", err)
		c.Close()
		p.mustStop(t)
	} else {
		msg := err.Error()
		t.Logf("as expected, tactful refused to start: %s", msg)
		if !strings.Contains(msg, "exited before listening") {
			t.Fatalf("tactful neither started nor exited on a read-only home: %v", err)
		}
		if !strings.Contains(strings.ToLower(msg), "read-only") || !strings.Contains(msg, home) {
			t.Errorf("tactful's refusal should name the home and say it is read-only; it said:\n%s", msg)
		}
		// The file is intact; only the file system refuses writes. Advice
		// to replace or abandon the file would cost the user their data.
		var advice []string
		for _, bad := range []string{"restore", "move the file aside", "start afresh", "damaged"} {
			if strings.Contains(msg, bad) {
				advice = append(advice, bad)
			}
		}
		if len(advice) > 0 {
			t.Errorf("the database is intact and only its file system is read-only, yet tactful's refusal advises %q, which would replace or abandon the user's data", advice)
		}
	}
	if after := fileSum(t, dbPath); after != before {
		t.Errorf("the database file changed on a read-only home")
	}
	if err := store.Verify(dbPath); err != nil {
		t.Errorf("the database fails its check on the read-only home: %v", err)
	}

	// Writable again: everything is there and writes work.
	if err := remount(mnt, false); err != nil {
		t.Fatalf("remount the home writable: %v", err)
	}
	d = restartDaemon(t, home, addr)
	c = d.mustDial(t)
	led.mustCheck(t, c, "after the home is writable again")
	n := note{ID: "ro-after-0", Slug: slugs[2], Text: "Written once the home is writable again"}
	if _, err := addNote(c, n); err != nil {
		t.Fatalf("note_add once the home is writable again: %v", err)
	}
	led.ack(n)
	restartAndCheck(t, d, c, home, dbPath, led, tags)
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}
