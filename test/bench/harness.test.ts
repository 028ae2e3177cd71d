// The benchmark's harness (bench/harness.mjs): waiting for a dispatcher to end never hangs,
// whether it is still running (it is sent the signal) or has exited already (it crashed).
import {spawn, type ChildProcess} from 'node:child_process';
import {afterAll, expect, it} from 'vitest';
import {dispatcherEnd, removeRoot} from '../../bench/harness.mjs';

afterAll(() => removeRoot());

// `promise`, or 'hung' when it has not settled within 10 s.
function within10s(promise: Promise<unknown>): Promise<unknown> {
  return Promise.race([promise.then(() => 'ended'), new Promise((resolve) => setTimeout(resolve, 10_000, 'hung'))]);
}

function node(code: string): ChildProcess {
  return spawn(process.execPath, ['-e', code], {stdio: 'ignore'});
}

it('dispatcherEnd resolves for a process it signals, and for one that has exited already', async () => {
  const running = node('setTimeout(() => {}, 60_000)');
  expect(await within10s(dispatcherEnd(running, 'SIGTERM'))).toBe('ended');
  expect(running.signalCode).toBe('SIGTERM');

  const crashed = node('process.exit(3)');
  await new Promise((resolve) => crashed.once('exit', resolve));
  expect(await within10s(dispatcherEnd(crashed, 'SIGINT'))).toBe('ended');
  expect(await within10s(dispatcherEnd(crashed))).toBe('ended');
});
