// Package pairing keeps the pairing code: the shared secret a client shows in
// its hello to prove that the person at this machine paired it.
//
// The code lives in HOME/pairing-code, one line, mode 0600, in a 0700
// directory. It is 20 symbols of Crockford's base32 (100 random bits) in
// groups of five, e.g. "K3M9Q-7TZ2A-HX4PB-W6NDC". People type it, so checks
// ignore case, dashes and spaces, and read O as 0 and I or L as 1.
//
// `tactful pair` replaces the file (Rotate); a running daemon's Keeper notices
// and bumps its generation, so the server can close every connection that was
// paired with the old code.
package pairing

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/rs/zerolog"

	"github.com/tactful/tactful/daemon/internal/fsowner"
)

// FileName is the name of the pairing code file inside the home directory.
const FileName = "pairing-code"

// alphabet is Crockford's base32: digits and letters without I, L, O and U.
const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

const (
	symbols   = 20 // 100 bits
	groupSize = 5
)

// Path returns the pairing code file of home.
func Path(home string) string { return filepath.Join(home, FileName) }

// Generate returns a fresh random code, formatted in groups.
func Generate() (string, error) {
	buf := make([]byte, symbols)
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("generate pairing code: %w", err)
	}
	for i, b := range buf {
		buf[i] = alphabet[b&31] // 256 is a multiple of 32: uniform
	}
	return format(string(buf)), nil
}

