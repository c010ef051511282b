package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"
)

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "extension", "manifest.json")); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestStoreManifest(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(repoRoot(t), "extension", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var orig map[string]any
	if err := json.Unmarshal(src, &orig); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		store          string
		gone, bgGone   []string
		bgKept, topKep string
	}{
		{"chrome", []string{"key", "browser_specific_settings"}, []string{"scripts"}, "service_worker", "minimum_chrome_version"},
		{"firefox", []string{"key", "minimum_chrome_version"}, []string{"service_worker"}, "scripts", "browser_specific_settings"},
	} {
		t.Run(tc.store, func(t *testing.T) {
			out, err := StoreManifest(src, tc.store)
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]any
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatal(err)
			}
			for _, k := range tc.gone {
				if _, ok := got[k]; ok {
					t.Errorf("%s's manifest keeps %q", tc.store, k)
				}
			}
			bg := got["background"].(map[string]any)
			for _, k := range tc.bgGone {
				if _, ok := bg[k]; ok {
					t.Errorf("%s's manifest keeps background.%s", tc.store, k)
				}
			}
			if _, ok := bg[tc.bgKept]; !ok {
				t.Errorf("%s's manifest lost background.%s", tc.store, tc.bgKept)
			}
			// Everything else is exactly as in the source.
			for k, v := range orig {
				if k == "background" || contains(tc.gone, k) {
					continue
				}
				a, _ := json.Marshal(v)
				b, _ := json.Marshal(got[k])
				if !bytes.Equal(a, b) {
					t.Errorf("%q changed: %s -> %s", k, a, b)
				}
			}
			if _, ok := got[tc.topKep]; !ok {
				t.Errorf("%s's manifest lost %q", tc.store, tc.topKep)
			}
			// The keys keep their order: name before version before permissions.
			s := string(out)
			if !(strings.Index(s, `"name"`) < strings.Index(s, `"version"`) && strings.Index(s, `"version"`) < strings.Index(s, `"permissions"`)) {
				t.Errorf("the keys were reordered:\n%s", s)
			}
		})
	}
	if _, err := StoreManifest([]byte(`[1]`), "chrome"); err == nil {
		t.Error("a manifest that is not an object was accepted")
	}
	if _, err := StoreManifest(src, "edge"); err == nil {
		t.Error("an unknown store was accepted")
	}
}

