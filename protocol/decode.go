package protocol

import (
	"bytes"
	"errors"
	"io"
	"net/url"
	"reflect"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// requestTypes maps each request type to a constructor of its struct.
var requestTypes = map[string]func() Request{
	TypeHello:             func() Request { return &Hello{} },
	TypePing:              func() Request { return &Ping{} },
	TypeContactsSeen:      func() Request { return &ContactsSeen{} },
	TypeNoteAdd:           func() Request { return &NoteAdd{} },
	TypeNoteEdit:          func() Request { return &NoteEdit{} },
	TypeNoteDelete:        func() Request { return &NoteDelete{} },
	TypeTagsSet:           func() Request { return &TagsSet{} },
	TypeFalloutMark:       func() Request { return &FalloutMark{} },
	TypeRemovalIntent:     func() Request { return &RemovalIntent{} },
	TypeRemovalOutcome:    func() Request { return &RemovalOutcome{} },
	TypeContactGet:        func() Request { return &ContactGet{} },
	TypeHistoryGet:        func() Request { return &HistoryGet{} },
	TypeImportConnections: func() Request { return &ImportConnections{} },
	TypeExport:            func() Request { return &Export{} },
	TypeImportJSON:        func() Request { return &ImportJSON{} },
	TypeStatus:            func() Request { return &StatusGet{} },
	TypeReviewSave:        func() Request { return &ReviewSave{} },
	TypeReviewQueue:       func() Request { return &ReviewQueue{} },
	TypeRemovalPlanGet:    func() Request { return &RemovalPlanGet{} },
	TypeRemovalPlanApply:  func() Request { return &RemovalPlanApply{} },
	TypeNetworkSummary:    func() Request { return &NetworkSummaryGet{} },
}

// RequestTypes lists every request type the daemon accepts.
func RequestTypes() []string {
	out := make([]string, 0, len(requestTypes))
	for t := range requestTypes {
		out = append(out, t)
	}
	return out
}

// strict are the decoding rules of every request: names match exactly, a
// member this request does not have is refused, and (jsontext's defaults)
// a repeated member or invalid UTF-8 is too.
var strict = json.JoinOptions(json.RejectUnknownMembers(true))

// Decode reads one request from a client and validates it. On failure it
// returns the request's id, when it could be read, and an *Error saying what
// is wrong. A valid request comes back normalized: slugs canonical, tags
// folded, strings trimmed, cursor and since parsed.
//
// The message is read twice: a scan of its top-level members for "type"
// and "id" (which also checks its syntax and UTF-8 without building
// anything), then one strict decode into the request's struct. A plain
// contacts_seen, the daemon's most frequent request by far, is first tried
// in one pass (decode_seen.go), which accepts nothing Decode would refuse.
func Decode(data []byte) (Request, string, error) {
	if req, ok := decodeSeenFast(data); ok {
		return req, req.ID, nil
	}
	return decodeGeneral(data)
}

// decodeGeneral is Decode for every request and every mistake.
func decodeGeneral(data []byte) (Request, string, error) {
	typ, id, err := scanHead(data)
	if err != nil {
		return nil, id, err
	}
	newReq, ok := requestTypes[typ]
	if !ok {
		return nil, id, Errorf(CodeUnknownType, "%q is not a request this daemon knows.", clip(typ, 40))
	}
	req := newReq()
	if err := json.Unmarshal(data, req, strict); err != nil {
		return nil, id, fieldError(err)
	}
	if v, ok := req.(interface{ validate() error }); ok {
		if err := v.validate(); err != nil {
			return nil, id, err
		}
	}
	return req, id, nil
}

// scanHead reads the type and the id of a message: one JSON object, and
// nothing after it.
func scanHead(data []byte) (typ, id string, err error) {
	dec := jsontext.NewDecoder(bytes.NewReader(data))
	if dec.PeekKind() != '{' {
		if !utf8.Valid(data) {
			return "", "", Errorf(CodeBadJSON, "The message is not valid UTF-8.")
		}
		return "", "", Errorf(CodeBadJSON, "A message must be one JSON object.")
	}
	if _, err := dec.ReadToken(); err != nil {
		return "", "", syntaxError(err)
	}
	var rawType, rawID jsontext.Value
	for dec.PeekKind() != '}' {
		tok, err := dec.ReadToken()
		if err != nil {
			return "", "", syntaxError(err)
		}
		name := tok.String() // valid only until the next read
		v, err := dec.ReadValue()
		if err != nil {
			return "", "", syntaxError(err)
		}
		switch name {
		case "type":
			rawType = v.Clone()
		case "id":
			rawID = v.Clone()
		}
	}
	if _, err := dec.ReadToken(); err != nil {
		return "", "", syntaxError(err)
	}
	if _, err := dec.ReadToken(); err != io.EOF {
		return "", "", Errorf(CodeBadJSON, "A message must be exactly one JSON object.")
	}
	if rawID != nil && rawID.Kind() != 'n' {
		if rawID.Kind() != '"' || json.Unmarshal(rawID, &id) != nil {
			return "", "", Errorf(CodeInvalidField, "Field id must be a string.")
		}
		if utf8.RuneCountInString(id) > MaxIDChars {
			return "", "", Errorf(CodeInvalidField, "Field id is longer than %d characters.", MaxIDChars)
		}
	}
	if rawType == nil || rawType.Kind() == 'n' {
		return "", id, Errorf(CodeMissingField, "Field type is missing.")
	}
	if rawType.Kind() != '"' || json.Unmarshal(rawType, &typ) != nil {
		return "", id, Errorf(CodeInvalidField, "Field type must be a string.")
	}
	return typ, id, nil
}

// syntaxError turns jsontext's structured error into the client's sentence.
func syntaxError(err error) error {
	var se *jsontext.SyntacticError
	if errors.As(err, &se) {
		switch {
		case errors.Is(se.Err, jsontext.ErrDuplicateName):
			return Errorf(CodeBadJSON, "Field %s appears twice.", clip(pointerField(se.JSONPointer), 60))
		case strings.Contains(se.Err.Error(), "invalid UTF-8"):
			return Errorf(CodeBadJSON, "The message is not valid UTF-8.")
		case errors.Is(se.Err, io.ErrUnexpectedEOF):
			return Errorf(CodeBadJSON, "The message is not valid JSON: it ends too early.")
		}
		return Errorf(CodeBadJSON, "The message is not valid JSON: syntax error at byte %d.", se.ByteOffset)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return Errorf(CodeBadJSON, "The message is not valid JSON: it ends too early.")
	}
	return Errorf(CodeBadJSON, "The message is not valid JSON.")
}

// pointerField writes a JSON pointer (/contacts/0/name) as contacts.0.name.
func pointerField(p jsontext.Pointer) string {
	return strings.ReplaceAll(strings.TrimPrefix(string(p), "/"), "/", ".")
}

// fieldError turns a strict decode's error into the client's sentence: an
// unknown member, or a value of the wrong JSON type.
func fieldError(err error) error {
	var sem *json.SemanticError
	if errors.As(err, &sem) {
		field := pointerField(sem.JSONPointer)
		if errors.Is(sem.Err, json.ErrUnknownName) {
			return Errorf(CodeUnknownField, "Field %q is not part of this request.", clip(field, 60))
		}
		if field == "" {
			return Errorf(CodeBadJSON, "A message must be one JSON object.")
		}
		return Errorf(CodeInvalidField, "Field %s must be %s, not %s.", clip(field, 60), jsonKind(sem.GoType), kindName(sem.JSONKind))
	}
	return syntaxError(err)
}

func jsonKind(t reflect.Type) string {
	if t == nil {
		return "of another type"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int64, reflect.Uint64, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "of another type"
}

func kindName(k jsontext.Kind) string {
	switch k {
	case '"':
		return "a string"
	case '0':
		return "a number"
	case 't', 'f':
		return "true or false"
	case 'n':
		return "null"
	case '[':
		return "a list"
	case '{':
		return "an object"
	}
	return "something else"
}

// Clip shortens s to n characters, marking the cut with "…": for quoting
// what a client or a file sent in a message about it.
func Clip(s string, n int) string { return clip(s, n) }

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// CanonicalSlug turns the path segment after /in/ of a profile URL into the
// key tactful files a contact under: percent-decoded and lower-case, so that
// /in/Jos%C3%A9-x/ and /in/josé-x/ are one person. It refuses anything that
// is not a plain profile slug: LinkedIn slugs are 3 to 100 letters, digits,
// hyphens and underscores, which also rules out path tricks such as "../".
func CanonicalSlug(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", Errorf(CodeMissingField, "Field slug is missing.")
	}
	if strings.Contains(s, "%") {
		dec, err := url.PathUnescape(s)
		if err != nil || !utf8.ValidString(dec) {
			return "", Errorf(CodeInvalidSlug, "The slug %q has a broken percent-encoding.", clip(s, 60))
		}
		s = dec
	}
	s = strings.ToLower(s)
	n := utf8.RuneCountInString(s)
	if n < 3 || n > 100 {
		return "", Errorf(CodeInvalidSlug, "A profile slug has 3 to 100 characters; %q has %d.", clip(s, 60), n)
	}
	for _, r := range s {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || r == '-' || r == '_') {
			return "", Errorf(CodeInvalidSlug, "%q is not a profile slug: only letters, digits, - and _ may appear.", clip(s, 60))
		}
	}
	return s, nil
}

