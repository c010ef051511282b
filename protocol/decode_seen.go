package protocol

import "unicode/utf8"

// decodeSeenFast reads a contacts_seen as the extension writes it, in one
// pass and with one copy of the message, for the daemon's hot path: a page
// scrolling its list sends one every second or so per tab, about 13 KB for
// 100 cards, and the general decoder (Decode) spent most of the daemon's
// work per batch on it (docs/benchmarks.md, issue 12).
//
// It accepts only a plain subset of what Decode accepts: one object with
// members type ("contacts_seen"), id, locale and contacts, each at most
// once; each contact an object with slug, name, headline and
// connected_text, each at most once; every value a string without escapes
// (an array for contacts); JSON whitespace between tokens. Anything else,
// and any request validate refuses, makes it answer ok == false and the
// caller reads the message again with the general decoder, which says what
// is wrong. So it refuses nothing on its own, and what it accepts, Decode
// accepts as the same request (FuzzDecodeSeenFast checks both).
func decodeSeenFast(data []byte) (req *ContactsSeen, ok bool) {
	p := seenParser{s: string(data)}
	p.ws()
	if !p.eat('{') {
		return nil, false
	}
	r := &ContactsSeen{}
	var haveType, haveID, haveLocale, haveContacts bool
	p.ws()
	if p.eat('}') {
		return nil, false // no type: the general decoder says so
	}
	for {
		p.ws()
		name, ok := p.str()
		if !ok {
			return nil, false
		}
		p.ws()
		if !p.eat(':') {
			return nil, false
		}
		p.ws()
		switch name {
		case "type":
			if haveType {
				return nil, false
			}
			haveType = true
			if r.Type, ok = p.str(); !ok || r.Type != TypeContactsSeen {
				return nil, false
			}
		case "id":
			if haveID {
				return nil, false
			}
			haveID = true
			if r.ID, ok = p.str(); !ok || utf8.RuneCountInString(r.ID) > MaxIDChars {
				return nil, false
			}
		case "locale":
			if haveLocale {
				return nil, false
			}
			haveLocale = true
			if r.Locale, ok = p.str(); !ok {
				return nil, false
			}
		case "contacts":
			if haveContacts {
				return nil, false
			}
			haveContacts = true
			if r.Contacts, ok = p.contacts(); !ok {
				return nil, false
			}
		default:
			return nil, false
		}
		p.ws()
		if p.eat('}') {
			break
		}
		if !p.eat(',') {
			return nil, false
		}
	}
	p.ws()
	if p.i != len(p.s) || !haveType {
		return nil, false
	}
	if r.validate() != nil {
		return nil, false
	}
	return r, true
}

// seenParser reads the subset of JSON decodeSeenFast accepts. Strings it
// returns share the one copy of the message.
type seenParser struct {
	s string
	i int
}

func (p *seenParser) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *seenParser) eat(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// str reads a string without escapes or control characters, in valid
// UTF-8.
func (p *seenParser) str() (string, bool) {
	if !p.eat('"') {
		return "", false
	}
	start := p.i
	ascii := true
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			v := p.s[start:p.i]
			p.i++
			if !ascii && !utf8.ValidString(v) {
				return "", false
			}
			return v, true
		case c == '\\' || c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
		p.i++
	}
	return "", false
}

func (p *seenParser) contacts() ([]SeenContact, bool) {
	if !p.eat('[') {
		return nil, false
	}
	out := make([]SeenContact, 0, 100)
	p.ws()
	if p.eat(']') {
		return out, true
	}
	for {
		p.ws()
		c, ok := p.contact()
		if !ok || len(out) == MaxBatch {
			return nil, false
		}
		out = append(out, c)
		p.ws()
		if p.eat(']') {
			return out, true
		}
		if !p.eat(',') {
			return nil, false
		}
	}
}

func (p *seenParser) contact() (SeenContact, bool) {
	var c SeenContact
	if !p.eat('{') {
		return c, false
	}
	var have [4]bool
	p.ws()
	if p.eat('}') {
		return c, true
	}
	for {
		p.ws()
		name, ok := p.str()
		if !ok {
			return c, false
		}
		p.ws()
		if !p.eat(':') {
			return c, false
		}
		p.ws()
		var field *string
		var k int
		switch name {
		case "slug":
			field, k = &c.Slug, 0
		case "name":
			field, k = &c.Name, 1
		case "headline":
			field, k = &c.Headline, 2
		case "connected_text":
			field, k = &c.ConnectedText, 3
		default:
			return c, false
		}
		if have[k] {
			return c, false
		}
		have[k] = true
		if *field, ok = p.str(); !ok {
			return c, false
		}
		p.ws()
		if p.eat('}') {
			return c, true
		}
		if !p.eat(',') {
			return c, false
		}
	}
}
