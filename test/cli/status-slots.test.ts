// `fjd status` of worker processes with several slots, and why an open job waits for
// resources, on homes built by hand the way workers and a dispatcher leave them (info.json
// with a capacity, the note of the running jobs, pods, records with a request, a lock), and
// on a real `worker --slots 2`.
import fs from 'node:fs';
import path from 'node:path';
import {expect, it} from 'vitest';
import {makeHome, type TestHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {waitUntil} from '../helpers/wait.js';
import {statusOf} from '../helpers/status.js';
import {STATUS_SCHEMA, schemaProblems} from '../helpers/status-schema.js';

const G = 1024 ** 3;

function write(home: TestHome, rel: string, text: string): string {
  const file = path.join(home.dir, rel);
  fs.mkdirSync(path.dirname(file), {recursive: true, mode: 0o700});
  fs.writeFileSync(file, text);
  return file;
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function info(id: string, host: string, pid: number, capacity?: unknown): Record<string, unknown> {
  return {
    fjd: 1,
    id,
    host,
    pid,
    procStart: null,
    startedAt: '2026-12-01T09:00:00.000Z',
    cwd: '/',
    log: null,
    heartbeatMs: 5000,
    ...(capacity === undefined ? {} : {capacity}),
  };
}

function record(id: string, request: unknown): Record<string, unknown> {
  return {
    fjd: 1,
    id,
    name: id,
    state: 'running',
    worker: 'n1-100',
    host: 'n1',
    reason: null,
    command: null,
    workdir: null,
    file: null,
    requeuedAs: null,
    request,
    attempts: [],
  };
}

// A home of three worker processes on other hosts, and a dispatcher on yet another:
// - n1-100 offers 4 slots, 8 cpus, 16G and GPUs 0 and 1; it runs j1 in slot 1 (2 cpus, 1G,
//   GPU 1, as its note says) and j3 in slot 3 (4 cpus, as its record says: the note names
//   no cpus), and holds j4, not started;
// - old-7 is a worker of an earlier fjd (no capacity), idle;
// - n3-5 is starting (no info.json yet).
// By the file server's clock its heartbeat is 95 s newer than its announcement, which says it
// was written at 09:59:00 by the worker's clock: so j1, started at 10:00:00, has run 35 s.
function buildHome(): TestHome {
  const home = makeHome('status-slots');
  for (const dir of ['jobqueue', 'workerqueue', 'done', 'failed', '.fjd/records', '.fjd/workers/n3-5/pod'])
    fs.mkdirSync(path.join(home.dir, dir), {recursive: true, mode: 0o700});
  const w = '.fjd/workers/n1-100';
  write(
    home,
    `${w}/info.json`,
    json(info('n1-100', 'n1', 100, {slots: 4, cpus: 8, memoryBytes: 16 * G, gpus: ['0', '1']})),
  );
  const announced = write(home, 'workerqueue/n1-100', json({fjd: 1, id: 'n1-100', at: '2026-12-01T09:59:00.000Z'}));
  const current = write(
    home,
    `${w}/current`,
    `${JSON.stringify({
      jobs: [
        {id: 'j1', attempt: 1, startedAt: '2026-12-01T10:00:00.000Z', slot: 1, cpus: 2, memoryBytes: G, gpus: ['1']},
        {id: 'j3', attempt: 2, startedAt: '2026-12-01T10:00:30.000Z', slot: 3},
      ],
    })}\n`,
  );
  const heartbeat = write(home, `${w}/heartbeat`, '000000000000042 ok             \n');
  const t = Date.now() / 1000;
  fs.utimesSync(announced, t - 95, t - 95);
  fs.utimesSync(current, t - 5, t - 5);
  fs.utimesSync(heartbeat, t, t);
  for (const id of ['j1', 'j3', 'j4']) write(home, `${w}/pod/${id}`, '[control]\nexecutable = true\n');
  write(home, '.fjd/records/j1.json', json(record('j1', {cpus: 2, memoryBytes: G, gpus: 1})));
  write(home, '.fjd/records/j3.json', json(record('j3', {cpus: 4, memoryBytes: 0, gpus: 0})));
  write(home, '.fjd/records/j4.json', json(record('j4', null)));
  write(home, '.fjd/workers/old-7/info.json', json(info('old-7', 'n2', 7)));
  fs.mkdirSync(path.join(home.dir, '.fjd/workers/old-7/pod'), {mode: 0o700});
  write(home, 'workerqueue/old-7', '{}\n');
  write(
    home,
    '.fjd/dispatcher.lock',
    json({token: 't', host: 'n0', pid: 1, procStart: null, startedAt: '2026-12-01T09:00:00.000Z', beat: 1}),
  );
  return home;
}

it('fjd status lists each worker process with its slots, what runs in each, and what is free; --json the same', async () => {
  const home = buildHome();
  const result = await home.run('fjd', ['status']);
  expect(result).toMatchObject({exitCode: 0, stderr: ''});
  expect(result.stdout).toBe(
    [
      `Home: ${home.dir}`,
      'Jobs: 0 open, 1 assigned, 2 running, 0 finished, 0 failed',
      'Rate: no job ended in the last 5 minutes',
      'Workers: 3 on 2 hosts; slots: 2 of 5 busy',
      '  n1-100  n1  pid 100  busy  2 of 4 slots busy; free: 2 cpus, 15G memory, 1 GPU',
      '    slot 1  j1 for 35 s  (2 cpus, 1G of memory, GPU 1)',
      '    slot 3  j3 for 5 s  (4 cpus)',
      '    assigned, not started: j4',
      '  n3-5  ?  pid ?  starting',
      '  old-7  n2  pid 7  idle  (a worker of an earlier fjd: 1 slot)',
      '',
    ].join('\n'),
  );

  const status = await statusOf(home);
  expect(status.slots).toEqual({total: 5, busy: 2});
  expect(status.workers).toEqual([
    {
      id: 'n1-100',
      host: 'n1',
      pid: 100,
      state: 'busy',
      job: 'j1',
      jobStartedAt: '2026-12-01T10:00:00.000Z',
      jobRunningForMs: expect.closeTo(35_000, -2) as number,
      log: null,
      problem: null,
      capacity: {slots: 4, cpus: 8, memoryBytes: 16 * G, gpus: ['0', '1']},
      earlierFjd: false,
      free: {slots: 2, cpus: 2, memoryBytes: 15 * G, gpus: 1},
      running: [
        {
          slot: 1,
          job: 'j1',
          attempt: 1,
          startedAt: '2026-12-01T10:00:00.000Z',
          runningForMs: expect.closeTo(35_000, -2) as number,
          request: {cpus: 2, memoryBytes: G, gpus: 1},
          gpuIds: ['1'],
        },
        {
          slot: 3,
          job: 'j3',
          attempt: 2,
          startedAt: '2026-12-01T10:00:30.000Z',
          runningForMs: expect.closeTo(5_000, -2) as number,
          request: {cpus: 4, memoryBytes: 0, gpus: 0},
          gpuIds: [],
        },
      ],
      assigned: ['j4'],
    },
    {
      id: 'n3-5',
      host: null,
      pid: null,
      state: 'starting',
      job: null,
      jobStartedAt: null,
      jobRunningForMs: null,
      log: null,
      problem: null,
      capacity: null,
      earlierFjd: false,
      free: null,
      running: [],
      assigned: [],
    },
    {
      id: 'old-7',
      host: 'n2',
      pid: 7,
      state: 'idle',
      job: null,
      jobStartedAt: null,
      jobRunningForMs: null,
      log: null,
      problem: null,
      capacity: {slots: 1, cpus: 1, memoryBytes: null, gpus: []},
      earlierFjd: true,
      free: {slots: 1, cpus: 1, memoryBytes: null, gpus: 0},
      running: [],
      assigned: [],
    },
  ]);
  // Every field of workers[] occurs here (a real run has no starting worker or GPUs to show).
  expect(schemaProblems(status, STATUS_SCHEMA).filter((p) => p.includes('workers[]') || p.includes('slots.'))).toEqual(
    [],
  );
});

it('fjd status JOB says why an open job waits for resources: no worker could ever run it, or none has that much free now', async () => {
  const home = buildHome();
  home.job('huge', '[control]\nexecutable = true\ncpus = 16\n');
  home.job('wide', '[control]\nexecutable = true\ncpus = 8\n');
  home.job('twogpus', '[control]\nexecutable = true\ngpus = 2\n');
  home.job('small', '[control]\nexecutable = true\n');

  const huge = await home.run('fjd', ['status', 'huge']);
  expect(huge).toMatchObject({exitCode: 0, stderr: ''});
  expect(huge.stdout).toBe(
    'Job:     huge\nState:   open\nFile:    jobqueue/huge\n' +
      'Held:    no worker hired can run it: needs 16 cpus; the largest worker offers 8 cpus (hire a worker that offers that much, or ask for less in its [control])\n' +
      'Record:  none yet (a job gets its record when it is assigned to a worker)\n',
  );
  expect((await home.run('fjd', ['status', 'wide'])).stdout).toContain(
    '\nWaiting: for room on a worker: needs 8 cpus; at most 2 are free on any worker\n',
  );
  expect((await home.run('fjd', ['status', 'twogpus'])).stdout).toContain(
    '\nWaiting: for room on a worker: needs 2 GPUs; at most 1 is free on any worker\n',
  );
  const small = (await home.run('fjd', ['status', 'small'])).stdout;
  expect(small).not.toContain('Waiting:');
  expect(small).not.toContain('Held:');

  const waiting = async (ref: string): Promise<unknown> =>
    (JSON.parse((await home.run('fjd', ['status', ref, '--json'])).stdout) as {waiting: unknown}).waiting;
  expect(await waiting('huge')).toEqual([
    {
      kind: 'unfittable',
      request: {cpus: 16, memoryBytes: 0, gpus: 0},
      reason: 'needs 16 cpus; the largest worker offers 8 cpus',
    },
  ]);
  expect(await waiting('wide')).toEqual([
    {
      kind: 'resources',
      request: {cpus: 8, memoryBytes: 0, gpus: 0},
      reason: 'needs 8 cpus; at most 2 are free on any worker',
    },
  ]);
  expect(await waiting('small')).toEqual([]);

  // Without a dispatcher a job no worker could run says both.
  fs.rmSync(path.join(home.dir, '.fjd/dispatcher.lock'));
  expect(await waiting('huge')).toEqual([
    {kind: 'dispatcher'},
    {
      kind: 'unfittable',
      request: {cpus: 16, memoryBytes: 0, gpus: 0},
      reason: 'needs 16 cpus; the largest worker offers 8 cpus',
    },
  ]);
  expect(await waiting('wide')).toEqual([{kind: 'dispatcher'}]);
});

it('fjd status shows a real worker --slots 2: its free capacity, and the job it runs in slot 1', async () => {
  const home = makeHome('status-slots-real');
  const worker = home.start('worker', ['--slots', '2', '--memory', '1G']);
  await waitUntil(() => home.ls('workerqueue').length === 1, 20_000, 'the worker to announce itself');
  const id = home.ls('workerqueue')[0] ?? '';
  const idle = (await home.run('fjd', ['status'])).stdout;
  expect(idle).toMatch(
    new RegExp(
      `^Workers: 1; slots: 0 of 2 busy\\n {2}${id} {2}\\S+ {2}pid \\d+ {2}idle {2}0 of 2 slots busy; free: 2 cpus, 1G memory\\n`,
      'm',
    ),
  );

  home.job('held', `[control]\nexecutable = ${fixture('hold.sh')}\n`);
  const dispatcher = home.start('dispatcher', []);
  await waitUntil(() => home.ls('.').includes('started-held'), 20_000, 'the job to start');
  await waitUntil(async () => (await statusOf(home)).counts.running === 1, 10_000, 'fjd status to say running');
  const busy = (await home.run('fjd', ['status'])).stdout;
  expect(busy).toMatch(
    new RegExp(
      `^Workers: 1; slots: 1 of 2 busy\\n {2}${id} {2}\\S+ {2}pid \\d+ {2}busy {2}1 of 2 slots busy; free: 1 cpu, 1G memory\\n {4}slot 1 {2}held for \\d+ s\\n`,
      'm',
    ),
  );
  const [w] = (await statusOf(home)).workers;
  expect(w).toMatchObject({
    capacity: {slots: 2, cpus: 2, memoryBytes: G, gpus: []},
    earlierFjd: false,
    free: {slots: 1, cpus: 1, memoryBytes: G, gpus: 0},
    running: [{slot: 1, job: 'held', attempt: 1, request: {cpus: 1, memoryBytes: 0, gpus: 0}, gpuIds: []}],
    assigned: [],
  });

  fs.writeFileSync(path.join(home.dir, 'release'), '');
  expect((await dispatcher.result).exitCode).toBe(0);
  expect((await home.run('recruiter', ['fire', '--wait'])).exitCode).toBe(0);
  expect((await worker.result).exitCode).toBe(0);
});