// NormalizeTag folds a tag to the form it is stored in: trimmed, lower-case,
// inner spaces as hyphens.
func NormalizeTag(raw string) (string, error) {
	t := strings.ToLower(strings.Join(strings.Fields(raw), "-"))
	if t == "" {
		return "", Errorf(CodeInvalidField, "A tag cannot be empty.")
	}
	if utf8.RuneCountInString(t) > MaxTagChars {
		return "", Errorf(CodeInvalidField, "A tag has at most %d characters.", MaxTagChars)
	}
	if strings.ContainsFunc(t, isHiddenControl) {
		return "", Errorf(CodeInvalidField, "A tag cannot hold control characters.")
	}
	return t, nil
}

func slugField(s *string) error {
	c, err := CanonicalSlug(*s)
	if err != nil {
		return err
	}
	*s = c
	return nil
}

// textField trims a one-line field and checks it with CheckLine.
func textField(name string, s *string, required bool, max int) error {
	*s = strings.TrimSpace(*s)
	if required && *s == "" {
		return Errorf(CodeMissingField, "Field %s is missing.", name)
	}
	return CheckLine(name, *s, max)
}

func noteText(s *string) error {
	*s = NormalizeNoteText(*s)
	return CheckNoteText("text", *s)
}

func noteID(s *string) error {
	*s = strings.TrimSpace(*s)
	return CheckNoteID(*s)
}