// TestDistIsReproducible builds this machine's daemon package and both
// extension zips twice and compares the bytes; make dist builds all six
// daemon targets the same way.
func TestDistIsReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the daemon; skipped with -short")
	}
	root := repoRoot(t)
	target := Target{runtime.GOOS, runtime.GOARCH}
	build := func(out string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		if err := Build(ctx, Options{Root: root, Out: out, Version: "v9.9.9-test", Targets: []Target{target}, Epoch: DefaultEpoch}); err != nil {
			t.Fatal(err)
		}
	}
	a, b := filepath.Join(t.TempDir(), "one"), filepath.Join(t.TempDir(), "two")
	build(a)
	build(b)

	names := listDir(t, a)
	if got := listDir(t, b); strings.Join(got, " ") != strings.Join(names, " ") {
		t.Fatalf("the builds wrote different files: %v and %v", names, got)
	}
	ext := ".tar.gz"
	if target.OS == "windows" {
		ext = ".zip"
	}
	daemonPkg := "tactful-v9.9.9-test-" + target.OS + "-" + target.Arch + ext
	want := []string{"SHA256SUMS", "tactful-v9.9.9-test-chrome.zip", "tactful-v9.9.9-test-firefox.zip", daemonPkg}
	sort.Strings(want)
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("wrote %v, want %v", names, want)
	}
	for _, n := range names {
		x, _ := os.ReadFile(filepath.Join(a, n))
		y, _ := os.ReadFile(filepath.Join(b, n))
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two builds of the same tree", n)
		}
	}

	t.Run("SHA256SUMS", func(t *testing.T) {
		sums, _ := os.ReadFile(filepath.Join(a, "SHA256SUMS"))
		lines := strings.Split(strings.TrimSuffix(string(sums), "\n"), "\n")
		if len(lines) != len(names)-1 {
			t.Fatalf("SHA256SUMS has %d lines for %d packages", len(lines), len(names)-1)
		}
		for _, line := range lines {
			sum, name, ok := strings.Cut(line, "  ")
			data, err := os.ReadFile(filepath.Join(a, name))
			got := sha256.Sum256(data)
			if !ok || err != nil || hex.EncodeToString(got[:]) != sum {
				t.Errorf("SHA256SUMS line %q does not match (%v)", line, err)
			}
		}
	})

	t.Run("the daemon runs and says its version", func(t *testing.T) {
		files := readArchive(t, filepath.Join(a, daemonPkg))
		exe := "tactful"
		if target.OS == "windows" {
			exe += ".exe"
		}
		dir := strings.TrimSuffix(daemonPkg, ext)
		bin, ok := files[dir+"/"+exe]
		if !ok {
			t.Fatalf("%s lacks %s/%s: %v", daemonPkg, dir, exe, keys(files))
		}
		if bin.mode&0o111 == 0 && target.OS != "windows" {
			t.Errorf("the binary is not executable: %v", bin.mode)
		}
		if _, ok := files[dir+"/README.md"]; !ok {
			t.Errorf("%s lacks README.md", daemonPkg)
		}
		if bytes.Contains(bin.data, []byte(root)) {
			t.Errorf("the binary contains the build path %s (-trimpath)", root)
		}
		path := filepath.Join(t.TempDir(), exe)
		if err := os.WriteFile(path, bin.data, 0o755); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(path, "version").CombinedOutput()
		if err != nil || !strings.HasPrefix(string(out), "tactful v9.9.9-test (protocol ") {
			t.Errorf("tactful version: %v: %s", err, out)
		}
	})

	for _, store := range []string{"chrome", "firefox"} {
		t.Run("the "+store+" zip", func(t *testing.T) {
			zipPath := filepath.Join(a, "tactful-v9.9.9-test-"+store+".zip")
			files := readArchive(t, zipPath)
			var manifest map[string]any
			if err := json.Unmarshal(files["manifest.json"].data, &manifest); err != nil {
				t.Fatalf("manifest.json at the zip's root: %v", err)
			}
			if _, ok := manifest["key"]; ok {
				t.Error("the store's manifest keeps the development key")
			}
			for name, f := range files {
				for _, dev := range []string{"node_modules/", "test/", "scripts/", "package.json", "package-lock.json", "go.mod"} {
					if strings.HasPrefix(name, dev) {
						t.Errorf("ships the development file %s", name)
					}
				}
				if !f.modified.Equal(DefaultEpoch) || f.mode != 0o644 {
					t.Errorf("%s: time %v mode %v, want %v and 0644", name, f.modified, f.mode, DefaultEpoch)
				}
			}
			refs := referencedFiles(t, files)
			for _, must := range []string{"popup/popup.html", "popup/popup.js", "popup/connection-status.js", "content/main.js", "icons/icon-128.png"} {
				if !contains(refs, must) {
					t.Fatalf("the reference finder misses %s: %v", must, refs)
				}
			}
			for _, ref := range refs {
				if _, ok := files[ref]; !ok {
					t.Errorf("the zip lacks %s, which the extension loads", ref)
				}
			}
			if store == "firefox" {
				amoLint(t, root, zipPath)
			}
		})
	}
}

