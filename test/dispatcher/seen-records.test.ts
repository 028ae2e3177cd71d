// Which job names are known to have no record (seen-records.ts), driven directly: from the
// listing of .fjd/records/ and the names its watch tells of; no processes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, expect, it, vi} from 'vitest';
import {PUT_BACK_MARGIN_MS, SeenRecords} from '../../src/dispatcher/seen-records.js';

const dirs: string[] = [];
afterEach(() => {
  vi.useRealTimers();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, {recursive: true, force: true});
});

function records(...ids: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fjd-seen-'));
  dirs.push(dir);
  for (const id of ids) fs.writeFileSync(path.join(dir, `${id}.json`), '{}');
  return dir;
}

const OLD = PUT_BACK_MARGIN_MS + 60_000;

it('knows nothing until the listing has ended; then a name neither listed nor told of has no record', async () => {
  const seen = new SeenRecords();
  expect(seen.knownNone('new')).toBe(false);
  expect(seen.knownNone('new', OLD)).toBe(false);
  await seen.list(records('a', 'b~2'));
  expect(seen.knownNone('new')).toBe(true);
  expect(seen.knownNone('new', OLD)).toBe(true);
  expect(seen.knownNone('a')).toBe(false);
  expect(seen.knownNone('b~2', OLD)).toBe(false);
  seen.told('new.json');
  expect(seen.knownNone('new')).toBe(false);
});

it('a file found by a listing that is not older than the records listing by the margin is looked for', async () => {
  const seen = new SeenRecords();
  await seen.list(records());
  expect(seen.knownNone('x', OLD)).toBe(true);
  // Written just before the listing started, or after: its put-back may be writing its record.
  expect(seen.knownNone('x', PUT_BACK_MARGIN_MS / 2)).toBe(false);
  expect(seen.knownNone('x', 0)).toBe(false);
  // Seen to appear: the watch tells of a record written since.
  expect(seen.knownNone('x')).toBe(true);
});

it('a watch that lost track, or a listing that failed, makes every name possible', async () => {
  const lost = new SeenRecords();
  await lost.list(records());
  lost.told(undefined);
  expect(lost.knownNone('x')).toBe(false);
  const failed = new SeenRecords();
  await failed.list(path.join(os.tmpdir(), 'fjd-seen-no-such-dir'));
  expect(failed.knownNone('x', OLD)).toBe(false);
});

it('of 100,000 names told of, finds every one, and takes almost no other name for one', async () => {
  const seen = new SeenRecords();
  await seen.list(records());
  for (let i = 0; i < 100_000; i++) seen.told(`sweep-${i}.json`);
  let missed = 0;
  for (let i = 0; i < 100_000; i++) if (seen.knownNone(`sweep-${i}`)) missed++;
  expect(missed).toBe(0);
  let mistaken = 0;
  for (let i = 0; i < 100_000; i++) if (!seen.knownNone(`other-${i}`)) mistaken++;
  expect(mistaken).toBeLessThan(10);
});

it('the check asks for no record of a job seen to appear only while the watches work', async () => {
  const seen = new SeenRecords();
  await seen.list(records('kept'));
  let watching = true;
  const intake = {watching: () => watching, ageOf: (ms: number) => Date.now() - ms};
  expect(seen.check('new', true, intake)(Date.now())).toBe(false);
  expect(seen.check('kept', true, intake)(Date.now())).toBe(true);
  watching = false;
  expect(seen.check('new', true, intake)(Date.now())).toBe(true);
  expect(seen.check('new', false, intake)(Date.now() - OLD)).toBe(false);
  expect(seen.check('new', false, intake)(Date.now())).toBe(true);
});
