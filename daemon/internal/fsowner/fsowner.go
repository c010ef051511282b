// Package fsowner answers who owns a file, for the checks that keep
// tactful's home and pairing code out of other local users' hands.
package fsowner

import (
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"strconv"
)

// Mine reports whether the effective user owns fi. Where the system has no
// owners to ask (known is false), every file counts as the user's own.
func Mine(fi fs.FileInfo) (mine, known bool) {
	uid, ok := UID(fi)
	if !ok || os.Geteuid() < 0 {
		return true, false
	}
	return uid == os.Geteuid(), true
}

// Describe names fi's owner and mode, for messages: "owner uid 1001 (bob),
// mode drwxrwxrwt".
func Describe(fi fs.FileInfo) string {
	uid, ok := UID(fi)
	if !ok {
		return "mode " + fi.Mode().String()
	}
	return fmt.Sprintf("owner %s, mode %s", Name(uid), fi.Mode())
}

// Name is "uid N (login)", or "uid N" when the login is unknown.
func Name(uid int) string {
	s := strconv.Itoa(uid)
	if u, err := user.LookupId(s); err == nil && u.Username != "" {
		return fmt.Sprintf("uid %s (%s)", s, u.Username)
	}
	return "uid " + s
}

// PrivateGroup reports whether fi's group is the effective user's private
// group: their primary group, named after them. Debian, Ubuntu and Fedora
// give every user one and default to umask 002, so new folders are group
// writable without anyone else being able to write to them.
func PrivateGroup(fi fs.FileInfo) bool {
	gid, ok := GID(fi)
	if !ok {
		return false
	}
	u, err := user.LookupId(strconv.Itoa(os.Geteuid()))
	if err != nil || u.Gid != strconv.Itoa(gid) {
		return false
	}
	g, err := user.LookupGroupId(u.Gid)
	return err == nil && g.Name == u.Username
}
