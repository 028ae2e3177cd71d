// The order jobs start in: priority, then submission time, whatever the names; a job put back
// or given back keeps its place; a backlog beyond the read-ahead window; fjd prioritize. Checked
// from the jobs' own start markers, and again across a dispatcher killed half-way.
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {makeHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {waitUntil} from '../helpers/wait.js';
import {dropInTurn, markJob, settled, startOrder} from './schedule-helpers.js';

describe('order', () => {
  it('one worker, 50 jobs of mixed priority: higher priority first, then first in first out, whatever the names', async () => {
    const home = makeHome('order');
    // Names in an order unrelated to submission, priorities from -2 to 2 (some unset).
    const jobs = Array.from({length: 50}, (_, i) => ({
      name: `job-${String((i * 37) % 50).padStart(2, '0')}`,
      priority: i % 6 === 5 ? undefined : (i % 5) - 2,
      index: i,
    }));
    for (const job of jobs)
      dropInTurn(home, job.name, markJob(job.priority === undefined ? {} : {priority: job.priority}));
    await home.run('recruiter', ['hire', '1']);
    // Found by listing, a job written less than the settle time ago waits for it while older
    // ones go out (README, Scheduling): all are older by the time the dispatcher starts.
    await settled(home);
    const result = await home.run('dispatcher', []);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    const expected = [...jobs]
      .sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0) || a.index - b.index)
      .map((j) => j.name);
    expect(startOrder(home)).toEqual(expected);
  });

  it('a dispatcher killed half-way: the next one goes on in the same order', async () => {
    const home = makeHome('order-restart');
    const jobs = Array.from({length: 12}, (_, i) => ({
      name: `j${String((i * 5) % 12).padStart(2, '0')}`,
      priority: i % 3,
      index: i,
    }));
    for (const job of jobs) dropInTurn(home, job.name, markJob({priority: job.priority}, '0.1'));
    await home.run('recruiter', ['hire', '1']);
    await settled(home);
    const first = home.start('dispatcher', []);
    await waitUntil(() => startOrder(home).length >= 4, 20_000, 'four jobs to start');
    first.signal('SIGKILL');
    await first.result;
    const result = await home.run('dispatcher', []);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    const expected = [...jobs].sort((a, b) => b.priority - a.priority || a.index - b.index).map((j) => j.name);
    expect(startOrder(home)).toEqual(expected);
  });
});

