// `recruiter hire --slurm` against a real Slurm cluster of two nodes on this machine, with two
// GPUs each (slurmctld, a slurmd per node and munged started by test/helpers/slurm.ts): the
// job runs one worker on each node it gets, with the CPUs, memory and GPUs it got there; the
// workers run jobs, `recruiter fire` cancels the job, and a job cancelled by Slurm itself (as
// at the end of an allocation) puts its running jobs back in the queue, as interrupted and
// not failed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {makeHome, type TestHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {isRunning, processesMentioning} from '../helpers/processes.js';
import {statusOf} from '../helpers/status.js';
import {STATUS_SCHEMA, schemaProblems} from '../helpers/status-schema.js';
import {startSlurm, type SlurmCluster} from '../helpers/slurm.js';
import {waitUntil} from '../helpers/wait.js';

let cluster: SlurmCluster | undefined;
let skipped: string | undefined;

beforeAll(async () => {
  const started = await startSlurm('hire', {nodes: 2, gpus: 2});
  if (typeof started === 'string') {
    skipped = started;
    console.warn(`Slurm tests skipped: ${started}`);
  } else {
    cluster = started;
  }
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
}, 60_000);

function slurm(): SlurmCluster {
  if (cluster === undefined) throw new Error(`no Slurm cluster: ${skipped ?? 'not started'}`);
  return cluster;
}

// A worker process of the home: its pid, the Slurm node it runs on, and its info.json capacity.
interface SlurmWorker {
  pid: number;
  node: string;
  cpusOnNode: number;
  capacity: {slots: number; cpus: number; memoryBytes: number | null; gpus: string[]};
}

// The home's running worker processes, found by their command line, with what Slurm told each
// of its node (SLURMD_NODENAME, SLURM_CPUS_ON_NODE in its environment).
function slurmWorkers(home: TestHome): SlurmWorker[] {
  const infos = home
    .ls('.fjd/workers')
    .map(
      (id) => JSON.parse(home.read(`.fjd/workers/${id}/info.json`)) as {pid: number; capacity: SlurmWorker['capacity']},
    );
  return processesMentioning(home.dir)
    .filter((p) => p.command.startsWith(`${process.execPath} `) && p.command.includes('dist/cli/worker.js'))
    .filter((p) => isRunning(p.pid))
    .map(({pid}) => {
      const env = new Map(
        fs
          .readFileSync(`/proc/${pid}/environ`, 'utf8')
          .split('\0')
          .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as const),
      );
      const info = infos.find((i) => i.pid === pid);
      if (info === undefined) throw new Error(`worker ${pid} has no info.json`);
      return {
        pid,
        node: env.get('SLURMD_NODENAME') ?? '',
        cpusOnNode: Number(env.get('SLURM_CPUS_ON_NODE')),
        capacity: info.capacity,
      };
    })
    .sort((a, b) => a.node.localeCompare(b.node));
}

// Hires through Slurm (`--slurm SLOTS` and more sbatch options) and waits until `workers`
// workers have announced themselves; returns the job id.
async function hireOnSlurm(home: TestHome, slots: number, workers: number, sbatch: string[] = []): Promise<string> {
  const hire = await home.run('recruiter', [
    'hire',
    '--slurm',
    String(slots),
    '--heartbeat',
    '500ms',
    '--sbatch-arg=--time=10',
    ...sbatch.map((arg) => `--sbatch-arg=${arg}`),
  ]);
  expect(hire.stderr).toBe('');
  const job = new RegExp(
    `^Submitted Slurm job (\\d+) for ${slots} slots?, one worker on each node it gets; they join when it starts`,
  ).exec(hire.stdout)?.[1];
  expect(job, hire.stdout).toBeDefined();
  await waitUntil(
    async () => (await statusOf(home)).workers.filter((w) => w.state === 'idle').length === workers,
    30_000,
    `${workers} Slurm workers to announce themselves`,
  );
  return job ?? '';
}

