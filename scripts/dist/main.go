// Command dist writes tactful's release packages into one folder (make dist):
//
//   - the daemon for linux, darwin and windows × amd64 and arm64, stamped with
//     the version: tactful-VERSION-OS-ARCH.tar.gz (a .zip for Windows) holding
//     the binary, README.md and CHANGELOG.md;
//   - the extension for the Chrome Web Store (tactful-VERSION-chrome.zip) and
//     for addons.mozilla.org (tactful-VERSION-firefox.zip);
//   - SHA256SUMS, in sha256sum's format.
//
// The same commit gives the same bytes: the binaries are built with
// CGO_ENABLED=0, -trimpath and -buildvcs=false (the version comes in through
// -ldflags) and fixed GOAMD64/GOARM64 levels; archives list their files in
// name order with one fixed time (SOURCE_DATE_EPOCH, else 2000-01-01),
// fixed modes and no owners. That holds for one Go toolchain: another Go
// version may compile or compress differently.
//
// The extension zips are written here rather than by `web-ext build`, whose
// zips carry each file's modification time, so two checkouts of one commit
// would differ; addons-linter (make lint-extension) checks the same files.
package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Target is one GOOS/GOARCH pair.
type Target struct{ OS, Arch string }

func (t Target) String() string { return t.OS + "/" + t.Arch }

// AllTargets are the platforms a release ships for.
var AllTargets = []Target{
	{"linux", "amd64"}, {"linux", "arm64"},
	{"darwin", "amd64"}, {"darwin", "arm64"},
	{"windows", "amd64"}, {"windows", "arm64"},
}

// Options say what to build from where.
type Options struct {
	// Root is the repository: go.mod, daemon/, extension/.
	Root    string
	Out     string
	Version string
	Targets []Target
	// Epoch is the one time every archive entry carries.
	Epoch time.Time
	// Go is the go command.
	Go string
	// Log receives a line per package written.
	Log func(format string, args ...any)
}

// DefaultEpoch is the archives' time unless SOURCE_DATE_EPOCH says another.
var DefaultEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

func main() {
	opts := Options{Go: "go", Log: func(f string, a ...any) { fmt.Fprintf(os.Stderr, f+"\n", a...) }}
	var targets string
	flag.StringVar(&opts.Root, "root", ".", "the repository `DIR`")
	flag.StringVar(&opts.Out, "out", "dist", "write the packages into `DIR`")
	flag.StringVar(&opts.Version, "version", "", "the `VERSION` to stamp and to name the packages with (make dist: git describe)")
	flag.StringVar(&targets, "targets", "", "comma-separated `OS/ARCH` pairs (default: all six)")
	flag.Parse()
	opts.Epoch = DefaultEpoch
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		sec, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			fail(fmt.Errorf("SOURCE_DATE_EPOCH=%q is not a number of seconds", s))
		}
		opts.Epoch = time.Unix(sec, 0).UTC()
	}
	opts.Targets = AllTargets
	if targets != "" {
		var err error
		if opts.Targets, err = ParseTargets(targets); err != nil {
			fail(err)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := Build(ctx, opts); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "dist: "+err.Error())
	os.Exit(1)
}

// ParseTargets reads "linux/amd64,windows/arm64".
func ParseTargets(s string) ([]Target, error) {
	var out []Target
	for _, p := range strings.Split(s, ",") {
		osName, arch, ok := strings.Cut(strings.TrimSpace(p), "/")
		if !ok || osName == "" || arch == "" {
			return nil, fmt.Errorf("target %q is not OS/ARCH", p)
		}
		out = append(out, Target{osName, arch})
	}
	return out, nil
}

// Build writes every package and SHA256SUMS into opts.Out.
func Build(ctx context.Context, opts Options) error {
	if opts.Version == "" {
		return errors.New("no version; make dist passes git describe's")
	}
	if strings.ContainsAny(opts.Version, "/\\ \t\n") {
		return fmt.Errorf("version %q cannot name a file", opts.Version)
	}
	if opts.Log == nil {
		opts.Log = func(string, ...any) {}
	}
	if opts.Go == "" {
		opts.Go = "go"
	}
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return err
	}
	var written []string
	for _, t := range opts.Targets {
		name, err := daemonPackage(ctx, opts, t)
		if err != nil {
			return fmt.Errorf("%s: %w", t, err)
		}
		opts.Log("wrote %s", filepath.Join(opts.Out, name))
		written = append(written, name)
	}
	for _, store := range []string{"chrome", "firefox"} {
		name, err := extensionPackage(opts, store)
		if err != nil {
			return fmt.Errorf("extension for %s: %w", store, err)
		}
		opts.Log("wrote %s", filepath.Join(opts.Out, name))
		written = append(written, name)
	}
	return writeSums(opts.Out, written)
}

