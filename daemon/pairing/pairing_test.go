package pairing

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"
)

var codeShape = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){3}$`)

func TestGenerate(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		code, err := Generate()
		if err != nil {
			t.Fatal(err)
		}
		if !codeShape.MatchString(code) {
			t.Fatalf("code %q does not have the XXXXX-XXXXX-XXXXX-XXXXX shape", code)
		}
		if strings.ContainsAny(code, "ILOU") {
			t.Fatalf("code %q holds an ambiguous letter", code)
		}
		if seen[code] {
			t.Fatalf("code %q came twice", code)
		}
		seen[code] = true
	}
}

func TestNormalizeAndValid(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		want  string
		valid bool
	}{
		{name: "canonical", in: "K3M9Q-7TZ2A-HX4PB-W6NDC", want: "K3M9Q7TZ2AHX4PBW6NDC", valid: true},
		{name: "lower case", in: "k3m9q-7tz2a-hx4pb-w6ndc", want: "K3M9Q7TZ2AHX4PBW6NDC", valid: true},
		{name: "spaces instead of dashes", in: " K3M9Q 7TZ2A HX4PB W6NDC\n", want: "K3M9Q7TZ2AHX4PBW6NDC", valid: true},
		{name: "ambiguous letters read as digits", in: "OIL00-00000-00000-00000", want: "01100000000000000000", valid: true},
		{name: "too short", in: "K3M9Q-7TZ2A-HX4PB-W6ND", want: "K3M9Q7TZ2AHX4PBW6ND", valid: false},
		{name: "too long", in: "K3M9Q-7TZ2A-HX4PB-W6NDCX", want: "K3M9Q7TZ2AHX4PBW6NDCX", valid: false},
		{name: "letter U", in: "U3M9Q-7TZ2A-HX4PB-W6NDC", want: "U3M9Q7TZ2AHX4PBW6NDC", valid: false},
		{name: "punctuation", in: "K3M9Q-7TZ2A-HX4PB-W6ND!", want: "K3M9Q7TZ2AHX4PBW6ND!", valid: false},
		{name: "empty", in: "", want: "", valid: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Normalize(tt.in); got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if got := Valid(tt.in); got != tt.valid {
				t.Errorf("Valid(%q) = %v, want %v", tt.in, got, tt.valid)
			}
		})
	}
}

func TestEnsureCreatesOnceWithTightModes(t *testing.T) {
	home := filepath.Join(t.TempDir(), "tactful")
	code, err := Ensure(home)
	if err != nil {
		t.Fatal(err)
	}
	if !codeShape.MatchString(code) {
		t.Fatalf("code %q has the wrong shape", code)
	}
	fi, err := os.Stat(home)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o700 {
		t.Errorf("home mode = %o, want 700", got)
	}
	fi, err = os.Stat(Path(home))
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("code file mode = %o, want 600", got)
	}
	data, err := os.ReadFile(Path(home))
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != code+"\n" {
		t.Errorf("file holds %q, want %q", data, code+"\n")
	}
	again, err := Ensure(home)
	if err != nil {
		t.Fatal(err)
	}
	if again != code {
		t.Errorf("second Ensure = %q, want the same code %q", again, code)
	}
	entries, err := os.ReadDir(home)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("home holds %d entries, want only the code file (temporary files left behind?)", len(entries))
	}
}

func TestEnsureConcurrentAgree(t *testing.T) {
	home := t.TempDir()
	const n = 8
	codes := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], errs[i] = Ensure(home)
		}()
	}
	wg.Wait()
	for i := 0; i < n; i++ {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if codes[i] != codes[0] {
			t.Fatalf("concurrent Ensure returned %q and %q", codes[0], codes[i])
		}
	}
}

func TestEnsureReadsAndTightensExistingFile(t *testing.T) {
	home := t.TempDir()
	if err := os.WriteFile(Path(home), []byte("k3m9q 7tz2a hx4pb w6ndc\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, err := Ensure(home)
	if err != nil {
		t.Fatal(err)
	}
	if code != "K3M9Q-7TZ2A-HX4PB-W6NDC" {
		t.Errorf("code = %q, want the file's code, formatted", code)
	}
	fi, err := os.Stat(Path(home))
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("mode = %o, want 600", got)
	}
}

func TestEnsureRefusesDamagedFile(t *testing.T) {
	home := t.TempDir()
	if err := os.WriteFile(Path(home), []byte("not a code\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Ensure(home); err == nil {
		t.Fatal("Ensure accepted a damaged code file")
	}
	data, _ := os.ReadFile(Path(home))
	if string(data) != "not a code\n" {
		t.Errorf("Ensure changed a damaged file to %q", data)
	}
}

func TestEnsureReplacesEmptyFile(t *testing.T) {
	home := t.TempDir()
	if err := os.WriteFile(Path(home), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	code, err := Ensure(home)
	if err != nil {
		t.Fatal(err)
	}
	if !Valid(code) {
		t.Fatalf("code %q is not valid", code)
	}
}

func TestRotate(t *testing.T) {
	home := t.TempDir()
	old, err := Ensure(home)
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := Rotate(home)
	if err != nil {
		t.Fatal(err)
	}
	if fresh == old {
		t.Fatal("Rotate returned the old code")
	}
	got, err := Ensure(home)
	if err != nil {
		t.Fatal(err)
	}
	if got != fresh {
		t.Errorf("file holds %q after Rotate, want %q", got, fresh)
	}
	fi, err := os.Stat(Path(home))
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("mode after Rotate = %o, want 600", perm)
	}
	entries, _ := os.ReadDir(home)
	if len(entries) != 1 {
		t.Errorf("home holds %d entries after Rotate, want 1", len(entries))
	}
}

func newKeeper(t *testing.T) (*Keeper, string, string) {
	t.Helper()
	home := t.TempDir()
	k, err := NewKeeper(home, zerolog.New(zerolog.NewTestWriter(t)))
	if err != nil {
		t.Fatal(err)
	}
	code, err := Ensure(home)
	if err != nil {
		t.Fatal(err)
	}
	return k, home, code
}

func TestKeeperCheck(t *testing.T) {
	k, _, code := newKeeper(t)
	other, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		code string
		ok   bool
	}{
		{name: "exact", code: code, ok: true},
		{name: "lower case", code: strings.ToLower(code), ok: true},
		{name: "without dashes", code: strings.ReplaceAll(code, "-", ""), ok: true},
		{name: "with spaces", code: " " + strings.ReplaceAll(code, "-", " ") + " ", ok: true},
		{name: "empty", code: "", ok: false},
		{name: "dashes only", code: "-----", ok: false},
		{name: "another code", code: other, ok: false},
		{name: "one symbol short", code: code[:len(code)-1], ok: false},
		{name: "one symbol more", code: code + "0", ok: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gen, ok := k.Check(tt.code)
			if ok != tt.ok {
				t.Errorf("Check(%q) ok = %v, want %v", tt.code, ok, tt.ok)
			}
			if gen != 1 {
				t.Errorf("generation = %d, want 1", gen)
			}
		})
	}
}

func TestKeeperNoticesRotation(t *testing.T) {
	k, home, old := newKeeper(t)
	gen, ok := k.Check(old)
	if !ok {
		t.Fatal("the current code was refused")
	}
	ended := k.Watch(gen)
	select {
	case <-ended:
		t.Fatal("generation ended before any rotation")
	default:
	}
	fresh, err := Rotate(home)
	if err != nil {
		t.Fatal(err)
	}
	k.Refresh()
	select {
	case <-ended:
	default:
		t.Fatal("Watch channel not closed after the code changed")
	}
	if g := k.Generation(); g != gen+1 {
		t.Errorf("generation = %d, want %d", g, gen+1)
	}
	if _, ok := k.Check(old); ok {
		t.Error("the old code is still accepted")
	}
	newGen, ok := k.Check(fresh)
	if !ok || newGen != gen+1 {
		t.Errorf("Check(new code) = %d, %v; want %d, true", newGen, ok, gen+1)
	}
	select {
	case <-k.Watch(gen):
	default:
		t.Error("Watch of an ended generation is not closed")
	}
	select {
	case <-k.Watch(newGen):
		t.Error("Watch of the current generation is closed")
	default:
	}
	// A refresh without a change keeps the generation.
	k.Refresh()
	if g := k.Generation(); g != newGen {
		t.Errorf("generation moved to %d without a change", g)
	}
}

func TestKeeperCheckSeesRotationWithoutRefresh(t *testing.T) {
	k, home, old := newKeeper(t)
	fresh, err := Rotate(home)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := k.Check(old); ok {
		t.Error("old code accepted after Rotate")
	}
	if _, ok := k.Check(fresh); !ok {
		t.Error("new code refused after Rotate")
	}
}

func TestKeeperKeepsCodeWhenFileBreaks(t *testing.T) {
	k, home, code := newKeeper(t)
	tests := []struct {
		name      string
		breakFile func() error
	}{
		{name: "removed", breakFile: func() error { return os.Remove(Path(home)) }},
		{name: "damaged", breakFile: func() error { return os.WriteFile(Path(home), []byte("garbage"), 0o600) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.breakFile(); err != nil {
				t.Fatal(err)
			}
			gen, ok := k.Check(code)
			if !ok || gen != 1 {
				t.Errorf("Check = %d, %v after the file was %s; want 1, true", gen, ok, tt.name)
			}
		})
	}
}
