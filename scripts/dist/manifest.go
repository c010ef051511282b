package main

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// storeDrops are the manifest keys each store's package leaves out. One
// manifest serves both browsers in development; a store gets only its own:
//
//   - key pins the extension id for unpacked development builds; the Chrome
//     Web Store refuses a manifest with it ("key field is not allowed") and
//     assigns the listing's own id, and Firefox does not read it.
//   - Chrome ignores browser_specific_settings and background.scripts,
//     Firefox minimum_chrome_version and background.service_worker.
var storeDrops = map[string]struct{ top, background []string }{
	"chrome":  {top: []string{"key", "browser_specific_settings"}, background: []string{"scripts"}},
	"firefox": {top: []string{"key", "minimum_chrome_version"}, background: []string{"service_worker"}},
}

// StoreManifest returns manifest.json for store ("chrome" or "firefox"):
// the same keys in the same order, less what the store does not read,
// indented with two spaces.
func StoreManifest(manifest []byte, store string) ([]byte, error) {
	drops, ok := storeDrops[store]
	if !ok {
		return nil, fmt.Errorf("no store %q", store)
	}
	top, err := orderedObject(manifest)
	if err != nil {
		return nil, fmt.Errorf("manifest.json: %w", err)
	}
	top = without(top, drops.top)
	for i, m := range top {
		if m.Key != "background" {
			continue
		}
		bg, err := orderedObject(m.Value)
		if err != nil {
			return nil, fmt.Errorf("manifest.json background: %w", err)
		}
		if top[i].Value, err = encodeObject(without(bg, drops.background)); err != nil {
			return nil, err
		}
	}
	out, err := encodeObject(top)
	if err != nil {
		return nil, err
	}
	var indented bytes.Buffer
	if err := json.Indent(&indented, out, "", "  "); err != nil {
		return nil, err
	}
	indented.WriteByte('\n')
	return indented.Bytes(), nil
}

type member struct {
	Key   string
	Value json.RawMessage
}

// orderedObject reads a JSON object's members in their order.
func orderedObject(data []byte) ([]member, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object")
	}
	var out []member
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("unexpected %v", tok)
		}
		var v json.RawMessage
		if err := d.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, member{key, v})
	}
	if _, err := d.Token(); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, fmt.Errorf("data after the object")
	}
	return out, nil
}

func without(ms []member, keys []string) []member {
	var out []member
next:
	for _, m := range ms {
		for _, k := range keys {
			if m.Key == k {
				continue next
			}
		}
		out = append(out, m)
	}
	return out
}

func encodeObject(ms []member) (json.RawMessage, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(m.Key)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		var compact bytes.Buffer
		if err := json.Compact(&compact, m.Value); err != nil {
			return nil, err
		}
		b.Write(compact.Bytes())
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
