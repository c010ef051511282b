package crashtest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// ext4Size is the size of the ext4 images; they are sparse files.
const ext4Size = 64 << 20

// ext4FS is an ext4 file system in an image file, attached to a loop device
// and mounted errors=remount-ro.
type ext4FS struct {
	img, dev, dir string
}

// needExt4 skips the test when ext4 images cannot be made and mounted here.
func needExt4(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("skipped: mounting an ext4 loop device for the home needs root (CI runs these tests as root)")
	}
	for _, tool := range []string{"losetup", "mkfs.ext4", "e2fsck"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("skipped: %s is not installed (Debian's mount and e2fsprogs have it)", tool)
		}
	}
}

// newExt4Image makes an empty ext4 image in dir and returns its path.
func newExt4Image(t *testing.T, dir string) string {
	t.Helper()
	needExt4(t)
	img := filepath.Join(dir, "ext4.img")
	f, err := os.Create(img)
	if err != nil {
		t.Fatal(err)
	}
	err = f.Truncate(ext4Size)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if out, err := command("mkfs.ext4", "-q", "-F", img); err != nil {
		t.Fatalf("mkfs.ext4: %v\n%s", err, out)
	}
	return img
}

// mountExt4 attaches img to a loop device and mounts it on a fresh
// directory; the test's cleanup unmounts and detaches it. It skips the test
// when no loop device can be had.
func mountExt4(t *testing.T, img string) *ext4FS {
	t.Helper()
	needExt4(t)
	fs := &ext4FS{img: img, dir: t.TempDir()}
	out, err := command("losetup", "--find", "--show", img)
	if err != nil {
		t.Skipf("skipped: no loop device for the ext4 image: %v: %s", err, out)
	}
	fs.dev = strings.TrimSpace(string(out))
	t.Cleanup(func() { fs.detach(t) })
	// As a boot does: check the file system (replaying its journal), then
	// mount it.
	fsck(t, fs.dev)
	fs.mount(t)
	return fs
}

func (fs *ext4FS) errorFile() string {
	return filepath.Join("/sys/fs/ext4", filepath.Base(fs.dev), "trigger_fs_error")
}

func (fs *ext4FS) mount(t *testing.T) {
	t.Helper()
	if err := syscall.Mount(fs.dev, fs.dir, "ext4", syscall.MS_NOSUID|syscall.MS_NODEV, "errors=remount-ro"); err != nil {
		t.Fatalf("mount %s on %s: %v", fs.dev, fs.dir, err)
	}
	t.Cleanup(func() { unmountDir(t, fs.dir) })
}

// detach unmounts the file system and frees the loop device. Calling it
// again does nothing.
func (fs *ext4FS) detach(t *testing.T) {
	t.Helper()
	if fs.dev == "" {
		return
	}
	unmountDir(t, fs.dir)
	if out, err := command("losetup", "--detach", fs.dev); err != nil {
		t.Errorf("detach %s: %v: %s", fs.dev, err, out)
	}
	fs.dev = ""
}

// triggerError makes the kernel meet an ext4 error; with errors=remount-ro
// the file system turns read-only under whoever has files open.
func (fs *ext4FS) triggerError(t *testing.T) {
	t.Helper()
	if err := os.WriteFile(fs.errorFile(), []byte("crashtest: simulated disk error\n"), 0o200); err != nil {
		t.Fatalf("raise an ext4 error: %v", err)
	}
	probe := filepath.Join(fs.dir, "probe")
	if err := os.WriteFile(probe, []byte("x"), 0o600); !errors.Is(err, syscall.EROFS) {
		t.Fatalf("after the ext4 error, a write gives %v, want read-only file system", err)
	}
}

// repair unmounts, runs e2fsck and mounts again.
func (fs *ext4FS) repair(t *testing.T) {
	t.Helper()
	unmountDir(t, fs.dir)
	fsck(t, fs.dev)
	fs.mount(t)
}

// fsck runs e2fsck -f -y on dev; it replays the journal and fixes what a
// crash left, as a boot after a power cut does.
func fsck(t *testing.T, dev string) {
	t.Helper()
	out, err := command("e2fsck", "-f", "-y", dev)
	var exit *exec.ExitError
	// e2fsck exits 1 when it corrected something.
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		t.Fatalf("e2fsck %s: %v\n%s", dev, err, out)
	}
}

// powerCut copies what the block device under fs holds right now into a
// new image in dir: the disk as a machine would find it after losing power
// at this moment. Writes still in the page cache above the loop device,
// never flushed by fsync, are not in the copy.
func (fs *ext4FS) powerCut(t *testing.T, dir string) string {
	t.Helper()
	src, err := os.Open(fs.img)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst := filepath.Join(dir, "ext4.img")
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := sparseCopy(out, src); err != nil {
		out.Close()
		t.Fatalf("copy the disk image: %v", err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return dst
}

// sparseCopy copies src to dst, leaving holes where src reads as zeros, so
// a mostly empty image costs little disk.
func sparseCopy(dst, src *os.File) error {
	buf := make([]byte, 64<<10)
	var size int64
	for {
		n, err := io.ReadFull(src, buf)
		if n > 0 {
			if bytes.Count(buf[:n], []byte{0}) == n {
				if _, err := dst.Seek(int64(n), io.SeekCurrent); err != nil {
					return err
				}
			} else if _, err := dst.Write(buf[:n]); err != nil {
				return err
			}
			size += int64(n)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return dst.Truncate(size)
		}
		if err != nil {
			return err
		}
	}
}

// command runs a system tool under a deadline.
func command(name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return exec.CommandContext(ctx, name, args...).CombinedOutput()
}
