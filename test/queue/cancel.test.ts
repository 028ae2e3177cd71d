// `fjd cancel`: open jobs withdrawn, running ones stopped, all ending in failed/ with reason
// "cancelled", nothing deleted; an interrupted cancel finished by the next dispatcher.
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {makeHome, type TestHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {isRunning} from '../helpers/processes.js';
import {waitUntil} from '../helpers/wait.js';

const held = (): string => `[control]\nexecutable = ${fixture('hold.sh')}\n`;
const started = (home: TestHome, id: string): boolean => fs.existsSync(path.join(home.dir, `started-${id}`));

function expectCancelled(home: TestHome, id: string, attempts: number): void {
  expect(home.ls('failed')).toContain(id);
  const record = home.record(id);
  expect(record).toMatchObject({id, state: 'failed', reason: 'cancelled', file: `failed/${id}`});
  expect(record.attempts).toHaveLength(attempts);
}

describe('fjd cancel', () => {
  it('withdraws an open job into failed/ when no dispatcher runs; it never runs', async () => {
    const home = makeHome('cancel-open');
    home.job('a', held());
    home.job('b', held());
    const result = await home.run('fjd', ['cancel', 'a']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toBe('Cancelled a: withdrawn from the queue; it is in failed/a.\n');
    expect(home.ls('jobqueue')).toEqual(['b']);
    expectCancelled(home, 'a', 0);
    expect(home.read('failed/a')).toBe(held());
    // The job file and nothing else: no lock or request is left behind.
    expect(home.ls('.fjd/cancel')).toEqual([]);
    expect(fs.existsSync(path.join(home.dir, '.fjd', 'dispatcher.lock'))).toBe(false);

    // A second cancel of the same job is not an error; an unknown job is.
    const again = await home.run('fjd', ['cancel', 'a']);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('a was cancelled already; it is in failed/a.');
    const unknown = await home.run('fjd', ['cancel', 'nosuchjob']);
    expect(unknown.exitCode).toBe(3);
    expect(unknown.stderr).toContain('no job "nosuchjob" in this home');
    expect(unknown.stderr).toContain('"fjd status" lists the jobs');

    // The dispatcher later runs the other job only.
    await home.run('recruiter', ['hire', '1']);
    fs.writeFileSync(path.join(home.dir, 'release'), '');
    const dispatched = await home.run('dispatcher', []);
    expect(dispatched.exitCode).toBe(0);
    expect(home.ls('done')).toEqual(['b']);
    expect(started(home, 'a')).toBe(false);
  });

  it('stops a running job and its children, withdraws open ones through the running dispatcher, and leaves finished jobs alone', async () => {
    const home = makeHome('cancel-running');
    home.job('j1run', held());
    await home.run('recruiter', ['hire', '1']);
    const dispatcher = home.start('dispatcher', ['--watch']);
    await waitUntil(() => started(home, 'j1run'), 20_000, 'j1run to start');
    home.job('j2open', held());
    home.job('j3open', held());
    const child = Number(home.read('child-j1run.pid'));
    expect(isRunning(child)).toBe(true);

    const result = await home.run('fjd', ['cancel', 'j1run', 'j2open']);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Cancelled j1run: stopped on worker \S+; it is in failed\/j1run\.$/m);
    expect(result.stdout).toContain('Cancelled j2open: withdrawn from the queue; it is in failed/j2open.');
    expect(result.stdout).toContain('Cancelled 2 of 2 jobs.');
    expectCancelled(home, 'j1run', 1);
    expect(home.record('j1run').attempts).toMatchObject([{outcome: 'failed', reason: 'cancelled'}]);
    expectCancelled(home, 'j2open', 0);
    await waitUntil(() => !isRunning(child), 10_000, "the job's child to be stopped too");

    // The worker goes on with the job that was not cancelled.
    await waitUntil(() => started(home, 'j3open'), 20_000, 'j3open to start');
    fs.writeFileSync(path.join(home.dir, 'release'), '');
    await waitUntil(() => home.ls('done').includes('j3open'), 20_000, 'j3open to finish');
    const late = await home.run('fjd', ['cancel', 'j3open']);
    expect(late.exitCode).toBe(3);
    expect(late.stderr).toContain('j3open had already finished; nothing to cancel');
    expect(home.ls('done')).toEqual(['j3open']);

    dispatcher.signal('SIGINT');
    const summary = await dispatcher.result;
    expect(summary.stdout).toContain('Job j1run failed: cancelled');
    expect(summary.stdout).toContain('Job j2open failed: cancelled');
  });

  it('--all-open withdraws every waiting job and none that runs', async () => {
    const home = makeHome('cancel-all');
    home.job('j1run', held());
    await home.run('recruiter', ['hire', '1']);
    const dispatcher = home.start('dispatcher', ['--watch']);
    await waitUntil(() => started(home, 'j1run'), 20_000, 'j1run to start');
    for (const name of ['w1', 'w2', 'w3']) home.job(name, held());
    const result = await home.run('fjd', ['cancel', '--all-open']);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('Cancelled 3 of 3 jobs.');
    expect(home.ls('failed')).toEqual(['w1', 'w2', 'w3']);
    expect(home.ls('jobqueue')).toEqual([]);
    fs.writeFileSync(path.join(home.dir, 'release'), '');
    await waitUntil(() => home.ls('done').includes('j1run'), 20_000, 'j1run to finish');
    dispatcher.signal('SIGINT');
    await dispatcher.result;
    const none = await home.run('fjd', ['cancel', '--all-open']);
    expect(none).toMatchObject({exitCode: 0, stdout: 'No open jobs to cancel.\n'});
  });

  it('refuses to guess: no job named, or names together with --all-open, is a usage error', async () => {
    const home = makeHome('cancel-usage');
    const nothing = await home.run('fjd', ['cancel']);
    expect(nothing.exitCode).toBe(2);
    expect(nothing.stderr).toContain('name the jobs to cancel, or give --all-open');
    const both = await home.run('fjd', ['cancel', 'x', '--all-open']);
    expect(both.exitCode).toBe(2);
  });

  it.each(['cancel:reserved', 'cancel:linked'])(
    'killed at %s: the next dispatcher finishes the cancel and never runs the job',
    async (point) => {
      const home = makeHome(`cancel-crash-${point}`);
      home.job('victim', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
      home.job('other', `[control]\nexecutable = ${fixture('fail.sh')} 0\n`);
      const crashed = await home.run('fjd', ['cancel', 'victim'], {env: {FJD_CRASH_AT: point}});
      expect(crashed.exitCode, 'killed by its crash point').toBe(-1);
      // The request stays as the log of what was being done.
      expect(home.ls('.fjd/cancel')).toEqual(['victim']);
      await home.run('recruiter', ['hire', '1']);
      const result = await home.run('dispatcher', []);
      expect(result.exitCode, result.stdout + result.stderr).toBe(1);
      expect(result.stdout).toContain('Job victim failed: cancelled');
      expect(home.ls('done')).toEqual(['other']);
      expect(home.ls('failed')).toEqual(['victim']);
      expect(home.ls('jobqueue')).toEqual([]);
      expect(home.ls('.fjd/cancel')).toEqual([]);
      expectCancelled(home, 'victim', 0);
      expect(fs.statSync(path.join(home.dir, 'failed', 'victim')).nlink).toBe(1);
    },
  );
});

it('fjd cancel ends a job that waits to be retried at once, keeping the attempt it made', async () => {
  const home = makeHome('cancel-retry');
  home.job('flaky', `[control]\nexecutable = ${fixture('fail.sh')} 7\nretries = 3\nretry_delay = 10m\n`);
  await home.run('recruiter', ['hire', '1']);
  const dispatcher = home.start('dispatcher', ['--watch']);
  // The first attempt has failed when its output exists and the worker noted the retry.
  await waitUntil(
    () => fs.existsSync(path.join(home.dir, '.fjd', 'output', 'flaky.err')) && home.record('flaky').state === 'running',
    20_000,
    'the first attempt to fail',
  );
  const result = await home.run('fjd', ['cancel', 'flaky']);
  expect(result.exitCode, result.stdout + result.stderr).toBe(0);
  expectCancelled(home, 'flaky', 1);
  expect(home.record('flaky').attempts).toMatchObject([{outcome: 'failed', reason: 'exit code 7'}]);
  dispatcher.signal('SIGINT');
  expect((await dispatcher.result).stdout).toContain('Job flaky failed: cancelled');
});
