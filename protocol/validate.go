package protocol

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// This file holds the one check of each value the daemon accepts, whether it
// comes from the page (Decode), from a file (LinkedIn's CSV, a tactful
// export) or is about to be stored. Every caller uses these; none keeps a
// copy of a rule.

// isHiddenControl reports whether r can change what a terminal or a page
// shows instead of being shown: C0 and C1 controls, DEL, and the Unicode
// bidirectional embeddings, overrides and isolates that reorder the text
// around them (the "Trojan Source" characters).
func isHiddenControl(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, 0x80 <= r && r <= 0x9f:
		return true
	case 0x202a <= r && r <= 0x202e, 0x2066 <= r && r <= 0x2069:
		return true
	}
	return false
}

// CheckLine checks a one-line text field (a name, a headline, a company): at
// most max characters, no control or bidi override characters. The message
// names field.
func CheckLine(field, s string, max int) error {
	if !utf8.ValidString(s) {
		return Errorf(CodeInvalidField, "Field %s is not UTF-8 text.", field)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return Errorf(CodeInvalidField, "Field %s is longer than %d characters.", field, max)
	}
	if i := strings.IndexFunc(s, isHiddenControl); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		return Errorf(CodeInvalidField, "Field %s holds the control character U+%04X; names, headlines and tags are plain text.", field, r)
	}
	return nil
}

// CheckNoteText checks the text of a note (or a fall-out remark): some text,
// at most MaxNoteChars characters, lines and tabs allowed, no other control
// or bidi override characters.
func CheckNoteText(field, s string) error {
	if strings.TrimSpace(s) == "" {
		return Errorf(CodeMissingField, "A note needs some text.")
	}
	return checkMultiline(field, s)
}

func checkMultiline(field, s string) error {
	if !utf8.ValidString(s) {
		return Errorf(CodeInvalidField, "Field %s is not UTF-8 text.", field)
	}
	if n := utf8.RuneCountInString(s); n > MaxNoteChars {
		return Errorf(CodeNoteTooLarge, "A note has at most %d characters; this one has %d.", MaxNoteChars, n)
	}
	if i := strings.IndexFunc(s, func(r rune) bool { return r != '\n' && r != '\t' && isHiddenControl(r) }); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		return Errorf(CodeInvalidField, "Field %s holds the control character U+%04X; only lines and tabs may break the text.", field, r)
	}
	return nil
}

// NormalizeNoteText trims a note and turns Windows line ends into "\n".
func NormalizeNoteText(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
}

// CheckNoteID checks a client-chosen note id: 1 to MaxIDChars ASCII letters,
// digits and - _ . : (bytes and characters are the same thing here).
func CheckNoteID(id string) error {
	if id == "" {
		return Errorf(CodeMissingField, "Field note_id is missing.")
	}
	if len(id) > MaxIDChars {
		return Errorf(CodeInvalidField, "Field note_id is longer than %d characters.", MaxIDChars)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return Errorf(CodeInvalidField, "Field note_id may hold only ASCII letters, digits and - _ . :")
		}
	}
	return nil
}

// CheckSlug accepts only a slug already in its canonical form (what
// CanonicalSlug returns): stored and exported slugs are never raw.
func CheckSlug(slug string) error {
	canonical, err := CanonicalSlug(slug)
	if err != nil {
		return err
	}
	if canonical != slug {
		return Errorf(CodeInvalidSlug, "The slug %q is not in its canonical form %q.", clip(slug, 60), canonical)
	}
	return nil
}

// CheckDay accepts "" or a calendar day YYYY-MM-DD.
func CheckDay(field, day string) error {
	if day == "" {
		return nil
	}
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		return Errorf(CodeInvalidField, "Field %s must be a date like 2026-01-31.", field)
	}
	return nil
}

