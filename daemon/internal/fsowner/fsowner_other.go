//go:build !unix

package fsowner

import "io/fs"

// NoFollow is 0 where open has no such flag.
const NoFollow = 0

// UID reports no owner where files have none to ask.
func UID(fs.FileInfo) (uid int, ok bool) { return -1, false }

// GID reports no group where files have none to ask.
func GID(fs.FileInfo) (gid int, ok bool) { return -1, false }
