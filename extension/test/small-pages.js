'use strict';
// Small LinkedIn-shaped pages written inline, for the tests of where the
// extension runs, how fast it badges and what it reports: they need no
// fixture beside the repository.

const PEOPLE = [
  { slug: 'ada-lovelace-1815', name: 'Ada Lovelace', headline: 'Analyst of engines', connected: 'Connected on June 29, 2024' },
  { slug: 'grace-hopper-1906', name: 'Grace Hopper', headline: 'Compiler pioneer at Navy', connected: 'Connected 2 weeks ago' },
  { slug: 'alan-turing', name: 'Alan Turing', headline: 'Codebreaker', connected: 'Connected on March 3, 2020' },
];

// One card in the shape LinkedIn shipped in 2025: a data-view-name wrapper,
// hashed classes, the name in a profile link, a menu button without a name.
function card2025(p, i) {
  return `<div data-view-name="connections-list"><div componentkey="auto-component-${i}" class="_a1b2c3">
    <a class="_x9" data-view-name="connections-profile" href="https://www.linkedin.com/in/${p.slug}/"><img alt="" src="data:,"></a>
    <div class="_d4e5"><a class="_x9" data-view-name="connections-profile" href="https://www.linkedin.com/in/${p.slug}/"><p class="_n1">${p.name}</p><p class="_h2">${p.headline}</p></a>
    ${p.connected ? `<p class="_c3">${p.connected}</p>` : ''}</div>
    <button class="_m4" aria-label="Show more actions" aria-expanded="false"><svg></svg></button>
  </div></div>`;
}

/** connections2025 is a connections page with the given people (default three). */
function connections2025(people = PEOPLE, { title = 'Connections | LinkedIn', lang = 'en' } = {}) {
  return `<!doctype html><html lang="${lang}"><head><title>${title}</title></head><body>
  <nav><a href="https://www.linkedin.com/in/me-myself/">Me</a></nav>
  <main id="workspace"><div><p>${people.length} connections</p></div>
  <div id="list">${people.map(card2025).join('')}</div>
  <aside><h2>People you may know</h2><a href="https://www.linkedin.com/in/pat-suggested-123/">Pat Suggested</a><button>Connect</button></aside>
  </main></body></html>`;
}

/**
 * unknownShape has profile links in its main region in a structure no
 * reader rule recognises as cards: each row links two people.
 */
function unknownShape(people = PEOPLE) {
  const rows = [];
  for (let i = 0; i < people.length; i++) {
    const p = people[i];
    const q = people[(i + 1) % people.length];
    rows.push(`<div class="_r"><span><a href="https://www.linkedin.com/in/${p.slug}/">${p.name}</a> · <a href="https://www.linkedin.com/in/${q.slug}/">${q.name}</a></span><span>${p.headline}</span></div>`);
  }
  return `<!doctype html><html lang="en"><head><title>Connections | LinkedIn</title></head><body><main><div>${rows.join('')}</div></main></body></html>`;
}

/** feed is a LinkedIn page that is not the connections list, with profile links. */
function feed() {
  return `<!doctype html><html lang="en"><head><title>Feed | LinkedIn</title></head><body><main>
  <article><a href="https://www.linkedin.com/in/ada-lovelace-1815/">Ada Lovelace</a><p>posted about engines</p></article>
  <article><a href="https://www.linkedin.com/in/grace-hopper-1906/">Grace Hopper</a><p>shared a compiler</p></article>
  </main></body></html>`;
}

/** bodyOf is what an HTML page holds between its body tags, and its title. */
function parts(html) {
  return { title: /<title>([^<]*)<\/title>/.exec(html)[1], body: /<body[^>]*>([\s\S]*)<\/body>/.exec(html)[1] };
}

module.exports = { PEOPLE, card2025, connections2025, unknownShape, feed, parts };