// Normalize folds a typed code to its canonical symbols: upper case, no
// dashes or spaces, O read as 0 and I, L as 1. It does not validate.
func Normalize(code string) string {
	var b strings.Builder
	b.Grow(len(code))
	for _, r := range strings.ToUpper(code) {
		switch {
		case r == '-' || r == ' ' || r == '\t' || r == '\r' || r == '\n':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Valid reports whether code, once normalized, is a well-formed pairing code.
func Valid(code string) bool {
	n := Normalize(code)
	if len(n) != symbols {
		return false
	}
	for i := 0; i < len(n); i++ {
		if strings.IndexByte(alphabet, n[i]) < 0 {
			return false
		}
	}
	return true
}

// format groups normalized symbols as XXXXX-XXXXX-XXXXX-XXXXX.
func format(n string) string {
	var parts []string
	for len(n) > groupSize {
		parts = append(parts, n[:groupSize])
		n = n[groupSize:]
	}
	parts = append(parts, n)
	return strings.Join(parts, "-")
}

// Ensure returns the code in home, creating home (0700) and the code (0600)
// when there is none yet. A damaged code file is an error, not silently
// replaced: replacing it would unpair every client.
func Ensure(home string) (string, error) {
	if err := os.MkdirAll(home, 0o700); err != nil {
		return "", fmt.Errorf("create home %s: %w", home, err)
	}
	code, err := read(home)
	if err == nil {
		return code, nil
	}
	empty := errors.Is(err, errEmpty)
	if !empty && !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	code, err = Generate()
	if err != nil {
		return "", err
	}
	created, err := write(home, code, empty)
	if err != nil {
		return "", err
	}
	if !created {
		// Another process created it first; use theirs.
		return read(home)
	}
	return code, nil
}

// Rotate replaces the code in home with a fresh one, atomically: a reader
// sees the old code or the new one, never a partial file.
func Rotate(home string) (string, error) {
	if err := os.MkdirAll(home, 0o700); err != nil {
		return "", fmt.Errorf("create home %s: %w", home, err)
	}
	code, err := Generate()
	if err != nil {
		return "", err
	}
	if _, err := write(home, code, true); err != nil {
		return "", err
	}
	return code, nil
}

// errEmpty is an empty code file, which Ensure treats like a missing one.
var errEmpty = fmt.Errorf("the pairing code file is empty: %w", fs.ErrNotExist)

// read returns the formatted code in home's file. A missing file wraps
// fs.ErrNotExist; an empty one is errEmpty, which wraps it too.
//
// Whoever can put a file there decides the code, so read refuses a symbolic
// link (O_NOFOLLOW), anything but a regular file, and a file another user
// owns. A file of the user's own that others can read is made 0600.
func read(home string) (string, error) {
	p := Path(home)
	f, err := os.OpenFile(p, os.O_RDONLY|fsowner.NoFollow, 0)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		if errors.Is(err, syscall.ELOOP) {
			return "", fmt.Errorf("pairing code file %s is a symbolic link, which tactful refuses: someone may have put it there; remove it and run `tactful pair --rotate`", p)
		}
		return "", fmt.Errorf("read pairing code: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("read pairing code: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("pairing code file %s is not a regular file (%s); remove it and run `tactful pair --rotate`", p, fi.Mode())
	}
	mine, known := fsowner.Mine(fi)
	if !mine {
		return "", fmt.Errorf("pairing code file %s (%s) belongs to another user, so its code is not yours to trust; remove it and run `tactful pair --rotate`", p, fsowner.Describe(fi))
	}
	// Where there are no owners (Windows) there are no mode bits either.
	if known && fi.Mode().Perm()&0o077 != 0 {
		// A code others can read is no secret. The file is the user's own
		// (checked above), so tightening it takes nothing from anyone.
		if err := f.Chmod(0o600); err != nil {
			return "", fmt.Errorf("restrict pairing code file %s: %w", p, err)
		}
	}
	data, err := io.ReadAll(io.LimitReader(f, 4<<10))
	if err != nil {
		return "", fmt.Errorf("read pairing code: %w", err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return "", errEmpty
	}
	if !Valid(string(data)) {
		return "", fmt.Errorf("pairing code file %s is damaged; run `tactful pair` to make a new code", p)
	}
	return format(Normalize(string(data))), nil
}

// Read returns the code in home without creating one, with the checks of
// read: no symbolic link, no file of another user's.
func Read(home string) (string, error) { return read(home) }

// write stores code through a temporary file. With replace it renames over
// any existing file; without, it links so that an existing file wins, and
// reports whether it created the file.
func write(home, code string, replace bool) (created bool, err error) {
	p := Path(home)
	tmp, err := os.CreateTemp(home, "."+FileName+".*") // 0600
	if err != nil {
		return false, fmt.Errorf("write pairing code: %w", err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName) // after a link or a failure; a no-op after rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return false, fmt.Errorf("write pairing code: %w", err)
	}
	if _, err := tmp.WriteString(code + "\n"); err != nil {
		tmp.Close()
		return false, fmt.Errorf("write pairing code: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return false, fmt.Errorf("write pairing code: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return false, fmt.Errorf("write pairing code: %w", err)
	}
	if replace {
		if err := os.Rename(tmpName, p); err != nil {
			return false, fmt.Errorf("write pairing code: %w", err)
		}
		return true, nil
	}
	if err := os.Link(tmpName, p); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return false, nil
		}
		return false, fmt.Errorf("write pairing code: %w", err)
	}
	return true, nil
}

// Keeper holds the current code of a home directory for a running daemon.
// It re-reads the file on every Check and Refresh, so a code replaced by
// `tactful pair` in another process takes effect at once. Each distinct code
// is a generation; Watch tells when a generation ends.
type Keeper struct {
	home   string
	logger zerolog.Logger

	mu      sync.Mutex
	digest  [32]byte // sha256 of the normalized current code
	gen     uint64
	ended   chan struct{} // closed when gen ends
	lastErr string        // the last read problem logged, to log it once
}

// NewKeeper ensures home has a code (see Ensure) and returns a Keeper for it.
func NewKeeper(home string, logger zerolog.Logger) (*Keeper, error) {
	code, err := Ensure(home)
	if err != nil {
		return nil, err
	}
	return &Keeper{
		home:   home,
		logger: logger,
		digest: sha256.Sum256([]byte(Normalize(code))),
		gen:    1,
		ended:  make(chan struct{}),
	}, nil
}

// Refresh re-reads the code file and starts a new generation when the code
// changed. A missing or damaged file keeps the current code (and is logged):
// a stray edit must not lock out the user's paired browser.
func (k *Keeper) Refresh() {
	code, err := read(k.home)
	k.mu.Lock()
	defer k.mu.Unlock()
	if err != nil {
		if msg := err.Error(); msg != k.lastErr {
			k.lastErr = msg
			k.logger.Warn().Err(err).Msg("cannot read the pairing code file; keeping the current code")
		}
		return
	}
	k.lastErr = ""
	d := sha256.Sum256([]byte(Normalize(code)))
	if subtle.ConstantTimeCompare(d[:], k.digest[:]) == 1 {
		return
	}
	k.digest = d
	k.gen++
	close(k.ended)
	k.ended = make(chan struct{})
	k.logger.Info().Uint64("generation", k.gen).Msg("the pairing code changed; sessions paired with the old code end")
}

// Check reports whether code is the current pairing code, and the generation
// it belongs to. The comparison takes the same time whatever the input.
func (k *Keeper) Check(code string) (generation uint64, ok bool) {
	k.Refresh()
	d := sha256.Sum256([]byte(Normalize(code)))
	k.mu.Lock()
	defer k.mu.Unlock()
	// An empty code never matches, but is compared all the same.
	match := subtle.ConstantTimeCompare(d[:], k.digest[:]) == 1
	return k.gen, match && strings.TrimSpace(code) != ""
}

// Generation returns the current generation.
func (k *Keeper) Generation() uint64 {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.gen
}

// Watch returns a channel closed when generation gen has ended, i.e. the code
// changed since. For a generation that already ended it is closed at once.
func (k *Keeper) Watch(gen uint64) <-chan struct{} {
	k.mu.Lock()
	defer k.mu.Unlock()
	if gen != k.gen {
		c := make(chan struct{})
		close(c)
		return c
	}
	return k.ended
}
