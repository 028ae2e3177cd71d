// The helpers that signal and find a test's processes: a process that has already ended is
// no error, and a pid that would reach the test runner itself is refused.
import {spawn} from 'node:child_process';
import {once} from 'node:events';
import {expect, it} from 'vitest';
import {isRunning, signalIfAlive} from './processes.js';
import {waitUntil} from './wait.js';

it('signalIfAlive signals a live process, and a process that has ended is no error', async () => {
  const child = spawn('sleep', ['30'], {stdio: 'ignore'});
  const pid = child.pid ?? 0;
  const exited = once(child, 'exit');
  expect(signalIfAlive(pid, 'SIGTERM')).toBe(true);
  await exited;
  await waitUntil(() => !isRunning(pid), 5000, `process ${pid} to be gone`);
  // What `process.kill(pid, 'SIGCONT')` did here: throw "kill ESRCH".
  expect(signalIfAlive(pid, 'SIGCONT')).toBe(false);
  expect(signalIfAlive(-pid, 'SIGCONT')).toBe(false);
});

it('signalIfAlive refuses a pid that would signal the test runner or every process', () => {
  for (const pid of [0, 1, -1, undefined, null, Number.NaN]) {
    expect(() => signalIfAlive(pid, 'SIGCONT')).toThrow(/refusing to send SIGCONT/);
  }
});
