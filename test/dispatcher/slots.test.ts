// The dispatcher and a worker process with job slots, the worker faked with files alone (as
// one of any fjd would leave them: registered with info.json, a heartbeat renewed, an
// announcement in workerqueue/), and the dispatcher run as a user runs it, watching the home
// or, without inotify, rescanning it.
import fs from 'node:fs';
import {afterEach, describe, expect, it} from 'vitest';
import {writeFileAtomic} from '../../src/home/atomic.js';
import {ensureHome, homePaths} from '../../src/home/layout.js';
import {announcementPath, heartbeatPath, infoPath, podDir, workerDir} from '../../src/home/paths.js';
import type {JobRecord} from '../../src/home/record.js';
import {leavePod} from '../../src/home/transitions.js';
import type {Capacity} from '../../src/job/resources.js';
import {hostName, processStartTime} from '../../src/util/host.js';
import {makeHome, type TestHome} from '../helpers/home.js';
import {waitUntil} from '../helpers/wait.js';

const beats: NodeJS.Timeout[] = [];
afterEach(() => {
  for (const beat of beats.splice(0)) clearInterval(beat);
});

// A registered worker of this process's pid, whose heartbeat this test renews; announced.
function fakeWorker(home: TestHome, id: string, capacity: Capacity | undefined): void {
  const paths = ensureHome(home.dir);
  fs.mkdirSync(podDir(paths, id), {recursive: true});
  const info = {
    fjd: 1,
    id,
    host: hostName(),
    pid: process.pid,
    procStart: processStartTime(process.pid),
    startedAt: new Date().toISOString(),
    cwd: home.dir,
    log: null,
    heartbeatMs: 1000,
    ...(capacity === undefined ? {} : {capacity}),
  };
  fs.writeFileSync(infoPath(paths, id), JSON.stringify(info));
  let beat = 0;
  fs.writeFileSync(heartbeatPath(paths, id), String(beat));
  beats.push(setInterval(() => fs.writeFileSync(heartbeatPath(paths, id), String(++beat)), 500));
  announce(home, id);
}

function announce(home: TestHome, id: string): void {
  const paths = homePaths(home.dir);
  writeFileAtomic(
    paths.tmp,
    announcementPath(paths, id),
    JSON.stringify({fjd: 1, id, host: hostName(), pid: process.pid}),
  );
}

const pod = (home: TestHome, id: string): string[] =>
  home.ls(`.fjd/workers/${id}/pod`).filter((n) => !n.startsWith('.'));

// The dispatcher's rescans so far (it renews its lock at each).
const rescans = (home: TestHome): number => (JSON.parse(home.read('.fjd/dispatcher.lock')) as {beat: number}).beat;

// Until the dispatcher has looked at everything again twice: what it was going to do, it has.
async function twoRescans(home: TestHome): Promise<void> {
  const now = rescans(home);
  // A loaded machine stretches the rescans (a look may take no more than 2% of the time).
  await waitUntil(() => rescans(home) >= now + 2, 30_000, 'two rescans of the dispatcher');
}

// What the worker does when a job ends: its record says so, and the file leaves the pod. The
// job ran long (its record says 5 s): it ends no sooner than a second and a bit after it was
// handed out, as a real long job would, since the dispatcher takes the time from hand-out to
// end as a bound on how long a job ran (dispatcher/landings.ts).
async function finish(home: TestHome, worker: string, id: string): Promise<void> {
  const paths = homePaths(home.dir);
  const record = home.record(id) as unknown as JobRecord;
  const handedOut = Date.parse(record.assignedAt ?? '');
  await waitUntil(() => Date.now() - handedOut > 1200, 20_000, `${id} out for over a second`);
  leavePod(paths, podDir(paths, worker), {...record, state: 'finished', exitCode: 0, durationMs: 5000});
}

describe.each([
  ['watching the home', {}],
  ['rescanning it alone (no inotify)', {FJD_WATCH_FAULT: 'EMFILE'}],
])('a worker with 2 slots, the dispatcher %s', (_how, env) => {
  it('gets as many jobs as fit, no more until one has ended, and none once its announcement is gone', async () => {
    const home = makeHome('slots');
    fakeWorker(home, 'w1', {slots: 2, cpus: 2, memoryBytes: null, gpus: []});
    for (const n of [1, 2, 3, 4, 5]) home.job(`j${n}`, '[control]\nexecutable = true\n');
    const dispatcher = home.start('dispatcher', ['--watch', '--rescan', '200ms', '--settle', '100ms'], {env});
    await waitUntil(() => pod(home, 'w1').length === 2, 20_000, 'two jobs in the pod');
    await twoRescans(home);
    expect(pod(home, 'w1')).toHaveLength(2);
    expect(home.ls('jobqueue')).toHaveLength(3);
    for (const id of pod(home, 'w1')) {
      expect(home.record(id)).toMatchObject({state: 'assigned', worker: 'w1', request: null});
    }

    // One ends: one more goes in, and no other.
    const [first = ''] = pod(home, 'w1');
    await finish(home, 'w1', first);
    await waitUntil(() => home.ls('jobqueue').length === 2, 20_000, 'one more job handed out');
    await twoRescans(home);
    expect(pod(home, 'w1')).toHaveLength(2);
    expect(home.ls('done')).toEqual([first]);

    // It stops taking jobs (its announcement gone): an end frees a slot, and nothing comes.
    fs.rmSync(announcementPath(homePaths(home.dir), 'w1'));
    const [second = ''] = pod(home, 'w1');
    await finish(home, 'w1', second);
    await twoRescans(home);
    expect(pod(home, 'w1')).toHaveLength(1);
    expect(home.ls('jobqueue')).toHaveLength(2);

    // Announced again, it fills its free slot.
    announce(home, 'w1');
    await waitUntil(() => pod(home, 'w1').length === 2, 20_000, 'the free slot filled again');
    expect(home.ls('jobqueue')).toHaveLength(1);
    dispatcher.signal('SIGINT');
    const result = await dispatcher.result;
    expect(result.exitCode, result.stderr).toBe(130);
    expect(fs.existsSync(workerDir(homePaths(home.dir), 'w1'))).toBe(true);
  });
});

