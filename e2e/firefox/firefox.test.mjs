// End to end in a real headless Firefox ESR: the real extension, installed as
// a temporary add-on, with the real daemon built from this repository,
// against the repository's LinkedIn-shaped pages served at LinkedIn's
// address. A person pairs through the options page, sees every card
// annotated, writes a note through a card's composer, opens "Remove
// connection" and sees the reminder, cancels (kept), confirms (removed) and
// presses Escape (kept), on each of the three page shapes, and finds them in
// the popup's history. Every click and key is a real input event.
//
// Run: make test-firefox (or node --test e2e/firefox/). Without Firefox ESR
// it skips, except in CI or as root, where it fails: there it can be
// installed (make deps).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import process from 'node:process';

import {
  clickElement, firefoxPath, inPage, linkedinPage, openConnections, openExtensionPage,
  navigate, press, startDaemon, startFirefox, typeText, waitFor,
} from './firefox.mjs';

const executable = firefoxPath();
const mustRun = process.env.CI === 'true' || process.getuid?.() === 0;
const skip = !executable && !mustRun
  ? 'no Firefox ESR: install Debian\'s firefox-esr (make deps) or set TACTFUL_FIREFOX'
  : false;

// The page shapes, under e2e/testdata/linkedin; each runs the note and the
// removal flows.
const shapes = [
  { name: 'classic', file: 'classic.html' },
  { name: 'sdui', file: 'sdui.html' },
  { name: '2025', file: '2025.html' },
];