function records(home: TestHome): Record<string, unknown>[] {
  return home.ls('.fjd/slurm').map((name) => JSON.parse(home.read(`.fjd/slurm/${name}`)) as Record<string, unknown>);
}

// The jobs `hold.sh` runs, all started; then the Slurm job ends by `end`; then every one of
// them is back in jobqueue/ with one attempt, requeued, and no worker or job process is left.
// `endedAs`: the state Slurm ends the job in (a pattern).
async function interruptHeldJobs(
  home: TestHome,
  job: string,
  why: string,
  endedAs: string,
  end: () => Promise<void>,
): Promise<void> {
  const names = ['held-a', 'held-b'];
  for (const name of names) home.job(name, `[control]\nexecutable = ${fixture('hold.sh')}\n`);
  const dispatcher = home.start('dispatcher', ['--lease', '10s', '--heartbeat', '500ms']);
  await waitUntil(
    () => names.every((n) => fs.existsSync(path.join(home.dir, `started-${n}`))),
    30_000,
    'both held jobs to start',
  );
  await end();
  await waitUntil(
    () => home.ls('jobqueue').length + home.ls('failed').length === 2 && home.ls('.fjd/workers').length === 0,
    30_000,
    'the jobs to leave the workers, and the workers to go',
  );
  dispatcher.signal('SIGINT');
  await dispatcher.result;
  expect(home.ls('jobqueue')).toEqual(names);
  expect(home.ls('failed')).toEqual([]);
  for (const name of names) {
    const record = home.record(name);
    expect(record.state).toBe('requeued');
    expect(record.attempts).toMatchObject([{attempt: 1, outcome: 'requeued', reason: why}]);
  }
  await waitUntil(() => processesMentioning(home.dir).length === 0, 20_000, 'no process of the home left');
  const ended = new RegExp(`^Slurm job ${job}: ended \\((${endedAs})\\)$`, 'm');
  await waitUntil(
    async () => ended.test((await home.run('fjd', ['status'])).stdout),
    20_000,
    'fjd status to say the Slurm job ended',
  );
}