it('a worker of an earlier fjd (no capacity in its info.json) gets one job at a time, and the dispatcher says so once', async () => {
  const home = makeHome('earlier');
  fakeWorker(home, 'old1', undefined);
  fakeWorker(home, 'old2', undefined);
  for (const n of [1, 2, 3, 4]) home.job(`j${n}`, '[control]\nexecutable = true\n');
  const dispatcher = home.start('dispatcher', ['--watch', '--rescan', '200ms', '--settle', '100ms']);
  await waitUntil(() => pod(home, 'old1').length + pod(home, 'old2').length === 2, 20_000, 'a job for each');
  await twoRescans(home);
  expect([pod(home, 'old1').length, pod(home, 'old2').length]).toEqual([1, 1]);
  dispatcher.signal('SIGINT');
  const result = await dispatcher.result;
  expect(result.stderr.match(/is of an earlier fjd/g)).toHaveLength(1);
  expect(result.stderr).toMatch(
    /^dispatcher: warning: worker old[12] is of an earlier fjd \(its info\.json says nothing of its slots\): it is given one job at a time, of 1 cpu and no GPU \(and any other such worker is not told of again\); fire it and hire it again with this fjd to give it more$/m,
  );
});

it('a job of 2 cpus and two of 1 on a worker of 2 slots: the big one alone, its request in its record; a job of 4 cpus waits, told once', async () => {
  const home = makeHome('requests');
  fakeWorker(home, 'w1', {slots: 2, cpus: 2, memoryBytes: null, gpus: []});
  home.job('a-big', '[control]\nexecutable = true\ncpus = 2\n');
  const dispatcher = home.start('dispatcher', ['--watch', '--rescan', '200ms', '--settle', '100ms']);
  await waitUntil(() => pod(home, 'w1').length === 1, 20_000, 'the big job in the pod');
  home.job('b-small', '[control]\nexecutable = true\n');
  home.job('c-small', '[control]\nexecutable = true\n');
  home.job('d-huge', '[control]\nexecutable = true\ncpus = 4\n');
  await twoRescans(home);
  expect(pod(home, 'w1')).toEqual(['a-big']);
  expect(home.record('a-big')).toMatchObject({request: {cpus: 2, memoryBytes: 0, gpus: 0}});
  await finish(home, 'w1', 'a-big');
  await waitUntil(() => pod(home, 'w1').length === 2, 20_000, 'the two small ones in the pod');
  expect(pod(home, 'w1')).toEqual(['b-small', 'c-small']);
  expect(home.ls('jobqueue')).toEqual(['d-huge']);
  // With room again, d-huge comes up in line: it waits, and the dispatcher says why.
  await finish(home, 'w1', 'b-small');
  const told =
    'dispatcher: warning: job d-huge waits: it needs 4 cpus; the only worker offers 2 cpus. It runs once a worker that offers that much registers (other jobs that ask for 4 cpus wait too, without another warning)\n';
  await waitUntil(() => dispatcher.output().includes(told), 20_000, 'the warning about d-huge');
  await twoRescans(home);
  expect(home.ls('jobqueue')).toEqual(['d-huge']);
  expect(pod(home, 'w1')).toEqual(['c-small']);
  dispatcher.signal('SIGINT');
  const result = await dispatcher.result;
  expect(result.stderr.split(told)).toHaveLength(2);
});

it('a worker of an earlier fjd, which takes its announcement away while it runs a job: it gets the next when it announces itself again, and the jobs are said to wait for it once', async () => {
  const home = makeHome('earlier-cycle');
  fakeWorker(home, 'old', undefined);
  for (const n of [1, 2, 3, 4]) home.job(`j${n}`, '[control]\nexecutable = true\n');
  const dispatcher = home.start('dispatcher', ['--watch', '--rescan', '200ms', '--settle', '100ms']);
  for (const n of [1, 2, 3, 4]) {
    await waitUntil(() => pod(home, 'old').length === 1, 20_000, `job ${n} in the pod`);
    // As such a worker does: busy, it is not announced; its job done, it is again.
    fs.rmSync(announcementPath(homePaths(home.dir), 'old'));
    await twoRescans(home);
    const [id = ''] = pod(home, 'old');
    await finish(home, 'old', id);
    announce(home, 'old');
  }
  await waitUntil(() => home.ls('done').length === 4, 20_000, 'the four jobs done');
  dispatcher.signal('SIGINT');
  const result = await dispatcher.result;
  expect(result.stdout.match(/waiting: the worker is busy/g)).toHaveLength(1);
});