describe('a job put back in the queue', () => {
  it('keeps its place in line, across a dispatcher restart too', async () => {
    const home = makeHome('order-requeued');
    dropInTurn(home, 'a', markJob({}, '30'));
    for (const name of ['b', 'c', 'd', 'e']) dropInTurn(home, name, markJob({}, '0.05'));
    await home.run('recruiter', ['hire', '1']);
    const first = home.start('dispatcher', []);
    await waitUntil(() => startOrder(home).includes('a'), 20_000, 'a to start');
    // Stopped on purpose: a goes back to jobqueue/ (a new file time there).
    const fire = await home.run('recruiter', ['fire', '--now']);
    expect(fire.exitCode, fire.stdout + fire.stderr).toBe(0);
    expect(home.ls('jobqueue').sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(home.record('a')).toMatchObject({state: 'requeued', requeuedAs: 'a'});
    first.signal('SIGKILL');
    await first.result;
    // a runs short this time.
    fs.writeFileSync(path.join(home.dir, 'jobqueue', '.a'), markJob({}, '0.05'));
    fs.renameSync(path.join(home.dir, 'jobqueue', '.a'), path.join(home.dir, 'jobqueue', 'a'));
    // (written a while ago, as far as the dispatcher can tell: no wait for it to settle)
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(path.join(home.dir, 'jobqueue', 'a'), old, old);
    await home.run('recruiter', ['hire', '1']);
    const result = await home.run('dispatcher', []);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(startOrder(home)).toEqual(['a', 'a', 'b', 'c', 'd', 'e']);
  });
});

describe('a job given back by a worker busy with a long one', () => {
  it('keeps its place, and is not handed to that worker again while the long job runs', async () => {
    const home = makeHome('order-given-back');
    for (const name of ['s1', 's2', 's3']) dropInTurn(home, name, markJob({}, '0.05'));
    dropInTurn(home, 'long', markJob({}, '3'));
    for (const name of ['x1', 'x2', 'x3']) dropInTurn(home, name, markJob({}, '0.05'));
    await home.run('recruiter', ['hire', '1']);
    const result = await home.run('dispatcher', []);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(startOrder(home)).toEqual(['s1', 's2', 's3', 'long', 'x1', 'x2', 'x3']);
    const log = home
      .ls('.fjd/logs')
      .map((f) => home.read(`.fjd/logs/${f}`))
      .join('');
    // The job that waited behind the long one went back once (not every second).
    expect(log.match(/given back to jobqueue/g)?.length ?? 0).toBeLessThanOrEqual(1);
  });
});

describe('a backlog larger than the read-ahead window', () => {
  it('found at the start, it runs in strict order too: priority, then submission time, whatever the names', async () => {
    const home = makeHome('order-backlog');
    // 30 jobs, 5 read ahead: most of the backlog is beyond the window, read by the sweep.
    const jobs = Array.from({length: 30}, (_, i) => ({
      name: `b-${String((i * 7) % 30).padStart(2, '0')}`,
      priority: [0, 0, 1, -1, 0, 3][i % 6] ?? 0,
      index: i,
    }));
    for (const job of jobs) dropInTurn(home, job.name, markJob(job.priority === 0 ? {} : {priority: job.priority}));
    // The dispatcher reads the backlog first; the worker comes after.
    const dispatcher = home.start('dispatcher', ['--read-ahead', '5']);
    await waitUntil(
      () => dispatcher.output().includes('no worker has announced itself'),
      20_000,
      'the dispatcher to wait for workers',
    );
    await home.run('recruiter', ['hire', '1']);
    const result = await dispatcher.result;
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    const expected = [...jobs].sort((a, b) => b.priority - a.priority || a.index - b.index).map((j) => j.name);
    expect(startOrder(home)).toEqual(expected);
  });

  it('a job of raised priority far down a backlog that is already running goes next', async () => {
    const home = makeHome('order-backlog-raised');
    // Written a while ago (no waiting for the files to settle: they are found by listing).
    const old = new Date(Date.now() - 60_000);
    const drop = (name: string, text: string): void => fs.utimesSync(home.job(name, text), old, old);
    for (let i = 0; i < 40; i++) drop(`a-${String(i).padStart(2, '0')}`, markJob({}, '0.05'));
    drop('z-urgent', markJob({priority: 5}));
    await home.run('recruiter', ['hire', '1']);
    const result = await home.run('dispatcher', ['--read-ahead', '5']);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    // The sweep finds it within a few jobs (the first ones go out before it has read that far).
    expect(startOrder(home).indexOf('z-urgent')).toBeLessThan(10);
    expect(startOrder(home)).toHaveLength(41);
  });
});

describe('fjd prioritize and what a job waits for', () => {
  it('a new priority takes effect at the next pairing, without changing the job file; fjd status JOB says what a job waits for', async () => {
    const home = makeHome('prioritize');
    home.job('blocker', `[control]\nexecutable = ${fixture('hold.sh')}\n`);
    await home.run('recruiter', ['hire', '1']);
    const dispatcher = home.start('dispatcher', ['--watch']);
    await waitUntil(() => fs.existsSync(path.join(home.dir, 'started-blocker')), 20_000, 'the blocker to start');
    for (const name of ['first', 'second', 'third']) dropInTurn(home, name, markJob());
    dropInTurn(home, 'later', markJob({after: 'third'}));
    const before = home.read('jobqueue/third');

    const result = await home.run('fjd', ['prioritize', 'third', '5']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toBe('third: priority 5 (was 0); it takes effect at the next pairing.\n');
    expect(home.read('jobqueue/third')).toBe(before);
    const waiting = await home.run('fjd', ['status', 'later']);
    expect(waiting.stdout).toContain('Waits for: third (open)');
    // A job held by a dependency is held by nothing else: no worker line (the worker is busy).
    expect(waiting.stdout).not.toContain('Waiting:');
    const json = JSON.parse((await home.run('fjd', ['status', 'later', '--json'])).stdout) as {waiting: unknown};
    expect(json.waiting).toEqual([{kind: 'dependency', name: 'third', state: 'open', any: false}]);

    const running = await home.run('fjd', ['prioritize', 'blocker', '9']);
    expect(running.exitCode).toBe(3);
    expect(running.stderr).toContain('blocker is running, not open');
    const bad = await home.run('fjd', ['prioritize', 'first', 'high']);
    expect(bad.exitCode).toBe(2);

    fs.writeFileSync(path.join(home.dir, 'release'), '');
    await waitUntil(() => home.ls('done').length === 5, 20_000, 'every job to finish');
    dispatcher.signal('SIGINT');
    await dispatcher.result;
    expect(startOrder(home)).toEqual(['third', 'first', 'second', 'later']);
    // Used up when the job was handed out: a later job of that name starts from its own file.
    expect(home.ls('.fjd/priority')).toEqual([]);
  });
});
