import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {makeHome, type TestHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {waitUntil} from '../helpers/wait.js';

const OK = ['ok-1', 'ok-2', 'ok-3', 'ok-4', 'ok-5'];

// A job that holds a slot until `release` appears (first in line), two that fail, and five
// that would finish, in that order.
function queueSweep(home: TestHome): void {
  home.job('hold', `[control]\nexecutable = ${fixture('hold.sh')}\npriority = 10\n`);
  home.job('bad-1', `[control]\nexecutable = ${fixture('fail.sh')} 4\npriority = 5\n`);
  home.job('bad-2', `[control]\nexecutable = ${fixture('fail.sh')} 4\npriority = 4\n`);
  for (const name of OK) home.job(name, `[control]\nexecutable = ${fixture('mark.sh')}\n`);
}

describe('dispatcher --halt (fail-fast)', () => {
  it('soon,fail=2: hands out nothing more, waits for the running job, exits 1, leaves the rest queued', async () => {
    const home = makeHome('halt-soon');
    queueSweep(home);
    await home.run('recruiter', ['hire', '2']);
    const dispatcher = home.start('dispatcher', ['--halt', 'soon,fail=2', '--rescan', '200ms']);
    await waitUntil(
      () => dispatcher.output().includes('Halting: 2 jobs failed (--halt soon,fail=2)'),
      30_000,
      'the dispatcher to say it halts',
    );
    // The job that runs goes on (not cancelled); the dispatcher waits for it.
    expect(home.ls('.').filter((name) => name.startsWith('started-'))).toEqual(['started-hold']);
    expect(dispatcher.output()).toContain('waiting for the');
    expect(dispatcher.output()).not.toContain('halted:');
    expect(home.ls('failed')).toEqual(['bad-1', 'bad-2']);
    home.job('late', `[control]\nexecutable = ${fixture('mark.sh')}\n`);
    fs.writeFileSync(path.join(home.dir, 'release'), '');
    const result = await dispatcher.result;
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/^halted: 2 jobs failed \(--halt soon,fail=2\)$/m);
    expect(result.stdout).toMatch(/^The \d+ jobs left in jobqueue\/ wait for a later dispatcher\.$/m);
    expect(home.record('hold')).toMatchObject({state: 'finished'});
    expect(home.ls('failed')).toEqual(['bad-1', 'bad-2']);
    // A job handed out in advance before the halt may have run; the others wait.
    const done = home.ls('done').filter((name) => name !== 'hold');
    expect(done.length).toBeLessThanOrEqual(1);
    expect([...done, ...home.ls('jobqueue')].sort()).toEqual([...OK, 'late'].sort());
  });

  it('now,fail=2: cancels the running job as fjd cancel does; it ends in failed/ as cancelled', async () => {
    const home = makeHome('halt-now');
    queueSweep(home);
    await home.run('recruiter', ['hire', '2']);
    const result = await home.run('dispatcher', ['--halt', 'now,fail=2']);
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stdout).toMatch(
      /^Halting: 2 jobs failed \(--halt now,fail=2\)\. Nothing more is handed out; cancelling the/m,
    );
    expect(result.stdout).toMatch(/^halted: 2 jobs failed \(--halt now,fail=2\)$/m);
    expect(home.record('hold')).toMatchObject({state: 'failed', reason: 'cancelled'});
    expect(home.ls('failed')).toEqual(expect.arrayContaining(['bad-1', 'bad-2', 'hold']));
    // What was handed out in advance was cancelled too; nothing else ran.
    expect(home.ls('done')).toEqual([]);
    expect(home.ls('jobqueue').length).toBeGreaterThanOrEqual(OK.length - 2);
    // Cancelled jobs do not count: the 2 failures named are the run's.
    expect(result.stdout).not.toContain('3 jobs failed (--halt');
  });

  it('a job that is retried counts once, when its last attempt fails', async () => {
    const home = makeHome('halt-retried');
    home.job('flaky', `[control]\nexecutable = ${fixture('fail.sh')} 2\nretries = 2\npriority = 10\n`);
    for (const name of OK) home.job(name, `[control]\nexecutable = ${fixture('mark.sh')}\n`);
    await home.run('recruiter', ['hire', '1']);
    const result = await home.run('dispatcher', ['--halt', 'soon,fail=2']);
    expect(result.exitCode, result.stderr).toBe(1);
    expect(home.record('flaky')).toMatchObject({state: 'failed', attempts: [{}, {}, {}]});
    expect(result.stdout).not.toContain('halted');
    expect(home.ls('done')).toEqual(OK);
  });
});

describe('dispatcher --watch --halt', () => {
  it('ends when halted, although it would otherwise wait for more jobs', async () => {
    const home = makeHome('halt-watch');
    for (const name of ['f-1', 'f-2', 'f-3']) home.job(name, `[control]\nexecutable = ${fixture('fail.sh')} 1\n`);
    await home.run('recruiter', ['hire', '1']);
    const result = await home.run(
      'dispatcher',
      ['--watch', '--halt', 'soon,fail=1', '--on-done', 'echo "halted by $FJD_HALTED"'],
      {timeoutMs: 30_000},
    );
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/^halted: 1 job failed \(--halt soon,fail=1\)$/m);
    // --on-done runs, and is told which rule halted the run.
    expect(result.stdout).toContain('--on-done: halted by soon,fail=1\n');
    expect(home.ls('failed').length + home.ls('jobqueue').length).toBe(3);
    expect(home.ls('jobqueue').length).toBeGreaterThanOrEqual(1);
  });
});

describe('fjd run --halt', () => {
  it('P% is of all the jobs of the run: 1 failure of 10 halts at fail=10%, not at fail=20%', async () => {
    const home = makeHome('run-halt-pct');
    const params = ['--parameters', '3,0,0,0,0,0,0,0,0,0', '--name', 'p', '-j', '1'];
    const halted = await home.run('fjd', ['run', '--exe', 'test $1 = 0', ...params, '--halt', 'soon,fail=10%']);
    expect(halted.exitCode, halted.stderr).toBe(1);
    expect(halted.stdout).toMatch(/^halted: 1 of 10 jobs failed \(--halt soon,fail=10%\)$/m);
    expect(halted.stdout).toContain('Fired the worker it hired.');
    expect(home.ls('failed')).toEqual(['p-01']);
    expect(home.ls('jobqueue').length).toBeGreaterThanOrEqual(7);
    expect(home.ls('.fjd/workers')).toEqual([]);

    const other = makeHome('run-halt-pct-20');
    const went = await other.run('fjd', ['run', '--exe', 'test $1 = 0', ...params, '--halt', 'soon,fail=20%']);
    expect(went.exitCode, went.stderr).toBe(1);
    expect(went.stdout).not.toContain('halted');
    expect(other.ls('done')).toHaveLength(9);
  });

  it('a bad value is a usage error that names it, for fjd run and the dispatcher alike', async () => {
    const home = makeHome('halt-usage');
    for (const [bin, args] of [
      ['fjd', ['run', '--exe', 'true', '--halt', 'soon,fail=many']],
      ['dispatcher', ['--halt', 'soon,fail=many']],
    ] as const) {
      const result = await home.run(bin, [...args]);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain('--halt "soon,fail=many": not of the form WHEN,fail=LIMIT');
    }
    expect(home.ls('jobqueue')).toEqual([]);
  });
});