// amoLint runs addons-linter as addons.mozilla.org does on the zip.
func amoLint(t *testing.T, root, zipPath string) {
	linter := filepath.Join(root, "extension", "node_modules", ".bin", "addons-linter")
	if _, err := os.Stat(linter); err != nil {
		t.Log("addons-linter is not installed (make deps installs it); the zip is not linted")
		return
	}
	out, _ := exec.Command(linter, "--output", "json", zipPath).Output()
	var report struct {
		Errors, Warnings []struct{ Code, Message string }
	}
	if err := json.Unmarshal(out, &report); err != nil {
		t.Fatalf("addons-linter: %v\n%s", err, out)
	}
	for _, e := range report.Errors {
		t.Errorf("addons-linter error %s: %s", e.Code, e.Message)
	}
	for _, w := range report.Warnings {
		// data_collection_permissions: Firefox 140+ reads it, older ignores it.
		if w.Code != "KEY_FIREFOX_UNSUPPORTED_BY_MIN_VERSION" && w.Code != "KEY_FIREFOX_ANDROID_UNSUPPORTED_BY_MIN_VERSION" {
			t.Errorf("addons-linter warning %s: %s", w.Code, w.Message)
		}
	}
}

// referencedFiles are the files the manifest and the extension's pages load.
func referencedFiles(t *testing.T, files map[string]archived) []string {
	var m struct {
		Background struct {
			ServiceWorker string   `json:"service_worker"`
			Scripts       []string `json:"scripts"`
		}
		ContentScripts []struct{ JS []string } `json:"content_scripts"`
		Action         struct {
			DefaultPopup string            `json:"default_popup"`
			DefaultIcon  map[string]string `json:"default_icon"`
		}
		OptionsUI struct{ Page string } `json:"options_ui"`
		Icons     map[string]string
	}
	if err := json.Unmarshal(files["manifest.json"].data, &m); err != nil {
		t.Fatal(err)
	}
	refs := append([]string{}, m.Background.Scripts...)
	if m.Background.ServiceWorker != "" {
		refs = append(refs, m.Background.ServiceWorker)
	}
	for _, cs := range m.ContentScripts {
		refs = append(refs, cs.JS...)
	}
	for _, icon := range m.Icons {
		refs = append(refs, icon)
	}
	for _, icon := range m.Action.DefaultIcon {
		refs = append(refs, icon)
	}
	// Pages, and what they load with src= or href= (relative paths only).
	attr := regexp.MustCompile(`(?:src|href)="([^":#?]+)"`)
	for _, page := range []string{m.Action.DefaultPopup, m.OptionsUI.Page} {
		if page == "" {
			continue
		}
		refs = append(refs, page)
		for _, match := range attr.FindAllStringSubmatch(string(files[page].data), -1) {
			refs = append(refs, filepath.ToSlash(filepath.Join(filepath.Dir(page), match[1])))
		}
	}
	// ES module imports from the pages' scripts.
	imp := regexp.MustCompile(`(?m)^import .* from '(\./[^']+)';`)
	for name, f := range files {
		if strings.HasSuffix(name, ".js") {
			for _, match := range imp.FindAllStringSubmatch(string(f.data), -1) {
				refs = append(refs, filepath.ToSlash(filepath.Join(filepath.Dir(name), match[1])))
			}
		}
	}
	return refs
}

type archived struct {
	data     []byte
	mode     os.FileMode
	modified time.Time
}

// readArchive reads a .zip or .tar.gz into name -> file.
func readArchive(t *testing.T, path string) map[string]archived {
	t.Helper()
	out := map[string]archived{}
	if strings.HasSuffix(path, ".zip") {
		zr, err := zip.OpenReader(path)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		var names []string
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			data, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			out[f.Name] = archived{data, f.Mode().Perm(), f.Modified.UTC()}
			names = append(names, f.Name)
		}
		if !sort.StringsAreSorted(names) {
			t.Errorf("%s: entries not in name order: %v", path, names)
		}
		return out
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	if !gz.ModTime.IsZero() || gz.Name != "" {
		t.Errorf("%s: the gzip header names %q at %v", path, gz.Name, gz.ModTime)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" || !h.ModTime.Equal(DefaultEpoch) {
			t.Errorf("%s: %s has owner %d/%d %q/%q, time %v", path, h.Name, h.Uid, h.Gid, h.Uname, h.Gname, h.ModTime)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		out[h.Name] = archived{data, os.FileMode(h.Mode).Perm(), h.ModTime.UTC()}
	}
	return out
}

func listDir(t *testing.T, dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

func keys(m map[string]archived) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
