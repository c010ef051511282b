//go:build unix

package fsowner

import (
	"io/fs"
	"syscall"
)

// NoFollow makes os.OpenFile refuse a symbolic link in the last element.
const NoFollow = syscall.O_NOFOLLOW

// UID returns the owner of fi.
func UID(fi fs.FileInfo) (uid int, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return -1, false
	}
	return int(st.Uid), true
}

// GID returns the group of fi.
func GID(fi fs.FileInfo) (gid int, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return -1, false
	}
	return int(st.Gid), true
}