// NormalizeTags folds each tag (NormalizeTag), drops repeats and refuses
// more than MaxTags.
func NormalizeTags(raw []string) ([]string, error) {
	if len(raw) > MaxTags {
		return nil, Errorf(CodeInvalidField, "A contact has at most %d tags.", MaxTags)
	}
	out := make([]string, 0, len(raw))
	for _, r := range raw {
		t, err := NormalizeTag(r)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// Validate checks a contact as a store holds it and an export carries it,
// and normalizes what has one right form: tags folded, empty lists non-nil.
func (c *Contact) Validate() error {
	if err := CheckSlug(c.Slug); err != nil {
		return err
	}
	for _, f := range []struct {
		name, value string
	}{{"name", c.Name}, {"headline", c.Headline}, {"company", c.Company}, {"position", c.Position}, {"connected_text", c.ConnectedText}} {
		if err := CheckLine(f.name, f.value, MaxNameChars); err != nil {
			return err
		}
	}
	if err := CheckDay("connected_on", c.ConnectedOn); err != nil {
		return err
	}
	if err := CheckDay("cooldown_until", c.CooldownUntil); err != nil {
		return err
	}
	switch c.ConnectedSource {
	case "", DateFromPageRelative, DateFromImport, DateFromPageAbsolute:
	default:
		return Errorf(CodeInvalidField, "%q is not a source of a connection date.", clip(string(c.ConnectedSource), 40))
	}
	if !c.Status.Valid() {
		return Errorf(CodeInvalidField, "%q is not a status.", clip(string(c.Status), 40))
	}
	tags, err := NormalizeTags(c.Tags)
	if err != nil {
		return err
	}
	c.Tags = tags
	if c.Notes == nil {
		c.Notes = []Note{}
	}
	for i, n := range c.Notes {
		if err := CheckNoteID(n.ID); err != nil {
			return err
		}
		if err := CheckNoteText("text", n.Text); err != nil {
			return err
		}
		if slices.ContainsFunc(c.Notes[:i], func(o Note) bool { return o.ID == n.ID }) {
			return Errorf(CodeConflict, "Contact %s has two notes with the id %s.", c.Slug, n.ID)
		}
	}
	if c.Review != nil {
		return c.Review.Validate()
	}
	return nil
}

// Validate checks an event as a store holds it and an export carries it.
// Every event belongs to one contact and has its id.
func (e *Event) Validate() error {
	if e.ID.IsZero() {
		return Errorf(CodeMissingField, "An event has no id.")
	}
	if err := CheckEventTime(e.At); err != nil {
		return err
	}
	// History pages stop at the first id before the day asked for, so an
	// id may never claim an earlier time than its event's.
	if e.ID.UnixNano() < e.At.UnixNano() {
		return Errorf(CodeInvalidField, "Event %s carries a time before the event's own.", e.ID)
	}
	if !e.Kind.Valid() {
		return Errorf(CodeInvalidField, "%q is not a kind of event.", clip(string(e.Kind), 40))
	}
	if err := CheckSlug(e.Slug); err != nil {
		return err
	}
	if err := CheckLine("name", e.Name, MaxNameChars); err != nil {
		return err
	}
	if err := CheckLine("summary", e.Summary, MaxNameChars); err != nil {
		return err
	}
	if e.Text != "" {
		if err := checkMultiline("text", e.Text); err != nil {
			return err
		}
	}
	if e.NoteID != "" {
		if err := CheckNoteID(e.NoteID); err != nil {
			return err
		}
	}
	if len(e.Tags) > 0 {
		tags, err := NormalizeTags(e.Tags)
		if err != nil {
			return err
		}
		e.Tags = tags
	}
	if !e.Status.Valid() {
		return Errorf(CodeInvalidField, "%q is not a status.", clip(string(e.Status), 40))
	}
	if e.Outcome != "" && !e.Outcome.Valid() {
		return Errorf(CodeInvalidField, "%q is not an outcome.", clip(string(e.Outcome), 40))
	}
	if e.Decision != "" && !e.Decision.Valid() {
		return Errorf(CodeInvalidField, "%q is not a decision.", clip(string(e.Decision), 40))
	}
	if err := CheckDay("on", e.On); err != nil {
		return err
	}
	return CheckDay("until", e.Until)
}

// Describe names a record for an error message about a file: "contact 12
// (ada-lovelace-1815)".
func Describe(what string, n int, slug string) string {
	if slug == "" {
		return fmt.Sprintf("%s %d", what, n)
	}
	return fmt.Sprintf("%s %d (%s)", what, n, clip(slug, 60))
}

// CheckArchive refuses an export that is not tactful's, or that a newer
// tactful wrote (see ArchiveVersion).
func CheckArchive(format string, version int) error {
	if format != ArchiveFormat {
		return Errorf(CodeInvalidField, "This file is not a tactful export (format %q).", clip(format, 40))
	}
	if version < 1 {
		return Errorf(CodeInvalidField, "This tactful export has no valid version number.")
	}
	if version > ArchiveVersion {
		return Errorf(CodeInvalidField,
			"This export was written by a newer tactful (export version %d); this one reads up to version %d. Update tactful to import it.",
			version, ArchiveVersion)
	}
	return nil
}
