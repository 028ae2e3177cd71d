// The job starter driven directly (run/job-starter.ts, run/starter-process.ts): jobs started
// through it behave as Node's spawn starts them (test/worker/ and test/reliability/ run every
// other case through the worker), and its own ends: a Python that is not there, a starter
// killed while its jobs run, one that is idle, one told to stop with the worker.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, expect, it} from 'vitest';
import type {CommandPlan} from '../../src/job/command.js';
import {JobStarter} from '../../src/run/job-starter.js';
import {runJob, type RunOptions} from '../../src/run/run-job.js';
import {isRunning, signalIfAlive} from '../helpers/processes.js';
import {waitUntil} from '../helpers/wait.js';

const dirs: string[] = [];
const starters: JobStarter[] = [];
const pids: number[] = [];
afterEach(() => {
  for (const starter of starters.splice(0)) starter.close();
  for (const pid of pids.splice(0)) signalIfAlive(-pid, 'SIGKILL');
  for (const dir of dirs.splice(0)) fs.rmSync(dir, {recursive: true, force: true});
});

const env = {PATH: process.env.PATH ?? '/usr/bin:/bin'};

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fjd-starter-'));
  dirs.push(dir);
  return dir;
}

function shell(dir: string, line: string, name = 'job'): RunOptions {
  const plan: CommandPlan = {file: '/bin/sh', args: ['-c', line], shell: true, passJobFile: false};
  return {
    plan,
    jobFile: path.join(dir, 'job.ini'),
    cwd: dir,
    env,
    stdoutFile: path.join(dir, `${name}.out`),
    stderrFile: path.join(dir, `${name}.err`),
  };
}

// A starter, with what it logs, once it is ready (a first job has gone through).
async function readyStarter(choice?: string, idleMs?: number): Promise<{starter: JobStarter; log: string[]}> {
  const log: string[] = [];
  const starter = new JobStarter({choice, env, log: (line) => log.push(line), idleMs});
  starters.push(starter);
  await untilReady(starter, tempDir());
  return {starter, log};
}

// Starts jobs of `true` until the starter is ready (they go by Node meanwhile).
async function untilReady(starter: JobStarter, dir: string): Promise<void> {
  await waitUntil(
    async () => {
      await (
        await starter.start(shell(dir, 'true'))
      ).result;
      return starter.way === 'starter';
    },
    20_000,
    'the job starter to be ready',
  );
}

function starterPid(log: string[]): number {
  const pid = Number(/pid (\d+)\)/.exec(log.join('\n'))?.[1]);
  expect(pid).toBeGreaterThan(1);
  return pid;
}

function parentOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

it('starts a job in its own session with its output in its files, and tells its exit code and signal', async () => {
  const {starter, log} = await readyStarter();
  const dir = tempDir();
  const job = await starter.start(shell(dir, 'echo out; echo err >&2; ps -o sid= -p $$ > sid; exit 3'));
  expect(await job.result).toEqual({exitCode: 3, signal: null, spawnError: null});
  expect(fs.readFileSync(path.join(dir, 'job.out'), 'utf8')).toBe('out\n');
  expect(fs.readFileSync(path.join(dir, 'job.err'), 'utf8')).toBe('err\n');
  expect(Number(fs.readFileSync(path.join(dir, 'sid'), 'utf8'))).toBe(job.pid);
  expect(log).toEqual([
    expect.stringMatching(/^jobs are started by fjd's job starter \(\/usr\/bin\/python3, pid \d+\)$/),
  ]);
  const killed = await starter.start(shell(dir, 'kill -USR1 $$', 'killed'));
  expect(await killed.result).toEqual({exitCode: null, signal: 'SIGUSR1', spawnError: null});
});

it('runs a job as a child of the starter, with no signal ignored or blocked that Node would not', async () => {
  const {starter, log} = await readyStarter();
  const dir = tempDir();
  const mask = "grep -E '^Sig(Ign|Blk)' /proc/self/status";
  const job = await starter.start(shell(dir, `ps -o ppid= -p $$ > ppid; ${mask}`, 'starter'));
  await job.result;
  expect(Number(fs.readFileSync(path.join(dir, 'ppid'), 'utf8'))).toBe(starterPid(log));
  const byNode = runJob(shell(dir, mask, 'node'));
  await byNode.result;
  expect(fs.readFileSync(path.join(dir, 'starter.out'), 'utf8')).toBe(
    fs.readFileSync(path.join(dir, 'node.out'), 'utf8'),
  );
});

it("says why a job could not start in Node's spawn's words, and throws where spawn throws", async () => {
  const {starter} = await readyStarter();
  const dir = tempDir();
  const nowhere: RunOptions = {...shell(dir, ''), plan: {file: '/nowhere', args: [], shell: false, passJobFile: true}};
  const viaStarter = await (await starter.start(nowhere)).result;
  const viaNode = await runJob(nowhere).result;
  expect(viaStarter).toEqual({exitCode: null, signal: null, spawnError: 'spawn /nowhere ENOENT'});
  expect(viaStarter).toEqual(viaNode);
  const gone = {...shell(dir, 'true'), cwd: path.join(dir, 'gone')};
  expect(await (await starter.start(gone)).result).toEqual(await runJob(gone).result);
  const unwritable = {...shell(dir, 'true'), stdoutFile: path.join(dir, 'no', 'such', 'dir', 'out')};
  let thrown: unknown;
  try {
    runJob(unwritable);
  } catch (error) {
    thrown = error;
  }
  await expect(starter.start(unwritable)).rejects.toMatchObject({message: (thrown as Error).message, code: 'ENOENT'});
});

it('goes on through SIGINT, SIGTERM and SIGHUP, which reach it with its worker', async () => {
  const {starter, log} = await readyStarter();
  const dir = tempDir();
  const job = await starter.start(shell(dir, 'sleep 0.5; exit 4'));
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) signalIfAlive(starterPid(log), signal);
  expect(await job.result).toEqual({exitCode: 4, signal: null, spawnError: null});
  expect(isRunning(starterPid(log))).toBe(true);
});

