// runHook driven directly: the ends of a hook that the CLI tests (test/cli/hooks.test.ts) cannot
// reach easily.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, expect, it} from 'vitest';
import {runHook} from '../../src/run/hooks.js';
import {isRunning, signalIfAlive} from '../helpers/processes.js';

const dirs: string[] = [];
const pids: number[] = [];
afterEach(() => {
  for (const pid of pids.splice(0)) if (isRunning(pid)) signalIfAlive(pid, 'SIGKILL');
  for (const dir of dirs.splice(0)) fs.rmSync(dir, {recursive: true, force: true});
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fjd-hooks-'));
  dirs.push(dir);
  return dir;
}

it('a hook whose background process left its group (setsid) and holds the output ends soon after its shell', async () => {
  const dir = tempDir();
  const started = performance.now();
  // The hook ends only once the process has left its group (it writes its pid from there).
  const escape = `setsid sh -c 'echo $$ > escaped.pid; exec sleep 60' & while [ ! -s escaped.pid ]; do sleep 0.05; done; echo told`;
  const run = await runHook(escape, {PATH: process.env.PATH ?? ''}, dir, 30_000);
  const escaped = Number(fs.readFileSync(path.join(dir, 'escaped.pid'), 'utf8'));
  pids.push(escaped);
  expect(isRunning(escaped)).toBe(true);
  expect(run).toEqual({trouble: null, stdout: 'told\n', stderr: '', cut: {stdout: 0, stderr: 0}});
  // Not the 30 s of its time limit: what was read until its shell ended, and a little after.
  expect(performance.now() - started).toBeLessThan(10_000);
});

it('a hook that cannot be started says why', async () => {
  const gone = path.join(tempDir(), 'no-such-dir');
  const run = await runHook('echo never', {}, gone, 30_000);
  expect(run.trouble).toMatch(/^it could not be started \(.*ENOENT.*\)$/);
  expect(run.stdout).toBe('');
});
