// Reading a job file through the one fd its checks were made on: every byte, whatever its
// size, and the limit held.
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, expect, it} from 'vitest';
import {MAX_JOB_FILE_BYTES} from '../../src/job/job-file.js';
import {readJobFile} from '../../src/job/read-job-file.js';
import {TEST_ROOT} from '../helpers/paths.js';
import {codeOf} from '../helpers/errors.js';

fs.mkdirSync(TEST_ROOT, {recursive: true});
const dir = fs.mkdtempSync(path.join(TEST_ROOT, 'read-job-file-'));
afterAll(() => fs.rmSync(dir, {recursive: true, force: true}));

function written(name: string, bytes: Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes, {mode: 0o600});
  return file;
}

it.each([0, 1, 4095, 65_537, MAX_JOB_FILE_BYTES])('reads all %i bytes of a job file', (size) => {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 7 + 3) % 251;
  const file = written(`job-${size}`, bytes);
  expect(readJobFile(file, {groupShared: false}).equals(bytes)).toBe(true);
});

it('refuses a job file over the limit', () => {
  const file = written('large', Buffer.alloc(MAX_JOB_FILE_BYTES + 1, 0x61));
  expect(codeOf(() => readJobFile(file, {groupShared: false}))).toBe('JOB_TOO_LARGE');
});
