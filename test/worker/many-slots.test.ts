// One worker process with many slots, driven by hand-outs alone (no dispatcher): it runs the
// jobs of its pod at once as they fit its free slots, cpus, memory and GPUs, tells each job its
// slot in the environment, and fails a job it could never run.
import {describe, expect, it} from 'vitest';
import {makeHome, type TestHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {announcedWorker, handOut, peak, readMarks} from '../helpers/hand-out.js';
import {isRunning, processesMentioning} from '../helpers/processes.js';
import {waitUntil} from '../helpers/wait.js';

const job = (seconds: number, control = ''): string =>
  `[control]\nexecutable = ${fixture('slot-mark.sh')} ${seconds}\npass_job_file = no\n${control}`;

async function allDone(home: TestHome, names: string[]): Promise<void> {
  await waitUntil(
    () => names.every((name) => home.ls('done').includes(name) || home.ls('failed').includes(name)),
    30_000,
    `${names.join(', ')} to end`,
  );
}

describe('a worker with slots', () => {
  it('runs the jobs of its pod at once, one per slot, each told its slot, cpus and OMP_NUM_THREADS', async () => {
    const home = makeHome('slots');
    const worker = home.start('worker', ['--slots', '3']);
    const id = await announcedWorker(home.dir);
    for (const name of ['a', 'b', 'c']) handOut(home.dir, id, name, job(1));
    await allDone(home, ['a', 'b', 'c']);
    const marks = readMarks(home.dir);
    expect(peak(marks, () => 1)).toBe(3);
    expect([...marks.values()].map((mark) => mark.seen.slot).sort()).toEqual(['1', '2', '3']);
    for (const mark of marks.values()) {
      expect(mark.seen).toMatchObject({cpus: '1', omp: '1', gpus: 'unset'});
    }
    // The note of running jobs named each with its slot while it ran; the records say they finished.
    expect(home.ls('done')).toEqual(['a', 'b', 'c']);
    worker.signal('SIGTERM');
    expect((await worker.result).exitCode).toBe(0);
  });

  it('packs a 2-cpu job and two 1-cpu jobs on 2 slots so that no more than 2 cpus are ever held', async () => {
    const home = makeHome('packing');
    home.start('worker', ['--slots', '2']);
    const id = await announcedWorker(home.dir);
    handOut(home.dir, id, 'small1', job(0.3), {cpus: 1});
    handOut(home.dir, id, 'big', job(0.3), {cpus: 2});
    handOut(home.dir, id, 'small2', job(0.3), {cpus: 1});
    await allDone(home, ['small1', 'big', 'small2']);
    expect(home.ls('done')).toEqual(['big', 'small1', 'small2']);
    const marks = readMarks(home.dir);
    expect(peak(marks, (name) => (name === 'big' ? 2 : 1))).toBeLessThanOrEqual(2);
    // First fit: small2 did not wait behind big.
    expect(peak(marks, (name) => (name === 'big' ? 0 : 1))).toBe(2);
    expect(marks.get('big')?.seen).toMatchObject({cpus: '2', omp: '2'});
  });

  it('gives overlapping GPU jobs different GPUs, and a job that asked for none an empty CUDA_VISIBLE_DEVICES', async () => {
    const home = makeHome('gpus');
    home.start('worker', ['--slots', '3', '--gpus', '0,1']);
    const id = await announcedWorker(home.dir);
    handOut(home.dir, id, 'g1', job(1), {gpus: 1});
    handOut(home.dir, id, 'g2', job(1), {gpus: 1});
    handOut(home.dir, id, 'cpu', job(1));
    await allDone(home, ['g1', 'g2', 'cpu']);
    const marks = readMarks(home.dir);
    expect(peak(marks, (name) => (name === 'cpu' ? 0 : 1))).toBe(2);
    expect([marks.get('g1')?.seen.gpus, marks.get('g2')?.seen.gpus].sort()).toEqual(['0', '1']);
    expect(marks.get('cpu')?.seen.gpus).toBe('');
  });

  it('runs two jobs whose memory does not fit together one after the other', async () => {
    const home = makeHome('memory');
    home.start('worker', ['--slots', '2', '--memory', '1G']);
    const id = await announcedWorker(home.dir);
    const big = 768 * 1024 * 1024;
    handOut(home.dir, id, 'm1', job(0.3), {memoryBytes: big});
    handOut(home.dir, id, 'm2', job(0.3), {memoryBytes: big});
    await allDone(home, ['m1', 'm2']);
    expect(home.ls('done')).toEqual(['m1', 'm2']);
    expect(peak(readMarks(home.dir), () => 1)).toBe(1);
  });

  it('fails a job that asks for more than the worker has in all, with the reason, and runs the rest', async () => {
    const home = makeHome('too-big');
    home.start('worker', ['--slots', '2']);
    const id = await announcedWorker(home.dir);
    handOut(home.dir, id, 'huge', job(0), {cpus: 4});
    handOut(home.dir, id, 'fine', job(0));
    await allDone(home, ['huge', 'fine']);
    expect(home.ls('failed')).toEqual(['huge']);
    expect(home.ls('done')).toEqual(['fine']);
    expect(home.record('huge')).toMatchObject({
      state: 'failed',
      reason: 'the job needs 4 cpus; this worker offers 2 cpus',
    });
  });
});

describe('a lost worker with many slots', () => {
  it('has every running job put back, each with a lost attempt, and their processes stopped', async () => {
    const home = makeHome('lost-slots');
    const worker = home.start('worker', ['--slots', '3']);
    const id = await announcedWorker(home.dir);
    for (const name of ['l1', 'l2', 'l3']) handOut(home.dir, id, name, job(60));
    await waitUntil(() => readMarks(home.dir).size === 3, 20_000, 'three jobs to start');
    const running = JSON.parse(home.read(`.fjd/workers/${id}/current`)) as {jobs: {id: string; slot: number}[]};
    expect(running.jobs.map((note) => [note.id, note.slot]).sort()).toEqual([
      ['l1', 1],
      ['l2', 2],
      ['l3', 3],
    ]);
    // The jobs' processes: each job runs in the home, with its job file's path on its command line.
    const sleeps = processesMentioning(home.dir).filter(
      (p) => p.command.includes('sleep') || p.command.includes('slot-mark'),
    );
    expect(sleeps.length).toBeGreaterThanOrEqual(3);
    worker.signal('SIGKILL');
    await worker.result;
    const dispatcher = home.start('dispatcher', ['--watch']);
    await waitUntil(() => home.ls('jobqueue').length === 3, 20_000, "the lost worker's jobs to be back in the queue");
    for (const name of ['l1', 'l2', 'l3']) {
      expect(home.record(name)).toMatchObject({state: 'requeued', attempts: [{outcome: 'lost', signal: 'SIGKILL'}]});
    }
    await waitUntil(() => sleeps.every((p) => !isRunning(p.pid)), 10_000, 'the jobs of the lost worker to be stopped');
    // Its directory goes once its pod is empty.
    await waitUntil(() => home.ls('.fjd/workers').length === 0, 10_000, 'the lost worker to be forgotten');
    dispatcher.signal('SIGINT');
    expect((await dispatcher.result).exitCode).toBe(130);
  });
});

describe('a worker with slots that is fired', () => {
  it('gives back at once the jobs it has not started, finishes those it runs, then leaves', async () => {
    const home = makeHome('drain-slots');
    const worker = home.start('worker', ['--slots', '2']);
    const id = await announcedWorker(home.dir);
    handOut(home.dir, id, 'long-1', job(2));
    handOut(home.dir, id, 'long-2', job(2));
    handOut(home.dir, id, 'waiting', job(0));
    await waitUntil(() => readMarks(home.dir).size === 2, 20_000, 'two jobs to start');
    expect((await home.run('recruiter', ['fire'])).exitCode).toBe(0);
    // Back in the queue while the other two still run.
    await waitUntil(() => home.ls('jobqueue').includes('waiting'), 5_000, 'the job not started to be given back');
    expect(home.ls('done')).toEqual([]);
    expect(home.ls('workerqueue')).toEqual([]);
    expect((await worker.result).exitCode).toBe(0);
    expect(home.ls('done')).toEqual(['long-1', 'long-2']);
    expect(home.record('waiting')).toMatchObject({state: 'requeued', attempts: []});
  });
});