describe('recruiter hire --slurm', () => {
  it('runs 100 jobs on the worker of one Slurm job of 3 slots, each exactly once; status shows the job', async (context) => {
    if (skipped !== undefined) context.skip(skipped);
    const home = makeHome('slurm-run');
    for (let i = 0; i < 100; i++)
      home.job(`j${String(i).padStart(3, '0')}`, `[control]\nexecutable = ${fixture('record-id.sh')}\n`);
    const job = await hireOnSlurm(home, 3, 1, ['--nodes=1']);

    const [record] = records(home);
    expect(record).toMatchObject({fjd: 1, job, slots: 3, cwd: home.dir, host: os.hostname(), cancelledAt: null});
    expect(record?.sbatch).toEqual(
      expect.arrayContaining(['sbatch', '--parsable', '--ntasks=3', `--chdir=${home.dir}`, '--time=10']),
    );
    // One process, the srun task of its node, with the node's 3 CPUs as its slots.
    const [worker, ...more] = slurmWorkers(home);
    expect(more).toEqual([]);
    expect(worker).toMatchObject({cpusOnNode: 3, capacity: {slots: 3, cpus: 3, gpus: []}});
    const node = worker?.node ?? '';
    expect(slurm().nodes).toContain(node);
    const status = await statusOf(home);
    expect(status.workers.map((w) => w.host)).toEqual([os.hostname()]);
    expect(status.workers.every((w) => w.log?.startsWith(`.fjd/logs/worker-slurm-${job}-`))).toBe(true);
    const text = (await home.run('fjd', ['status'])).stdout;
    expect(text).toMatch(new RegExp(`^Slurm job ${job}: RUNNING on ${node} \\(3 slots\\)$`, 'm'));
    const json = JSON.parse((await home.run('fjd', ['status', '--json'])).stdout) as {slurmJobs: unknown};
    expect(json.slurmJobs).toEqual([{job, slots: 3, state: 'RUNNING', nodes: node, ended: false, problem: null}]);
    expect(
      schemaProblems(json, STATUS_SCHEMA).filter((p) => !p.endsWith('did not occur') || p.startsWith('slurmJobs')),
    ).toEqual([]);

    const run = await home.run('dispatcher', []);
    expect(run.exitCode).toBe(0);
    expect(home.ls('done')).toHaveLength(100);
    const ids = home.read('ids.txt').trim().split('\n').sort();
    expect(ids).toEqual(home.ls('done'));

    const fire = await home.run('recruiter', ['fire']);
    expect(fire).toMatchObject({
      exitCode: 0,
      stdout: `Fired 1 worker (3 slots).\nCancelled Slurm job ${job} (3 slots).\n`,
    });
    expect(records(home)).toMatchObject([{job, cancelledAt: expect.any(String) as unknown}]);
    // A later fire forgets the record of the job it cancelled before.
    expect(await home.run('recruiter', ['fire'])).toMatchObject({exitCode: 0, stdout: 'Fired 0 workers.\n'});
    expect(home.ls('.fjd/slurm')).toEqual([]);
  });

  it('runs one worker on each node, with the CPUs, memory and GPUs the job got there', async (context) => {
    if (skipped !== undefined) context.skip(skipped);
    const home = makeHome('slurm-nodes');
    const job = await hireOnSlurm(home, 5, 2, ['--nodes=2', '--mem=300M', '--gpus-per-node=1']);
    expect(records(home)[0]?.script).toContain('--ntasks-per-node=1');
    const workers = slurmWorkers(home);
    expect(workers.map((w) => w.node)).toEqual(slurm().nodes);
    // Slurm splits the 5 CPUs between the nodes as it likes; each worker has its node's share.
    for (const w of workers) {
      expect(w.capacity).toEqual({slots: w.cpusOnNode, cpus: w.cpusOnNode, memoryBytes: 300 * 1024 ** 2, gpus: ['0']});
    }
    expect(workers.reduce((sum, w) => sum + w.capacity.slots, 0)).toBe(5);
    // Both run jobs, which run on the nodes the job got.
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    for (const name of names) home.job(name, `[control]\nexecutable = ${fixture('record-id.sh')}\n`);
    const run = await home.run('dispatcher', []);
    expect(run.exitCode, run.stdout).toBe(0);
    expect(home.ls('done')).toEqual(names);
    const fire = await home.run('recruiter', ['fire']);
    expect(fire).toMatchObject({
      exitCode: 0,
      stdout: `Fired 2 workers (5 slots).\nCancelled Slurm job ${job} (5 slots).\n`,
    });
    await waitUntil(() => processesMentioning(home.dir).length === 0, 20_000, 'no process of the home left');
  });

  it('recruiter fire cancels the Slurm job while jobs run: they go back to jobqueue/, not failed', async (context) => {
    if (skipped !== undefined) context.skip(skipped);
    const home = makeHome('slurm-fire');
    // Two nodes of one slot each: the two held jobs run at once.
    const job = await hireOnSlurm(home, 2, 2, ['--nodes=2']);
    // Fired now, the workers may all have left, and so ended the job, before scancel reaches it.
    await interruptHeldJobs(home, job, 'worker fired with --now', 'CANCELLED|COMPLETED', async () => {
      const fire = await home.run('recruiter', ['fire']);
      expect(fire).toMatchObject({exitCode: 0, stdout: `Fired 2 workers.\nCancelled Slurm job ${job} (2 slots).\n`});
    });
  });

  it('a Slurm job that ends on its own (scancel, as at the end of its time) puts its running jobs back', async (context) => {
    if (skipped !== undefined) context.skip(skipped);
    const home = makeHome('slurm-end');
    const job = await hireOnSlurm(home, 2, 2, ['--nodes=2']);
    await interruptHeldJobs(home, job, 'worker received SIGTERM', 'CANCELLED', async () => {
      // Slurm signals every process of the job at once: the jobs as well as their workers.
      const cancel = slurm().client('scancel', [job]);
      expect(cancel.status, cancel.stderr).toBe(0);
    });
    expect(records(home)).toMatchObject([{job, cancelledAt: null}]);
    const blind = await home.run('fjd', ['status'], {env: {PATH: pathWithoutSlurm(home)}});
    expect(blind.stdout).toMatch(
      new RegExp(`^Slurm job ${job}: state unknown, squeue is not on PATH \\(2 slots\\)$`, 'm'),
    );
  });

  it('a job still pending is shown so, and recruiter fire cancels it', async (context) => {
    if (skipped !== undefined) context.skip(skipped);
    const home = makeHome('slurm-pending');
    const hire = await home.run('recruiter', ['hire', '--slurm', '2', '--sbatch-arg=--begin=now+1hour']);
    const job = /^Submitted Slurm job (\d+) for 2 slots/.exec(hire.stdout)?.[1] ?? '?';
    expect(hire.exitCode).toBe(0);
    expect((await home.run('fjd', ['status'])).stdout).toMatch(
      new RegExp(`^Slurm job ${job}: PENDING \\(2 slots\\)$`, 'm'),
    );
    expect(await home.run('recruiter', ['fire'])).toMatchObject({
      exitCode: 0,
      stdout: `Fired 0 workers.\nCancelled Slurm job ${job} (2 slots).\n`,
    });
    expect((await home.run('fjd', ['status'])).stdout).toMatch(
      new RegExp(`^Slurm job ${job}: ended \\(CANCELLED\\)$`, 'm'),
    );
  });

  it('says what sbatch said when it refuses the job, and what to do', async (context) => {
    if (skipped !== undefined) context.skip(skipped);
    const home = makeHome('slurm-refused');
    const refused = await home.run('recruiter', ['hire', '--slurm', '2', '--sbatch-arg=--partition=nowhere']);
    expect(refused.exitCode).toBe(3);
    expect(refused.stderr).toMatch(
      /^recruiter: error: sbatch refused the workers' job \(exit code 1\):\nsbatch: error: invalid partition specified: nowhere\n/,
    );
    expect(refused.stderr).toMatch(/Check the --sbatch-arg options/);
    expect(home.ls('.fjd/slurm')).toEqual([]);
  });
});