it('killed while a job runs: the job ends lost once it is gone, the next job starts another starter, and after 3 ends jobs go by Node', async () => {
  const {starter, log} = await readyStarter();
  const dir = tempDir();
  const job = await starter.start(shell(dir, 'sleep 0.6'));
  pids.push(job.pid ?? 0);
  const first = starterPid(log);
  signalIfAlive(first, 'SIGKILL');
  const result = await job.result;
  expect(isRunning(job.pid ?? 0)).toBe(false);
  expect(result).toEqual({
    exitCode: null,
    signal: null,
    spawnError: null,
    lost: `exit status unknown: fjd's job starter (/usr/bin/python3, pid ${first}) ended (killed by signal SIGKILL) while it ran`,
  });
  expect(log[1]).toBe(
    `fjd's job starter (/usr/bin/python3, pid ${first}) ended (killed by signal SIGKILL); 1 running job went on without it; the next job starts another`,
  );
  for (let end = 2; end <= 3; end++) {
    await untilReady(starter, dir);
    const again = await starter.start(shell(dir, `ps -o ppid= -p $$ > ppid; sleep 0.3`));
    pids.push(again.pid ?? 0);
    await waitUntil(
      () => fs.existsSync(path.join(dir, 'ppid')) && fs.statSync(path.join(dir, 'ppid')).size > 0,
      5_000,
      'its parent',
    );
    const parent = Number(fs.readFileSync(path.join(dir, 'ppid'), 'utf8'));
    fs.rmSync(path.join(dir, 'ppid'));
    expect(parent).not.toBe(first);
    signalIfAlive(parent, 'SIGKILL');
    expect((await again.result).lost).toMatch(/^exit status unknown: fjd's job starter/);
  }
  expect(log.at(-1)).toMatch(/; it ended 3 times, so jobs are started by Node from now on$/);
  const byNode = await starter.start(shell(dir, 'ps -o ppid= -p $$'));
  await byNode.result;
  expect(Number(fs.readFileSync(path.join(dir, 'job.out'), 'utf8'))).toBe(process.pid);
  expect(starter.way).toBe('node');
});

it('without a Python to run it, starts jobs with Node and says so once', async () => {
  for (const [choice, said] of [
    [
      '/nowhere/python3',
      /^jobs are started by Node: fjd's job starter \(\/nowhere\/python3\) ended \(spawn \/nowhere\/python3 ENOENT\) before it was ready$/,
    ],
    ['node', /^jobs are started by Node \(FJD_JOB_STARTER=node\)$/],
  ] as const) {
    const log: string[] = [];
    const starter = new JobStarter({choice, env, log: (line) => log.push(line)});
    starters.push(starter);
    const dir = tempDir();
    for (let i = 0; i < 5; i++) {
      const job = await starter.start(shell(dir, 'ps -o ppid= -p $$; exit 5'));
      expect(await job.result).toEqual({exitCode: 5, signal: null, spawnError: null});
      expect(Number(fs.readFileSync(path.join(dir, 'job.out'), 'utf8'))).toBe(process.pid);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(log).toEqual([expect.stringMatching(said)]);
  }
});

it('ends once it has had no job for a while, and when closed; a job after that starts another', async () => {
  const {starter, log} = await readyStarter(undefined, 300);
  const first = starterPid(log);
  await waitUntil(() => !isRunning(first), 10_000, 'the idle starter to end');
  const dir = tempDir();
  await waitUntil(
    async () => {
      await (
        await starter.start(shell(dir, 'ps -o ppid= -p $$'))
      ).result;
      return Number(fs.readFileSync(path.join(dir, 'job.out'), 'utf8')) !== process.pid;
    },
    20_000,
    'another starter',
  );
  const second = Number(fs.readFileSync(path.join(dir, 'job.out'), 'utf8'));
  expect(second).not.toBe(first);
  const held = await starter.start(shell(dir, 'sleep 0.5; exit 6'));
  pids.push(held.pid ?? 0);
  const starterOfHeld = parentOf(held.pid ?? 0);
  starter.close();
  await waitUntil(() => !isRunning(starterOfHeld), 10_000, 'the closed starter to end');
  expect(isRunning(held.pid ?? 0)).toBe(true);
});
