// `fjd submit --skip-existing`: a resubmit that resumes. A job whose name the home holds
// already, in any state, is not made again; the same CSV submitted twice queues nothing.
import {describe, expect, it} from 'vitest';
import {makeHome} from '../helpers/home.js';

// Five jobs; the second fails (the job file, its last argument, is given to `true` too).
const CSV = 'n\n1\n2\n3\n4\n5\n';
const SUBMIT = ['submit', '--exe', '[ "$(sed -n "s/^n = //p" "$1")" != 2 ] && true', '--name', 'sweep'];

describe('fjd submit --skip-existing', () => {
  it('queues nothing when the same CSV is submitted again', async () => {
    const home = makeHome('skip-same');
    const first = await home.run('fjd', [...SUBMIT, '--params-file', '-'], {input: CSV});
    expect(first.stdout).toBe('Submitted 5 jobs to jobqueue/: sweep-1 … sweep-5.\n');
    const again = await home.run('fjd', [...SUBMIT, '--params-file', '-', '--skip-existing'], {input: CSV});
    expect(again).toEqual({
      exitCode: 0,
      stdout: 'Submitted no jobs: skipped 5 jobs whose name this home holds already.\n',
      stderr: '',
    });
    expect(home.ls('jobqueue')).toEqual(['sweep-1', 'sweep-2', 'sweep-3', 'sweep-4', 'sweep-5']);
  });

  it('after an interrupted submit and a run, queues only the jobs that never were, done and failed ones skipped', async () => {
    const home = makeHome('skip-partial');
    // The submit is killed right after it has published its second job.
    const killed = await home.run('fjd', [...SUBMIT, '--params-file', '-'], {
      input: CSV,
      env: {FJD_CRASH_AT: 'submit:linked@2'},
    });
    expect(killed.exitCode).not.toBe(0);
    expect(home.ls('jobqueue')).toEqual(['sweep-1', 'sweep-2']);
    await home.run('fjd', ['hire', '1']);
    const ran = await home.run('fjd', ['dispatch', '--fire-when-done']);
    expect(ran.exitCode, ran.stdout).toBe(1);
    expect([home.ls('done'), home.ls('failed')]).toEqual([['sweep-1'], ['sweep-2']]);

    const resumed = await home.run('fjd', [...SUBMIT, '--params-file', '-', '--skip-existing'], {input: CSV});
    expect(resumed).toEqual({
      exitCode: 0,
      stdout: 'Submitted 3 jobs to jobqueue/: sweep-3 … sweep-5; skipped 2 jobs whose name this home holds already.\n',
      stderr: '',
    });
    expect(home.ls('jobqueue')).toEqual(['sweep-3', 'sweep-4', 'sweep-5']);
    await home.run('fjd', ['hire', '1']);
    expect((await home.run('fjd', ['dispatch', '--fire-when-done'])).exitCode).toBe(0);
    expect([home.ls('done'), home.ls('failed')]).toEqual([['sweep-1', 'sweep-3', 'sweep-4', 'sweep-5'], ['sweep-2']]);
    // A further resubmit: every name is taken, in done/ or failed/.
    const last = await home.run('fjd', [...SUBMIT, '--params-file', '-', '--skip-existing'], {input: CSV});
    expect(last.stdout).toBe('Submitted no jobs: skipped 5 jobs whose name this home holds already.\n');
    expect(home.ls('jobqueue')).toEqual([]);
  });

  it('a CSV grown past 9 rows is numbered wider (sweep-01), and still skips the jobs of its first 9 (sweep-1)', async () => {
    const home = makeHome('skip-grown');
    const nine = `n\n${Array.from({length: 9}, (_, i) => i + 1).join('\n')}\n`;
    expect((await home.run('fjd', [...SUBMIT, '--params-file', '-'], {input: nine})).stdout).toBe(
      'Submitted 9 jobs to jobqueue/: sweep-1 … sweep-9.\n',
    );
    const grown = await home.run('fjd', [...SUBMIT, '--params-file', '-', '--skip-existing'], {input: `${nine}10\n`});
    expect(grown.stdout).toBe(
      'Submitted 1 job to jobqueue/: sweep-10; skipped 9 jobs whose name this home holds already.\n',
    );
    expect(home.ls('jobqueue')).toHaveLength(10);
  });

  it('skips one job by its name, printing no name, and says so on stderr', async () => {
    const home = makeHome('skip-one');
    expect((await home.run('fjd', ['submit', '--exe', 'true', '--name', 'one', '--skip-existing'])).stdout).toBe(
      'one\n',
    );
    const again = await home.run('fjd', ['submit', '--exe', 'true', '--name', 'one', '--skip-existing']);
    expect(again).toEqual({
      exitCode: 0,
      stdout: '',
      stderr: 'fjd submit: Submitted no jobs: skipped 1 job whose name this home holds already.\n',
    });
    expect(home.ls('jobqueue')).toEqual(['one']);
  });

  it('needs --name: names made without it hold the time and never repeat', async () => {
    const home = makeHome('skip-no-name');
    const result = await home.run('fjd', ['submit', '--exe', 'true', '--skip-existing']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--skip-existing needs --name');
    expect(home.ls('jobqueue')).toEqual([]);
  });
});

describe('fjd run --skip-existing', () => {
  it('run again after a run cut short: runs the jobs it left waiting and those never queued, each once', async () => {
    const home = makeHome('run-skip');
    const RUN = ['run', '--exe', 'true', '--parameters', '1,2,3,4,5', '--name', 'p', '-j', '1', '--skip-existing'];
    // As a run cut short leaves the home: two jobs done, one put back in jobqueue/, two never queued.
    expect((await home.run('fjd', ['run', '--exe', 'true', '--parameters', '1,2', '--name', 'p'])).exitCode).toBe(0);
    expect((await home.run('fjd', ['submit', '--exe', 'true', '--name', 'p-3'])).stdout).toBe('p-3\n');

    const resumed = await home.run('fjd', RUN);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(
      'Submitted 2 jobs to jobqueue/: p-4 … p-5; skipped 3 jobs whose name this home holds already.\n',
    );
    expect(resumed.stderr).toContain('note: 1 job was already waiting in jobqueue/ (p-3); it runs too');
    expect(home.ls('done')).toEqual(['p-1', 'p-2', 'p-3', 'p-4', 'p-5']);
    for (const name of home.ls('done')) expect(home.record(name).attempts).toHaveLength(1);

    // Once more: every name is taken; nothing is queued, no worker is hired.
    const again = await home.run('fjd', RUN);
    expect(again).toMatchObject({
      exitCode: 0,
      stdout: 'Submitted no jobs: skipped 5 jobs whose name this home holds already.\n',
    });
    expect(home.ls('.fjd/workers')).toEqual([]);
    expect(home.ls('jobqueue')).toEqual([]);
  });
});