func (r *Hello) validate() error {
	if r.Protocol == 0 {
		return Errorf(CodeMissingField, "Field protocol is missing: say which protocol version the client speaks.")
	}
	if err := textField("client", &r.Client, false, MaxIDChars); err != nil {
		return err
	}
	if err := textField("client_version", &r.ClientVersion, false, MaxIDChars); err != nil {
		return err
	}
	return textField("pairing_code", &r.PairingCode, false, 200)
}

func (r *ContactsSeen) validate() error {
	if r.Contacts == nil {
		return Errorf(CodeMissingField, "Field contacts is missing.")
	}
	if len(r.Contacts) > MaxBatch {
		return Errorf(CodeBatchTooLarge, "At most %d contacts fit in one batch; this one has %d. Split it.", MaxBatch, len(r.Contacts))
	}
	if err := textField("locale", &r.Locale, false, 35); err != nil {
		return err
	}
	for i := range r.Contacts {
		c := &r.Contacts[i]
		if err := slugField(&c.Slug); err != nil {
			return err
		}
		if err := textField("name", &c.Name, true, MaxNameChars); err != nil {
			return err
		}
		if err := textField("headline", &c.Headline, false, MaxNameChars); err != nil {
			return err
		}
		if err := textField("connected_text", &c.ConnectedText, false, MaxNameChars); err != nil {
			return err
		}
	}
	return nil
}

func (r *NoteAdd) validate() error {
	if err := slugField(&r.Slug); err != nil {
		return err
	}
	if err := noteID(&r.NoteID); err != nil {
		return err
	}
	return noteText(&r.Text)
}

