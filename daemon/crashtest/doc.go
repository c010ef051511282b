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
//     Once space is freed the same requests succeed. Everything stored
//     before is intact, the file passes store.Verify after a clean stop, and
//     a restarted daemon holds everything.
//
//   - TestCrashReadOnlyHome: the same tmpfs remounted read-only. Linux
//     refuses that (EBUSY) while the daemon keeps tactful.db open for
//     writing, so the "while serving" case is skipped with that reason
//     wherever the kernel refuses it, and runs where it does not. A daemon
//     started on a read-only home must either exit at once with a message
//     that names the home and says it is read-only, or serve reads and
//     refuse writes with storage_failed; either way the file is unchanged
//     byte for byte and passes store.Verify. Made writable again, the home
//     holds everything and takes writes.
//
// What they do not prove: SIGKILL ends the process but not the kernel, so
// pages the daemon wrote without fsync would survive too. Losing the page
// cache (a power cut) needs a virtual machine or a block device that drops
// unsynced writes; these tests do not simulate it.
//
// The disk tests mount tmpfs file systems and so need root; without it, or
// where mounting is not allowed, they skip and say why. CI runs them as
// root. Every mount is unmounted when its test ends.
//
// Running:
//
//	go test ./daemon/crashtest/                   # part of `make test`: 3 kill cycles
//	make soak                                     # 50 kill cycles, -v
//	TACTFUL_SOAK_CYCLES=500 go test -run TestCrash -timeout 60m -v ./daemon/crashtest/
//
// Each cycle logs how many notes were acknowledged before the kill and how
// many were in flight. The run logs its random seed; TACTFUL_SOAK_SEED=N
// repeats the same kill points and note choices.
package crashtest
