// Scheduling: priorities then submission time, group limits, dependencies; each checked from
// the jobs' own start and end markers, and again across a dispatcher killed half-way.
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {makeHome, type TestHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {waitUntil} from '../helpers/wait.js';
import {hireOneSlotWorkers} from '../helpers/hire.js';

interface Mark {
  name: string;
  kind: 'start' | 'end';
  ns: bigint;
}

function marks(home: TestHome): Mark[] {
  let text = '';
  try {
    text = home.read('marks.txt');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [name = '', kind = '', ns = '0'] = line.split(' ');
      return {name, kind: kind as Mark['kind'], ns: BigInt(ns)};
    });
}

// Drops a job, then waits until the filesystem's clock (which moves in ticks of a few ms) has
// moved past its ctime, so that each job has its own submission time.
function dropInTurn(home: TestHome, name: string, text: string): void {
  const file = home.job(name, text);
  const submitted = fs.statSync(file, {bigint: true}).ctimeNs;
  const probe = path.join(home.dir, '.clock');
  for (let tries = 0; tries < 100_000; tries++) {
    fs.writeFileSync(probe, '');
    if (fs.statSync(probe, {bigint: true}).ctimeNs > submitted) return;
  }
  throw new Error('the filesystem clock did not move');
}

// Until the filesystem's clock is more than the dispatcher's settle time (1 s) past the jobs
// dropped so far.
async function settled(home: TestHome): Promise<void> {
  const newest = Math.max(
    ...home.ls('jobqueue').map((name) => fs.statSync(path.join(home.dir, 'jobqueue', name)).mtimeMs),
  );
  const probe = path.join(home.dir, '.clock');
  await waitUntil(
    () => {
      fs.writeFileSync(probe, '');
      return fs.statSync(probe).mtimeMs - newest > 1100;
    },
    10_000,
    'the jobs to be older than the settle time',
  );
}

const startOrder = (home: TestHome): string[] =>
  marks(home)
    .filter((m) => m.kind === 'start')
    .map((m) => m.name);

// The most jobs of `names` that ran at the same moment, from their markers.
function mostAtOnce(home: TestHome, names: Set<string>): number {
  const events = marks(home)
    .filter((m) => names.has(m.name))
    .sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : a.kind === 'end' ? -1 : 1));
  let now = 0;
  let most = 0;
  for (const event of events) {
    now += event.kind === 'start' ? 1 : -1;
    most = Math.max(most, now);
  }
  return most;
}

// A job that notes its start and end, holding for `seconds`, exiting with `code`.
function markJob(control: Record<string, string | number> = {}, seconds = '-', code = 0): string {
  const lines = Object.entries(control).map(([key, value]) => `${key} = ${value}`);
  return `[control]\nexecutable = ${fixture('mark.sh')} ${seconds} ${code}\npass_job_file = no\n${lines.join('\n')}\n`;
}

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

describe('limits', () => {
  it('8 workers, a group limited to 2: never more than 2 of it at once, and the others run beside it', async () => {
    const home = makeHome('limit');
    const gpu = new Set<string>();
    for (let i = 0; i < 10; i++) {
      home.job(`gpu${i}`, markJob({group: 'gpu'}, '0.3'));
      gpu.add(`gpu${i}`);
    }
    const cpu = new Set<string>();
    for (let i = 0; i < 10; i++) {
      home.job(`cpu${i}`, markJob({}, '0.3'));
      cpu.add(`cpu${i}`);
    }
    await hireOneSlotWorkers(home, 8);
    const result = await home.run('dispatcher', ['--limit', 'gpu=2']);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(home.ls('done')).toHaveLength(20);
    expect(mostAtOnce(home, gpu)).toBe(2);
    expect(mostAtOnce(home, cpu)).toBeGreaterThan(2);
  });

  it('the limits file in the home, and a dispatcher killed half-way: the limit holds throughout', async () => {
    const home = makeHome('limit-file');
    fs.writeFileSync(path.join(home.dir, 'limits'), '# at most one licence\nlicence = 1\n');
    const names = new Set<string>();
    for (let i = 0; i < 6; i++) {
      home.job(`lic${i}`, markJob({group: 'licence'}, '0.3'));
      names.add(`lic${i}`);
    }
    await home.run('recruiter', ['hire', '4']);
    const first = home.start('dispatcher', []);
    await waitUntil(() => startOrder(home).length >= 2, 20_000, 'two jobs to start');
    first.signal('SIGKILL');
    await first.result;
    const result = await home.run('dispatcher', []);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(home.ls('done')).toHaveLength(6);
    expect(mostAtOnce(home, names)).toBe(1);
  });
});