func (r *NoteEdit) validate() error {
	if err := slugField(&r.Slug); err != nil {
		return err
	}
	if err := noteID(&r.NoteID); err != nil {
		return err
	}
	return noteText(&r.Text)
}

func (r *NoteDelete) validate() error {
	if err := slugField(&r.Slug); err != nil {
		return err
	}
	return noteID(&r.NoteID)
}

func (r *TagsSet) validate() error {
	if err := slugField(&r.Slug); err != nil {
		return err
	}
	if r.Tags == nil && r.Status == nil {
		return Errorf(CodeMissingField, "Say tags, status, or both.")
	}
	if r.Tags != nil {
		tags, err := NormalizeTags(*r.Tags)
		if err != nil {
			return err
		}
		*r.Tags = tags
	}
	if r.Status != nil && !r.Status.Valid() {
		return Errorf(CodeInvalidField, "%q is not a status; use one of keep, reviewing, unfollowed, removal_planned, removed, or \"\".", clip(string(*r.Status), 40))
	}
	return nil
}

func (r *FalloutMark) validate() error {
	if err := slugField(&r.Slug); err != nil {
		return err
	}
	if r.Days < 0 || r.Days > 365 {
		return Errorf(CodeInvalidField, "Field days must be between 1 and 365.")
	}
	r.Text = NormalizeNoteText(r.Text)
	if r.Text == "" {
		return nil
	}
	return checkMultiline("text", r.Text)
}

func (r *RemovalIntent) validate() error { return slugField(&r.Slug) }

func (r *RemovalOutcome) validate() error {
	if err := slugField(&r.Slug); err != nil {
		return err
	}
	if r.Outcome == "" {
		return Errorf(CodeMissingField, "Field outcome is missing.")
	}
	if !r.Outcome.Valid() {
		return Errorf(CodeInvalidField, "%q is not an outcome; use removed, kept or unfollowed.", clip(string(r.Outcome), 40))
	}
	return nil
}

func (r *ContactGet) validate() error { return slugField(&r.Slug) }

func (r *HistoryGet) validate() error {
	if r.Slug != "" {
		if err := slugField(&r.Slug); err != nil {
			return err
		}
	}
	if len(r.Kinds) == 0 {
		r.Kinds = nil // no filter, however it was said
	}
	for _, k := range r.Kinds {
		if !k.Valid() {
			return Errorf(CodeInvalidField, "%q is not a kind of event.", clip(string(k), 40))
		}
	}
	if err := textField("query", &r.Query, false, MaxQueryChars); err != nil {
		return err
	}
	r.Before = EventID{}
	if r.Cursor != "" {
		before, err := ParseEventID(r.Cursor)
		if err != nil {
			return Errorf(CodeInvalidField, "Field cursor must be a next_cursor the daemon gave.")
		}
		r.Before = before
	}
	r.SinceDay = time.Time{}
	if r.Since != "" {
		day, err := time.Parse(time.DateOnly, r.Since)
		if err != nil {
			return Errorf(CodeInvalidField, "Field since must be a date like 2026-01-31.")
		}
		r.SinceDay = day
	}
	if r.Limit < 0 || r.Limit > MaxHistoryLimit {
		return Errorf(CodeInvalidField, "Field limit must be between 1 and %d.", MaxHistoryLimit)
	}
	if r.Limit == 0 {
		r.Limit = DefaultHistoryLimit
	}
	return nil
}

func (r *ImportConnections) validate() error {
	if strings.TrimSpace(r.CSV) == "" {
		return Errorf(CodeMissingField, "Field csv is missing: send the text of Connections.csv.")
	}
	return nil
}

func (r *ImportJSON) validate() error {
	if strings.TrimSpace(r.Data) == "" {
		return Errorf(CodeMissingField, "Field data is missing: send the text of a tactful JSON export.")
	}
	return nil
}

func (r *Export) validate() error {
	switch r.Format {
	case "":
		r.Format = "json"
	case "json", "csv":
	default:
		return Errorf(CodeInvalidField, "Field format must be json or csv.")
	}
	return nil
}
