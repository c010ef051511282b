// The profile slug: the key tactful files every contact under. This is
// protocol.CanonicalSlug in JavaScript (test/slug.test.js runs it against
// protocol/testdata/slugs.json), so the extension and the daemon agree on who
// is who before anything is sent.
//
// Loaded as a classic script (content scripts, the background) and as a
// CommonJS module (node --test).
(function (root) {
  'use strict';

  // Go's strings.TrimSpace trims Unicode White_Space; JavaScript's trim also
  // trims U+FEFF, which Go keeps.
  const space = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;
  const allowed = /^[\p{L}\p{Nd}\p{Mn}_-]+$/u;

  class SlugError extends Error {
    constructor(code, message) {
      super(message);
      this.code = code;
    }
  }

  // lower folds one code point at a time, as Go's unicode.ToLower does:
  // no final-sigma rule, and "İ" becomes "i", not "i̇".
  function lower(s) {
    let out = '';
    for (const ch of s) {
      const l = ch.toLowerCase();
      out += [...l].length === 1 ? l : [...l][0];
    }
    return out;
  }

  /**
   * canonicalSlug returns the canonical slug of raw (the path segment after
   * /in/) or throws a SlugError with code "missing_field" or "invalid_slug".
   */
  function canonicalSlug(raw) {
    let s = String(raw ?? '').replace(space, '');
    if (s === '') throw new SlugError('missing_field', 'Field slug is missing.');
    if (s.includes('%')) {
      try {
        s = decodeURIComponent(s);
      } catch {
        throw new SlugError('invalid_slug', `The slug "${s.slice(0, 60)}" has a broken percent-encoding.`);
      }
    }
    s = lower(s);
    const n = [...s].length;
    if (n < 3 || n > 100) throw new SlugError('invalid_slug', `A profile slug has 3 to 100 characters; this one has ${n}.`);
    if (!allowed.test(s)) throw new SlugError('invalid_slug', 'Only letters, digits, - and _ may appear in a profile slug.');
    return s;
  }

  /** slugOrNull is canonicalSlug that answers null instead of throwing. */
  function slugOrNull(raw) {
    try {
      return canonicalSlug(raw);
    } catch {
      return null;
    }
  }

  /**
   * slugFromHref reads the canonical slug of a LinkedIn profile link
   * ("/in/ada-lovelace-1815/", "https://www.linkedin.com/in/ada/?mini=1"),
   * or null when href is not a profile link.
   */
  // A link to a profile: relative, protocol-relative or absolute on a
  // linkedin.com host, the path exactly /in/<slug>/ (a query or fragment
  // allowed). Parsed by hand: URL objects are slow to make thousands of.
  const PROFILE = /^(?:(?:https?:)?\/\/(?:[a-z0-9-]+\.)*linkedin\.com(?::\d+)?)?\/in\/([^/?#]+)\/?(?:[?#].*)?$/i;

  function slugFromHref(href) {
    if (!href) return null;
    const m = PROFILE.exec(String(href).trim());
    return m ? slugOrNull(m[1]) : null;
  }

  /** profileURL is the public profile address of a canonical slug. */
  function profileURL(slug) {
    return 'https://www.linkedin.com/in/' + encodeURIComponent(slug) + '/';
  }

  const api = { canonicalSlug, slugOrNull, slugFromHref, profileURL, SlugError };
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.tactful = Object.assign(root.tactful || {}, { slug: api });
})(globalThis);