describe('limits changed while the dispatcher runs', () => {
  it('raising the limit in the limits file lets more of the group run at once from then on', async () => {
    const home = makeHome('limit-live');
    const limits = path.join(home.dir, 'limits');
    fs.writeFileSync(limits, 'gpu = 1\n');
    const names = new Set<string>();
    for (let i = 0; i < 9; i++) {
      home.job(`g${i}`, markJob({group: 'gpu'}, '0.4'));
      names.add(`g${i}`);
    }
    await hireOneSlotWorkers(home, 4);
    const dispatcher = home.start('dispatcher', []);
    await waitUntil(() => marks(home).filter((m) => m.kind === 'end').length >= 2, 30_000, 'two jobs to end');
    const changedAt = BigInt(Date.now()) * 1_000_000n;
    fs.writeFileSync(limits, 'gpu = 3\n');
    const result = await dispatcher.result;
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(home.ls('done')).toHaveLength(9);
    const before = new Set(
      marks(home)
        .filter((m) => m.kind === 'start' && m.ns < changedAt)
        .map((m) => m.name),
    );
    expect(mostAtOnce(home, before)).toBe(1);
    expect(mostAtOnce(home, names)).toBe(3);
  });
});

describe('dependencies', () => {
  it('a chain and a diamond run in dependency order; a failure propagates; after_any waits for any ending; unknown names and cycles fail', async () => {
    const home = makeHome('deps');
    // Dropped in an order that would run them wrongly without dependencies.
    home.job('c.ini', markJob({after: 'b'}));
    home.job('b.ini', markJob({after: 'a.ini'}));
    home.job('a.ini', markJob({}, '0.2'));
    home.job('bottom', markJob({after: 'left, right'}));
    home.job('left', markJob({after: 'top'}, '0.2'));
    home.job('right', markJob({after: 'top'}));
    home.job('top', markJob({}, '0.2'));
    home.job('broken', markJob({}, '-', 3));
    home.job('needs-broken', markJob({after: 'broken'}));
    home.job('after-needs', markJob({after: 'needs-broken'}));
    home.job('cleanup', markJob({after_any: 'broken'}));
    home.job('orphan', markJob({after: 'nosuchjob'}));
    home.job('p', markJob({after: 'q'}));
    home.job('q', markJob({after: 'p'}));
    await home.run('recruiter', ['hire', '3']);
    // (a name that is nowhere is waited for five rescans: 1 s here)
    const result = await home.run('dispatcher', ['--rescan', '200ms']);
    expect(result.exitCode).toBe(1);
    const order = startOrder(home);
    const at = (name: string): number => order.indexOf(name);
    const ended = (name: string): bigint => marks(home).find((m) => m.name === name && m.kind === 'end')?.ns ?? -1n;
    const started = (name: string): bigint => marks(home).find((m) => m.name === name && m.kind === 'start')?.ns ?? -1n;
    for (const [job, dep] of [
      ['b.ini', 'a.ini'],
      ['c.ini', 'b.ini'],
      ['left', 'top'],
      ['right', 'top'],
      ['bottom', 'left'],
      ['bottom', 'right'],
      ['cleanup', 'broken'],
    ]) {
      expect(at(job ?? ''), `${job} ran`).toBeGreaterThanOrEqual(0);
      expect(started(job ?? '') > ended(dep ?? ''), `${job} started after ${dep} ended`).toBe(true);
    }
    expect(home.ls('done').sort()).toEqual(['a.ini', 'b.ini', 'bottom', 'c.ini', 'cleanup', 'left', 'right', 'top']);
    expect(home.ls('failed').sort()).toEqual(['after-needs', 'broken', 'needs-broken', 'orphan', 'p', 'q']);
    expect(home.record('needs-broken')).toMatchObject({state: 'failed', reason: 'dependency broken failed'});
    expect(home.record('after-needs')).toMatchObject({state: 'failed', reason: 'dependency needs-broken failed'});
    expect(home.record('orphan').reason).toMatch(/^dependency nosuchjob is unknown/);
    expect(home.record('p').reason).toMatch(/^dependency cycle: (p → q → p|q → p → q)$/);
    for (const never of ['needs-broken', 'after-needs', 'orphan', 'p', 'q'])
      expect(at(never), `${never} never ran`).toBe(-1);
    expect(result.stdout).toContain('Job needs-broken failed: dependency broken failed');
  });

  it('a chain dropped the wrong way round, the dependent first: it waits for what it needs to turn up', async () => {
    const home = makeHome('deps-late');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(home.job('c', markJob({after: 'b'})), old, old);
    await home.run('recruiter', ['hire', '1']);
    const dispatcher = home.start('dispatcher', []);
    // Started: it has already looked at c, and found no b anywhere.
    await waitUntil(() => dispatcher.output().includes('Dispatcher started.'), 20_000, 'the dispatcher to start');
    home.job('b', markJob({after: 'a'}));
    home.job('a', markJob({}));
    const result = await dispatcher.result;
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(startOrder(home)).toEqual(['a', 'b', 'c']);
  });

  it('a dispatcher killed while a chain waits: the next one finishes it in order', async () => {
    const home = makeHome('deps-restart');
    home.job('s3', markJob({after: 's2'}, '0.2'));
    home.job('s2', markJob({after: 's1'}, '0.2'));
    home.job('s1', markJob({}, '0.4'));
    await home.run('recruiter', ['hire', '2']);
    const first = home.start('dispatcher', []);
    await waitUntil(() => startOrder(home).includes('s1'), 20_000, 's1 to start');
    first.signal('SIGKILL');
    await first.result;
    const result = await home.run('dispatcher', []);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(startOrder(home)).toEqual(['s1', 's2', 's3']);
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
