// Package crashtest is evidence for tactful's promise that data is the
// user's: nothing already stored is ever lost, and a write the daemon has
// acknowledged is on disk. It has no code of its own; its tests build the
// real `tactful` command, run `tactful serve` as a subprocess on loopback,
// talk to it with the Go client the way the extension does, and hurt it.
//
// What the tests prove:
//
//   - TestCrashKill9: several clients add notes concurrently, each with its
//     own client-chosen id, and the test records every note the daemon
//     acknowledged. The daemon is killed with SIGKILL after a random number
//     of acknowledgements (150 to 450) while the writers are still sending,
//     the file is checked with store.Verify (bbolt's page check and
//     tactful's root), and the daemon is restarted on the same home and
//     port. Every acknowledged note must then be stored exactly once, on its
//     contact, with its text, and have exactly one note_added event in the
//     history; no note may appear that no client sent. The notes that were
//     in flight at the kill are then resent with their same ids, as the
//     extension's queue does: each is stored once, never twice, and so is a
//     resent note that had been acknowledged. The cycle repeats.
//
//   - TestCrashDiskFull: the home lives on a small tmpfs that is filled
//     while the daemon runs. note_add and tags_set are refused with
//     storage_failed and a sentence pointing at the disk; a refused note is
//     not stored; the daemon keeps answering ping, contact_get and status.
//     Killed with SIGKILL and restarted while the disk is still full, it
//     starts, serves everything and still refuses writes cleanly. Once space
//     is freed the same requests succeed. Everything stored
//     before is intact, the file passes store.Verify after a clean stop, and
//     a restarted daemon holds everything.
//
//   - TestCrashReadOnlyHome: a home whose file system turns read-only.
//     Linux refuses `mount -o remount,ro` (EBUSY) while the daemon keeps
//     tactful.db open for writing; what does turn a home read-only under a
//     running program is ext4 meeting an error when mounted
//     errors=remount-ro. So "while serving" puts the home on such an ext4
//     (a loop device) and raises an error through
//     /sys/fs/ext4/DEV/trigger_fs_error: writes are refused with
//     storage_failed, reads are served, and after a clean stop, e2fsck and a
//     remount every acknowledged write is there and the file passes
//     store.Verify. "at start" remounts a tmpfs home read-only with no daemon
//     running: tactful serve must exit at once with a message that names
//     the home and says it is read-only, without advice to replace or
//     abandon an intact file (or else serve reads and refuse writes), and
//     the file must be unchanged byte for byte. Made writable again, the
//     home holds everything and takes writes.
//
//   - TestCrashPowerCut: the same cycles with the page cache lost too, as
//     in a power cut. SIGKILL ends the process but not the kernel, so
//     TestCrashKill9 alone would pass a daemon that never calls fsync. Here
//     the home is on an ext4 image attached to a loop device; after each
//     kill the test copies the image as the device holds it, which lacks
//     whatever was written but never made durable with fsync, runs e2fsck
//     on the copy, mounts it and carries on from it. Every acknowledged
//     note must be in it exactly once. (With bbolt's NoSync set, this test
//     fails at the first cycle.)
//
// What they do not prove: a power cut in the middle of a sector write (torn
// pages), or a disk that lies about flushing its cache.
//
// The disk tests mount tmpfs and ext4 file systems and so need root (and
// losetup, mkfs.ext4 and e2fsck for ext4); without them, or where mounting
// is not allowed, they skip and say why. CI runs them as root. Every mount
// is unmounted, and the loop device detached, when its test ends.
//
// Running:
//
//	go test ./daemon/crashtest/   # in `make test`: 3 kill -9 and 3 power-cut cycles, about 20 s
//	make soak                     # 50 of each, -v
//	TACTFUL_SOAK_CYCLES=500 go test -run TestCrash -timeout 60m -v ./daemon/crashtest/
//
// Each cycle logs how many notes were acknowledged before the kill and how
// many were in flight. The run logs its random seed; TACTFUL_SOAK_SEED=N
// repeats the same kill points and note choices.
package crashtest
