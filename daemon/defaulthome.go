package daemon

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Platform is what choosing the default home depends on; tests build one for
// any operating system, DefaultHome uses this machine's.
type Platform struct {
	GOOS        string
	Getenv      func(string) string
	UserHomeDir func() (string, error)
	// IsDir reports whether path is an existing directory.
	IsDir func(path string) bool
}

func thisPlatform() Platform {
	return Platform{
		GOOS:        runtime.GOOS,
		Getenv:      os.Getenv,
		UserHomeDir: os.UserHomeDir,
		IsDir: func(path string) bool {
			fi, err := os.Stat(path)
			return err == nil && fi.IsDir()
		},
	}
}

// DefaultHome is where tactful keeps its data unless --home says otherwise:
// $TACTFUL_HOME, else the platform's place for per-user application data
// (see Platform.Home). It is "" when no home directory can be found.
func DefaultHome() string {
	home, _ := thisPlatform().Home()
	return home
}

// DefaultHomeNote explains a default home that is not the platform's usual
// place (an older tactful's home, kept so nothing moves behind the person's
// back), or is "".
func DefaultHomeNote() string {
	_, note := thisPlatform().Home()
	return note
}

// Home returns the default home on p and, when it is not the platform's
// usual place, a sentence saying why:
//
//   - $TACTFUL_HOME when set;
//   - macOS: ~/Library/Application Support/tactful;
//   - Windows: %LOCALAPPDATA%\tactful;
//   - Linux and the rest: $XDG_DATA_HOME/tactful, else ~/.local/share/tactful.
//
// tactful before 0.2 used the XDG place everywhere. On macOS and Windows an
// existing home there is kept, never moved: the database, its pairing code
// and the browsers paired with it stay as they were.
func (p Platform) Home() (home, note string) {
	if h := p.Getenv("TACTFUL_HOME"); h != "" {
		return h, ""
	}
	xdg := p.xdgHome()
	var native string
	switch p.GOOS {
	case "darwin", "ios":
		if u := p.userHome(); u != "" {
			native = join(p.GOOS, u, "Library", "Application Support", "tactful")
		}
	case "windows":
		if l := p.Getenv("LOCALAPPDATA"); l != "" && isAbs(p.GOOS, l) {
			native = join(p.GOOS, l, "tactful")
		} else if u := p.userHome(); u != "" {
			native = join(p.GOOS, u, "AppData", "Local", "tactful")
		}
	default:
		return xdg, ""
	}
	if xdg != "" && xdg != native && !p.isDir(native) && p.isDir(xdg) {
		return xdg, "using the existing home " + xdg + " of an earlier tactful; " +
			"this platform's usual place is " + native + " (to move, stop tactful and move the folder; or keep it, nothing changes)"
	}
	return native, ""
}

// xdgHome is $XDG_DATA_HOME/tactful, else ~/.local/share/tactful.
func (p Platform) xdgHome() string {
	if x := p.Getenv("XDG_DATA_HOME"); x != "" && isAbs(p.GOOS, x) {
		return join(p.GOOS, x, "tactful")
	}
	if u := p.userHome(); u != "" {
		return join(p.GOOS, u, ".local", "share", "tactful")
	}
	return ""
}

func (p Platform) userHome() string {
	if p.UserHomeDir == nil {
		return ""
	}
	u, err := p.UserHomeDir()
	if err != nil {
		return ""
	}
	return u
}

func (p Platform) isDir(path string) bool {
	return path != "" && p.IsDir != nil && p.IsDir(path)
}

// isAbs and join treat paths the way p.GOOS would, so a test on Linux can
// check the Windows answer and the other way round.
func isAbs(goos, path string) bool {
	if goos != "windows" {
		return len(path) > 0 && path[0] == '/'
	}
	// C:\ or \\server\share
	return (len(path) >= 3 && path[1] == ':' && (path[2] == '\\' || path[2] == '/')) ||
		(len(path) >= 2 && (path[0] == '\\' || path[0] == '/') && (path[1] == '\\' || path[1] == '/'))
}

func join(goos string, elem ...string) string {
	if goos == runtime.GOOS || (goos != "windows" && runtime.GOOS != "windows") {
		return filepath.Join(elem...)
	}
	sep := "/"
	if goos == "windows" {
		sep = `\`
	}
	return strings.Join(elem, sep)
}