// daemonPackage builds tactful for t and archives it with the docs.
func daemonPackage(ctx context.Context, opts Options, t Target) (string, error) {
	tmp, err := os.MkdirTemp("", "tactful-dist-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	exe := "tactful"
	if t.OS == "windows" {
		exe += ".exe"
	}
	bin := filepath.Join(tmp, exe)
	cmd := exec.CommandContext(ctx, opts.Go, "build",
		"-trimpath", "-buildvcs=false",
		"-ldflags", "-s -w -X main.version="+opts.Version,
		"-o", bin, "./daemon/cmd/tactful")
	cmd.Dir = opts.Root
	cmd.Env = append(os.Environ(),
		"CGO_ENABLED=0", "GOOS="+t.OS, "GOARCH="+t.Arch,
		// Whatever the environment asks for, a release targets the baseline.
		"GOAMD64=v1", "GOARM64=v8.0", "GOFLAGS=-mod=readonly", "GOEXPERIMENT=")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	binData, err := os.ReadFile(bin)
	if err != nil {
		return "", err
	}
	dir := fmt.Sprintf("tactful-%s-%s-%s", opts.Version, t.OS, t.Arch)
	files := []archiveFile{{Name: dir + "/" + exe, Data: binData, Mode: 0o755}}
	for _, doc := range []string{"README.md", "CHANGELOG.md"} {
		data, err := os.ReadFile(filepath.Join(opts.Root, doc))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return "", err
		}
		files = append(files, archiveFile{Name: dir + "/" + doc, Data: data, Mode: 0o644})
	}
	var buf bytes.Buffer
	name := dir + ".tar.gz"
	if t.OS == "windows" {
		name = dir + ".zip"
		err = writeZip(&buf, files, opts.Epoch)
	} else {
		err = writeTarGz(&buf, dir, files, opts.Epoch)
	}
	if err != nil {
		return "", err
	}
	return name, os.WriteFile(filepath.Join(opts.Out, name), buf.Bytes(), 0o644)
}

// notShipped are the extension folder's development files.
var notShipped = map[string]bool{
	"node_modules": true, "test": true, "scripts": true, "package.json": true,
	"package-lock.json": true, "go.mod": true, "README.md": true, "web-ext-artifacts": true,
}

// ExtensionFiles lists what the extension ships, relative to extension/ in
// slash form, sorted.
func ExtensionFiles(root string) ([]string, error) {
	ext := filepath.Join(root, "extension")
	var files []string
	err := filepath.WalkDir(ext, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == ext {
			return nil
		}
		rel, _ := filepath.Rel(ext, p)
		rel = filepath.ToSlash(rel)
		if notShipped[rel] || strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			files = append(files, rel)
		}
		return nil
	})
	sort.Strings(files)
	return files, err
}

// extensionPackage zips the extension with the manifest each store wants.
func extensionPackage(opts Options, store string) (string, error) {
	names, err := ExtensionFiles(opts.Root)
	if err != nil {
		return "", err
	}
	var files []archiveFile
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(opts.Root, "extension", filepath.FromSlash(n)))
		if err != nil {
			return "", err
		}
		if n == "manifest.json" {
			if data, err = StoreManifest(data, store); err != nil {
				return "", err
			}
		}
		files = append(files, archiveFile{Name: n, Data: data, Mode: 0o644})
	}
	var buf bytes.Buffer
	if err := writeZip(&buf, files, opts.Epoch); err != nil {
		return "", err
	}
	name := fmt.Sprintf("tactful-%s-%s.zip", opts.Version, store)
	return name, os.WriteFile(filepath.Join(opts.Out, name), buf.Bytes(), 0o644)
}

type archiveFile struct {
	Name string
	Data []byte
	Mode fs.FileMode
}

// writeZip writes files in name order, each with the one time and mode.
func writeZip(w *bytes.Buffer, files []archiveFile, epoch time.Time) error {
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	zw := zip.NewWriter(w)
	for _, f := range files {
		h := &zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: epoch}
		h.SetMode(f.Mode)
		fw, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		if _, err := fw.Write(f.Data); err != nil {
			return err
		}
	}
	return zw.Close()
}

// writeTarGz writes dir/ and files in name order, owned by nobody in
// particular, with the one time; the gzip header names no file and no time.
func writeTarGz(w *bytes.Buffer, dir string, files []archiveFile, epoch time.Time) error {
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	gz, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(gz)
	headers := []*tar.Header{{Typeflag: tar.TypeDir, Name: dir + "/", Mode: 0o755, ModTime: epoch, Format: tar.FormatUSTAR}}
	for _, f := range files {
		headers = append(headers, &tar.Header{Typeflag: tar.TypeReg, Name: f.Name, Mode: int64(f.Mode), Size: int64(len(f.Data)), ModTime: epoch, Format: tar.FormatUSTAR})
	}
	for i, h := range headers {
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if i > 0 {
			if _, err := tw.Write(files[i-1].Data); err != nil {
				return err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

// writeSums writes SHA256SUMS for names, in name order.
func writeSums(out string, names []string) error {
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(out, n))
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		fmt.Fprintf(&b, "%s  %s\n", hex.EncodeToString(sum[:]), path.Base(n))
	}
	return os.WriteFile(filepath.Join(out, "SHA256SUMS"), []byte(b.String()), 0o644)
}
