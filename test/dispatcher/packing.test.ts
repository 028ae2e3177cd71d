// Packing from start to end, with the real dispatcher and a real worker of several slots: the
// jobs' own start and end marks show what they held at once.
import {describe, expect, it} from 'vitest';
import {makeHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {peak, readMarks} from '../helpers/hand-out.js';
import {waitUntil} from '../helpers/wait.js';

const job = (seconds: number, control = ''): string =>
  `[control]\nexecutable = ${fixture('slot-mark.sh')} ${seconds}\npass_job_file = no\n${control}`;

describe('packing jobs by what they ask for', () => {
  it('runs a 2-cpu job and two 1-cpu jobs on a worker of 2 slots without ever holding more than 2 cpus', async () => {
    const home = makeHome('pack-cpus');
    expect((await home.run('recruiter', ['hire', '2'])).stdout).toBe('Hired a worker with 2 slots on localhost.\n');
    home.job('big', job(0.5, 'cpus = 2\n'));
    home.job('small-1', job(0.5));
    home.job('small-2', job(0.5));
    const result = await home.run('dispatcher', []);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(home.ls('done')).toEqual(['big', 'small-1', 'small-2']);
    const marks = readMarks(home.dir);
    expect(peak(marks, (name) => (name === 'big' ? 2 : 1))).toBeLessThanOrEqual(2);
    expect(marks.get('big')?.seen).toMatchObject({cpus: '2', omp: '2'});
    expect(home.record('big')).toMatchObject({request: {cpus: 2, memoryBytes: 0, gpus: 0}});
    expect(home.record('small-1')).toMatchObject({request: null});
  });

  it('gives two overlapping GPU jobs different GPUs, and waits with the reason for a job no worker can run', async () => {
    const home = makeHome('pack-gpus');
    await home.run('recruiter', ['hire', '3', '--gpus', '0,1']);
    home.job('g1', job(1, 'gpus = 1\n'));
    home.job('g2', job(1, 'gpus = 1\n'));
    home.job('plain', job(0));
    home.job('greedy', job(0, 'gpus = 3\n'));
    const dispatcher = home.start('dispatcher', ['--watch']);
    await waitUntil(() => home.ls('done').length === 3, 30_000, 'the jobs that fit to finish');
    const status = await home.run('fjd', ['status', 'greedy']);
    expect(status.stdout).toContain('needs 3 GPUs; the only worker offers 2 GPUs');
    dispatcher.signal('SIGINT');
    const result = await dispatcher.result;
    expect(result.stdout + result.stderr).toContain('job greedy waits: it needs 3 GPUs; the only worker offers 2 GPUs');
    const marks = readMarks(home.dir);
    expect(peak(marks, (name) => (name.startsWith('g') ? 1 : 0))).toBe(2);
    expect([marks.get('g1')?.seen.gpus, marks.get('g2')?.seen.gpus].sort()).toEqual(['0', '1']);
    expect(marks.get('plain')?.seen.gpus).toBe('');
    expect(home.ls('jobqueue')).toEqual(['greedy']);
  });
});