// A PATH with node on it and no Slurm command.
function pathWithoutSlurm(home: TestHome): string {
  const bin = path.join(home.dir, 'bin-without-slurm');
  fs.mkdirSync(bin, {recursive: true});
  if (!fs.existsSync(path.join(bin, 'node'))) fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  return bin;
}

it('says so when sbatch is not on PATH', async () => {
  const home = makeHome('slurm-missing');
  const missing = await home.run('recruiter', ['hire', '--slurm', '2'], {env: {PATH: pathWithoutSlurm(home)}});
  expect(missing.exitCode).toBe(3);
  expect(missing.stderr).toBe(
    "recruiter: error: cannot submit the workers' job: sbatch is not on PATH\n" +
      "recruiter: Run recruiter hire --slurm on a host of a Slurm cluster (a login node), with Slurm's commands on PATH.\n",
  );
  const both = await home.run('recruiter', ['hire', '2', '--slurm', '2']);
  expect(both.exitCode).toBe(2);
  expect(both.stderr).toMatch(/give the number of slots with --slurm N alone/);
  const capacity = await home.run('recruiter', ['hire', '--slurm', '2', '--memory', '4G']);
  expect(capacity.exitCode).toBe(2);
  expect(capacity.stderr).toMatch(
    /with --slurm, each worker offers what Slurm gave the job on its node; .*--sbatch-arg=--mem=64G/,
  );
});
