package daemon

import (
	"errors"
	"strings"
	"testing"
)

func TestDefaultHomePerPlatform(t *testing.T) {
	for _, tc := range []struct {
		name     string
		goos     string
		env      map[string]string
		userHome string
		dirs     []string // directories that exist
		want     string
		noteHas  string // "" means no note
	}{
		{name: "TACTFUL_HOME wins everywhere", goos: "darwin", userHome: "/Users/ada",
			env: map[string]string{"TACTFUL_HOME": "/data/t", "XDG_DATA_HOME": "/x"}, want: "/data/t"},
		{name: "linux XDG_DATA_HOME", goos: "linux", userHome: "/home/ada",
			env: map[string]string{"XDG_DATA_HOME": "/x/data"}, want: "/x/data/tactful"},
		{name: "linux relative XDG_DATA_HOME is ignored", goos: "linux", userHome: "/home/ada",
			env: map[string]string{"XDG_DATA_HOME": "data"}, want: "/home/ada/.local/share/tactful"},
		{name: "linux HOME only", goos: "linux", userHome: "/home/ada", want: "/home/ada/.local/share/tactful"},
		{name: "freebsd is XDG too", goos: "freebsd", userHome: "/home/ada", want: "/home/ada/.local/share/tactful"},
		{name: "macOS", goos: "darwin", userHome: "/Users/ada",
			want: "/Users/ada/Library/Application Support/tactful"},
		{name: "macOS keeps an earlier XDG home and says so", goos: "darwin", userHome: "/Users/ada",
			dirs: []string{"/Users/ada/.local/share/tactful"},
			want: "/Users/ada/.local/share/tactful", noteHas: "/Users/ada/Library/Application Support/tactful"},
		{name: "macOS keeps an earlier home under XDG_DATA_HOME", goos: "darwin", userHome: "/Users/ada",
			env: map[string]string{"XDG_DATA_HOME": "/Users/ada/xdg"}, dirs: []string{"/Users/ada/xdg/tactful"},
			want: "/Users/ada/xdg/tactful", noteHas: "existing home"},
		{name: "macOS with both homes uses the native one", goos: "darwin", userHome: "/Users/ada",
			dirs: []string{"/Users/ada/.local/share/tactful", "/Users/ada/Library/Application Support/tactful"},
			want: "/Users/ada/Library/Application Support/tactful"},
		{name: "windows LOCALAPPDATA", goos: "windows", userHome: `C:\Users\ada`,
			env: map[string]string{"LOCALAPPDATA": `C:\Users\ada\AppData\Local`}, want: `C:\Users\ada\AppData\Local\tactful`},
		{name: "windows without LOCALAPPDATA", goos: "windows", userHome: `C:\Users\ada`,
			want: `C:\Users\ada\AppData\Local\tactful`},
		{name: "windows keeps an earlier XDG home", goos: "windows", userHome: `C:\Users\ada`,
			env:  map[string]string{"LOCALAPPDATA": `C:\Users\ada\AppData\Local`},
			dirs: []string{`C:\Users\ada\.local\share\tactful`}, want: `C:\Users\ada\.local\share\tactful`, noteHas: `AppData\Local\tactful`},
		{name: "no home directory at all", goos: "linux", want: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := Platform{
				GOOS:   tc.goos,
				Getenv: func(k string) string { return tc.env[k] },
				UserHomeDir: func() (string, error) {
					if tc.userHome == "" {
						return "", errors.New("no $HOME")
					}
					return tc.userHome, nil
				},
				IsDir: func(path string) bool {
					for _, d := range tc.dirs {
						if d == path {
							return true
						}
					}
					return false
				},
			}
			home, note := p.Home()
			if home != tc.want {
				t.Errorf("home = %q, want %q", home, tc.want)
			}
			switch {
			case tc.noteHas == "" && note != "":
				t.Errorf("unexpected note %q", note)
			case tc.noteHas != "" && !strings.Contains(note, tc.noteHas):
				t.Errorf("note = %q, want it to mention %q", note, tc.noteHas)
			}
		})
	}
}

func TestDefaultHomeReadsTheEnvironment(t *testing.T) {
	t.Setenv("TACTFUL_HOME", "/x/tactful-home")
	if got := DefaultHome(); got != "/x/tactful-home" {
		t.Errorf("with TACTFUL_HOME: %q", got)
	}
	if note := DefaultHomeNote(); note != "" {
		t.Errorf("TACTFUL_HOME needs no note, got %q", note)
	}
}
