package crashtest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tactful/tactful/daemon/store"
)

// TestCrashPowerCut is TestCrashKill9 with the page cache lost as well, as
// in a power cut. The home is on an ext4 image attached to a loop device.
// After each kill -9 the test copies the image as the device holds it: data
// the daemon wrote but never made durable with fsync is still in the page
// cache above the device, so it is not in the copy. The copy then goes
// through e2fsck and a mount, as after a reboot, and becomes the disk of
// the next cycle. Every acknowledged note must be in it exactly once.
func TestCrashPowerCut(t *testing.T) {
	needExt4(t)
	fs := mountExt4(t, newExt4Image(t, t.TempDir()))
	home := func() string { return filepath.Join(fs.dir, "home") }
	crashCycles(t, "power cut", home, func(t *testing.T, cycle int) {
		img := fs.powerCut(t, t.TempDir())
		old := fs.img
		fs.detach(t)
		if err := os.Remove(old); err != nil {
			t.Fatal(err)
		}
		fs = mountExt4(t, img)
		if err := store.Verify(filepath.Join(home(), "tactful.db")); err != nil {
			t.Fatalf("cycle %d: after the power cut the database fails its check: %v", cycle, err)
		}
	})
}