// A hang must not hold up make test: the whole run gets five minutes.
describe('Firefox ESR with the real extension and daemon', { skip, timeout: 300_000 }, () => {
  let daemon;
  let browser;
  let paired = false; // the rest needs it: without it, fail at once rather than time out
  const needPaired = () => assert.ok(paired, 'the extension never paired with the daemon (see the pairing test)');
  const log = (line) => { if (process.env.TACTFUL_FIREFOX_LOG) console.log(line); };

  before(async () => {
    if (!executable) throw new Error('no Firefox ESR at /usr/bin/firefox-esr (CI and root runs must have it: make deps)');
    daemon = await startDaemon();
    browser = await startFirefox(executable);
  });

  after(async () => {
    await browser?.close();
    await daemon?.stop();
  });

  /** The daemon's whole record, as `tactful export` writes it. */
  const archive = () => JSON.parse(daemon.cli('export', '--format', 'json'));
  /** The ids of the events recorded so far (an event's id is its identity). */
  const eventsSoFar = () => new Set(archive().events.map((e) => e.id));
  /** slug's outcomes recorded since the events in before. */
  const outcomes = (slug, before) => archive().events.filter((e) => e.kind === 'outcome' && e.slug === slug && !before.has(e.id)).map((e) => e.outcome);
  // A note and a removal change a person for good (the note count, the
  // removed status), so each shape takes people no shape noted or removed.
  // Kept and Escape leave nothing the checks read (outcomes are told apart
  // by id), so a later shape may keep someone again: the 2025 page shows
  // only its first 12 people until scrolled.
  const changed = new Set();

  test('pairs through the options page, by typing the code', async () => {
    const opts = await openExtensionPage(browser, 'options/options.html', log);
    // The page fills the address from the background's state; wait for it,
    // or it may overwrite what we type.
    await waitFor('the connection state line', () =>
      inPage(opts, null, () => norm(document.querySelector('[data-role="connection-status"]')?.textContent)));
    // The field a <label> with this text names.
    const labelled = (_, text) => {
      const forID = [...document.querySelectorAll('label')].find((x) => norm(x.textContent) === text)?.htmlFor;
      return forID ? document.getElementById(forID) : null;
    };
    await clickElement(opts, 'the Pairing code field', labelled, { args: ['Pairing code'] });
    await typeText(opts, daemon.code);
    await clickElement(opts, 'the Daemon address field', labelled, { args: ['Daemon address'] });
    await press(opts, 'Control+A'); // select what the page filled in, then type over it
    await press(opts, 'Backspace');
    await typeText(opts, daemon.addr);
    await clickElement(opts, 'the Pair button', () => shownControls(/^Pair$/)[0]);
    const result = await waitFor('the pairing result', async (note) => {
      const r = await inPage(opts, null, () => {
        const p = document.querySelector('[data-role="pairing-form"] [role="status"]');
        return { outcome: p?.dataset.outcome ?? '', text: norm(p?.textContent) };
      });
      note(`${r.outcome}: ${r.text}`);
      return r.outcome === 'success' || r.outcome === 'error' ? r : null;
    });
    assert.equal(result.outcome, 'success', `pairing failed: ${result.text}`);
    paired = true;
    await waitFor('the options page to say it is connected', (note) => inPage(opts, null, () =>
      norm(document.querySelector('[data-role="connection-status"]')?.textContent)).then((s) => { note(s); return /^Connected to tactful on /.test(s); }));
    await opts.close();
  });

  for (const shape of shapes) {
    describe(`the ${shape.name} page`, () => {
      let tab;
      let page;
      const who = {}; // note, kept, removed, escaped: profile slugs of this page's cards

      before(async () => {
        needPaired();
        tab = await openConnections(browser, linkedinPage(shape.file), log);
        page = tab.page;
      });
      after(async () => {
        if (tab?.refused.length) log(`refused: ${tab.refused.join(' ')}`);
        await page?.close();
      });

      test('every card gets one badge host in a closed shadow root, with the daemon\'s answer', async () => {
        const report = () => inPage(page, 'card', (hosts) => {
          // A connection card is what holds a "Connected …" line.
          const lines = [...document.querySelectorAll('body *')].filter((el) =>
            !el.closest('[data-tactful]') && [...el.childNodes].some((n) => n.nodeType === 3 && /^Connected\b/.test(norm(n.textContent))));
          const cards = lines.map((line) => {
            let c = line;
            while (c.parentElement && !hosts.some((h) => c.contains(h.host)) && c.parentElement !== document.body) c = c.parentElement;
            return c;
          });
          const problems = [];
          cards.forEach((c, i) => {
            const inside = hosts.filter((h) => c.contains(h.host));
            if (inside.length !== 1) problems.push(`card ${i + 1} (${norm(lines[i].textContent)}) has ${inside.length} hosts`);
          });
          for (const h of hosts) {
            if (h.mode !== 'closed') problems.push(`a host whose shadow root is ${h.mode}`);
            else if (!h.root.querySelector('[data-role="add-note"]')) problems.push('a host without an Add note button');
            // The daemon's answer is drawn once the host is no longer busy; on
            // a first visit it may hold no badge at all (nothing to say yet).
            else if (h.host.hasAttribute('aria-busy')) problems.push('a host still waiting for the daemon');
          }
          const slugs = cards.map((c) => profileLinks(c).map(slugOf).find(Boolean));
          return { cards: cards.length, hosts: hosts.length, problems, slugs };
        });
        const r = await waitFor('the daemon\'s annotation on every card', async (note) => {
          const x = await report();
          note(JSON.stringify(x));
          return x.cards > 0 && x.hosts === x.cards && x.problems.length === 0 ? x : null;
        });
        log(`${shape.name}: ${r.cards} cards annotated`);
        // Plain slugs (no percent-escapes), a different person for each role.
        const free = r.slugs.filter((x) => x && /^[a-z0-9-]+$/.test(x) && !changed.has(x));
        const roles = ['note', 'removed', 'kept', 'escaped'];
        assert.ok(free.length >= roles.length, `too few cards nobody noted or removed yet: ${r.slugs}`);
        roles.forEach((role, i) => { who[role] = free[i]; });
        changed.add(who.note);
        changed.add(who.removed);
      });

      test('a note typed into the card\'s composer reaches the daemon and the badge', async () => {
        const text = `Met at the COBOL meetup, in Firefox (${shape.name})`;
        // What LinkedIn's scripts could hear: capture-phase listeners on
        // window and document, in the page's own world, for every key,
        // input and composition event (SECURITY.md, "Typing a note").
        await inPage(page, null, () => {
          const log = (window.__tactfulKeyLog = []);
          for (const target of [window, document]) {
            for (const type of ['keydown', 'keypress', 'keyup', 'beforeinput', 'input', 'change', 'compositionstart', 'compositionupdate', 'compositionend']) {
              target.addEventListener(type, (ev) => log.push(`${type} ${ev.key ?? ev.data ?? ''}`), true);
            }
          }
          document.activeElement?.blur();
          return true;
        });
        // They work: a key typed on the page itself is heard.
        await press(page, 'KeyQ');
        assert.ok((await inPage(page, null, () => window.__tactfulKeyLog.splice(0))).includes('keydown q'), 'the listeners hear nothing at all');
        await clickElement(page, `${who.note}'s Add note button`, (hosts, slug) =>
          hostOf(hosts, slug)?.root.querySelector('[data-role="add-note"]'), { kind: 'card', args: [who.note] });
        // The composer is the extension's own page in a frame in the card
        // (SECURITY.md, "Typing a note"): it shows once loaded, with the
        // focus in its note field, so the keys go there without a click.
        await waitFor(`${who.note}'s composer frame, shown and focused`, async (note) => {
          const r = await inPage(page, 'card', (hosts, slug) => {
            const root = hostOf(hosts, slug)?.root;
            const frame = root?.querySelector('iframe[data-role="composer"]');
            return frame ? { visible: frame.style.visibility !== 'hidden', focused: root.activeElement === frame, title: frame.title } : null;
          }, who.note);
          note(JSON.stringify(r));
          return r && r.visible && r.focused ? r : null;
        });
        await typeText(page, text);
        await press(page, 'Enter');
        await waitFor('the daemon to hold the note', (note) => {
          const c = archive().contacts.find((x) => x.slug === who.note);
          note(JSON.stringify(c?.notes ?? 'no such contact'));
          return c?.notes.some((n) => n.text === text);
        });
        const heard = await inPage(page, null, () => window.__tactfulKeyLog);
        assert.deepEqual(heard, [], 'the page\'s listeners heard the note being typed');
        // After a reload the badge comes from the daemon.
        await navigate(page, page.url());
        await waitFor(`${who.note}'s note badge`, async (note) => {
          const b = await inPage(page, 'card', (hosts, slug) =>
            norm(hostOf(hosts, slug)?.root.querySelector('[data-role="badge"][data-kind="note"]')?.textContent), who.note);
          note(JSON.stringify(b));
          return /\b1 note\b/.test(b);
        });
      });

      /** Opens slug's card menu and "Remove connection", like a person, and waits for the reminder naming them. */
      async function openRemoval(slug) {
        const name = archive().contacts.find((c) => c.slug === slug)?.name;
        assert.ok(name, `the daemon has no name for ${slug}`);
        await clickElement(page, `${slug}'s "More actions" button`, (_, s) =>
          cardOf(s) && shownControls(/more actions/i, cardOf(s))[0], { args: [slug] });
        await clickElement(page, '"Remove connection" in the menu', () =>
          shownControls(/^\W*Remove connection\b/u).find((c) => c.tagName !== 'BUTTON' || c.closest('[role="menu"]')));
        const shown = await waitFor(`the reminder naming ${name}`, async (note) => {
          const r = await inPage(page, 'reminder', (hosts) =>
            hosts.filter((h) => h.host.isConnected && !h.host.hidden).map((h) => ({ mode: h.mode, text: norm(h.root?.textContent) })));
          note(JSON.stringify(r));
          return r.length === 1 && r[0].text.includes(name) ? r[0] : null;
        });
        assert.equal(shown.mode, 'closed', 'the reminder must live in a closed shadow root');
        return name;
      }

      async function waitReminderGone() {
        await waitFor('the reminder to go with the confirmation', async (note) => {
          const n = await inPage(page, 'reminder', (hosts) => hosts.filter((h) => h.host.isConnected && !h.host.hidden).length);
          note(`${n} shown`);
          return n === 0;
        });
      }

      test('the reminder shows at the confirmation; Cancel is recorded as kept', async () => {
        const since = eventsSoFar();
        await openRemoval(who.kept);
        await clickElement(page, 'the confirmation\'s Cancel button', () => shownControls(/^Cancel$/).at(-1));
        await waitReminderGone();
        await waitFor(`the outcome of ${who.kept}`, (note) => {
          const o = outcomes(who.kept, since);
          note(JSON.stringify(o));
          return o.length > 0;
        });
        assert.deepEqual(outcomes(who.kept, since), ['kept'], 'Cancel must be recorded as kept, once');
        assert.ok(await inPage(page, null, (_, s) => !!cardOf(s), who.kept), 'cancelling removed the card');
      });

      test('Remove is recorded as removed', async () => {
        const since = eventsSoFar();
        await openRemoval(who.removed);
        await clickElement(page, 'the confirmation\'s Remove button', () =>
          shownControls(/^Remove( connection)?$/).filter((c) => c.tagName === 'BUTTON' && !c.closest('[role="menu"]')).at(-1));
        await waitReminderGone();
        await waitFor(`the outcome of ${who.removed}`, (note) => {
          const o = outcomes(who.removed, since);
          note(JSON.stringify(o));
          return o.length > 0;
        });
        assert.deepEqual(outcomes(who.removed, since), ['removed']);
        assert.deepEqual(outcomes(who.kept, since), [], 'confirming one removal recorded another outcome for the kept card');
        await waitFor('the page to drop the removed card', () => inPage(page, null, (_, s) => !cardOf(s), who.removed));
      });

      test('closing the confirmation with Escape is recorded as kept', async () => {
        const since = eventsSoFar();
        await openRemoval(who.escaped);
        await press(page, 'Escape');
        await waitReminderGone();
        await waitFor(`the outcome of ${who.escaped}`, (note) => {
          const o = outcomes(who.escaped, since);
          note(JSON.stringify(o));
          return o.length > 0;
        });
        assert.deepEqual(outcomes(who.escaped, since), ['kept']);
        assert.ok(await inPage(page, null, (_, s) => !!cardOf(s), who.escaped), 'Escape removed the card');
      });

      test('nothing in the tab asked any host but LinkedIn and the loopback', () => {
        // The test refused them all; LinkedIn's own (its favicon) are the page's.
        const elsewhere = tab.refused.filter((u) => new URL(u).hostname !== 'www.linkedin.com');
        assert.deepEqual(elsewhere, [], 'requests to other hosts');
      });
    });
  }

  test('the popup\'s history lists the outcomes, by name', async () => {
    needPaired();
    const events = archive().events.filter((e) => e.kind === 'outcome');
    assert.equal(events.length, 3 * shapes.length, `outcome events: ${JSON.stringify(events)}`);
    const popup = await openExtensionPage(browser, 'popup/popup.html', log);
    await waitFor('the popup to list every outcome', async (note) => {
      const entries = await inPage(popup, null, () => [...document.querySelectorAll('[data-role="history-entry"]')].map((li) => ({
        kind: li.dataset.kind, slug: li.querySelector('[data-slug]')?.dataset.slug, text: norm(li.textContent),
      })));
      const missing = events.filter((ev) => !entries.some((e) => e.kind === 'outcome' && e.slug === ev.slug &&
        e.text.includes(ev.summary) && e.text.includes(ev.name)));
      note(`missing ${JSON.stringify(missing.map((e) => `${e.slug} ${e.summary}`))} in ${entries.length} entries`);
      return missing.length === 0;
    });
    await popup.close();
  });

  test('the review page loads, lists a queue and saves a decision made with the keyboard', async () => {
    needPaired();
    const review = await openExtensionPage(browser, 'review/review.html', log);
    await waitFor('the review page to be connected', () => inPage(review, null, () => document.getElementById('connection')?.dataset.state === 'connected'));
    await clickElement(review, 'Start the review', () => document.querySelector('[data-role="start"]'));
    const first = await waitFor('the first person of the queue', (note) => inPage(review, null, () => ({
      name: norm(document.querySelector('[data-role="person-name"]')?.textContent),
      slug: document.querySelector('[data-role="person"]')?.dataset.slug ?? '',
      progress: norm(document.querySelector('[data-role="progress-label"]')?.textContent),
      focused: document.activeElement?.dataset.role ?? '',
    })).then((r) => { note(JSON.stringify(r)); return r.slug && r.focused === 'person-name' ? r : null; }));
    assert.match(first.progress, /^Person 1 of \d+/);
    await typeText(review, '1');
    await press(review, 'Enter');
    await waitFor('the saved message', (note) => inPage(review, null, () => norm(document.querySelector('[data-role="review-message"]')?.textContent))
      .then((s) => { note(s); return s.includes(`Saved for ${first.name}: keep.`); }));
    const stored = archive().contacts.find((c) => c.slug === first.slug);
    assert.equal(stored?.review?.decision, 'keep', `the export's record of ${first.slug}: ${JSON.stringify(stored)}`);
    assert.ok(archive().events.some((e) => e.kind === 'reviewed' && e.slug === first.slug && e.decision === 'keep'), 'a reviewed event');
    await review.close();
  });
});
