import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, expect, it} from 'vitest';
import {writersIn} from '../../src/util/open-for-writing.js';

const dirs: string[] = [];
const fds: number[] = [];
afterEach(() => {
  for (const fd of fds.splice(0)) fs.closeSync(fd);
  for (const dir of dirs.splice(0)) fs.rmSync(dir, {recursive: true, force: true});
});

function tempDir(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'fjd-writers-')));
  dirs.push(dir);
  return dir;
}

function open(file: string, flags: string): number {
  const fd = fs.openSync(file, flags);
  fds.push(fd);
  return fd;
}

it('finds a file held open for writing, with the process that holds it, and nothing else', () => {
  const dir = tempDir();
  const elsewhere = tempDir();
  fs.writeFileSync(path.join(dir, 'read-only'), 'x');
  open(path.join(dir, 'written'), 'w');
  open(path.join(dir, 'appended'), 'a');
  open(path.join(dir, 'read-only'), 'r');
  open(path.join(elsewhere, 'written'), 'w');
  const writers = writersIn(dir);
  expect(writers).toBeDefined();
  expect([...(writers?.keys() ?? [])].sort()).toEqual(['appended', 'written']);
  expect(writers?.get('written')).toEqual({
    pid: process.pid,
    command: fs.readFileSync('/proc/self/comm', 'utf8').trim(),
  });
});

it('forgets a file once it is closed', () => {
  const dir = tempDir();
  const fd = fs.openSync(path.join(dir, 'job'), 'w');
  expect(writersIn(dir)?.has('job')).toBe(true);
  fs.closeSync(fd);
  expect(writersIn(dir)?.has('job')).toBe(false);
});
