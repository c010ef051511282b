// The review queue's pure parts: the request a filter makes, the words
// that describe it, and where a resumed review starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createResume, describeFilter, queueRequest, resumeIndex } from '../review/queue.js';
import { addDays, defaultDay } from '../review/steps.js';
import { memoryStorage } from './review-fakes.js';

test('an empty filter asks for everyone; set fields are sent by their wire names', () => {
  assert.deepEqual(queueRequest({}), { type: 'review_queue', filter: {}, limit: 500 });
  assert.deepEqual(queueRequest({ tag: 'reputation', status: 'removal_planned', years: '4.7', neverSeen: true, neverAnnotated: true, company: ' Acme\n Corp ', due: true }, 20), {
    type: 'review_queue',
    filter: { tags: ['reputation'], status: 'removal_planned', connected_before_years: 4, never_seen: true, never_annotated: true, company: 'Acme Corp', due: true },
    limit: 20,
  });
  assert.deepEqual(queueRequest({ years: '-2', company: '   ' }).filter, {}, 'no negative years, no blank company');
});

test('a filter is described in words', () => {
  assert.equal(describeFilter({}), 'Everyone');
  assert.equal(describeFilter({ due: true, tag: 'inactive', years: 1 }), 'People due for a decision, tagged inactive, connected more than 1 year ago');
  assert.equal(describeFilter({ status: 'removal_planned', company: 'Acme' }), 'People status removal planned, at “Acme”');
  assert.equal(describeFilter({ status: 'none' }), 'People with no status');
  assert.deepEqual(queueRequest({ status: 'none' }).filter, { status: 'none' });
});

test('resume keeps the filter, the person and the decided, and shrugs off damage', () => {
  const storage = memoryStorage();
  const resume = createResume(storage);
  assert.equal(resume.load(), null);
  resume.save({ filter: { tag: 'keep' }, slug: 'ada', decided: ['grace'] });
  assert.deepEqual(resume.load(), { filter: { tag: 'keep' }, slug: 'ada', decided: ['grace'] });
  storage.setItem('tactful.review.v1', '[1,2]');
  assert.deepEqual(resume.load(), { filter: {}, slug: '', decided: [] });
  storage.setItem('tactful.review.v1', '"text"');
  assert.equal(resume.load(), null);
  const broken = createResume({ getItem() { throw new Error('denied'); }, setItem() { throw new Error('full'); }, removeItem() {} });
  assert.equal(broken.load(), null);
  broken.save({ slug: 'x' }); // does not throw
});

test('a resumed review starts at the saved person, else the first undecided', () => {
  const items = [{ slug: 'a' }, { slug: 'b' }, { slug: 'c' }];
  assert.equal(resumeIndex(items, 'c'), 2);
  assert.equal(resumeIndex(items, 'gone', ['a']), 1, 'the saved person left the queue');
  assert.equal(resumeIndex(items, '', ['a', 'b', 'c']), 0);
});

test('a dated decision starts a month on, or when the timing rules allow', () => {
  assert.equal(addDays('2026-12-31', 1), '2027-01-01');
  assert.equal(defaultDay('2026-12-01', {}), '2026-12-31');
  assert.equal(defaultDay('2026-12-01', { wait_until: '2027-02-01' }), '2027-02-01');
  assert.equal(defaultDay('2026-12-01', { wait_until: '2026-11-01' }), '2026-12-31');
});
