// `recruiter hire --slurm` against a real single-node Slurm cluster (slurmctld, slurmd and
// munged started by test/helpers/slurm.ts): the job's workers run jobs, `recruiter fire`
// cancels the job, and a job cancelled by Slurm itself (as at the end of an allocation) puts
// its running jobs back in the queue, as interrupted and not failed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {makeHome, type TestHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {processesMentioning} from '../helpers/processes.js';
import {statusOf} from '../helpers/status.js';
import {STATUS_SCHEMA, schemaProblems} from '../helpers/status-schema.js';
import {startSlurm, type SlurmCluster} from '../helpers/slurm.js';
import {waitUntil} from '../helpers/wait.js';

let cluster: SlurmCluster | undefined;
let skipped: string | undefined;

beforeAll(async () => {
  const started = await startSlurm('hire');
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

// Hires N workers through Slurm and waits until they have announced themselves; returns the job id.
async function hireOnSlurm(home: TestHome, count: number): Promise<string> {
  const hire = await home.run('recruiter', [
    'hire',
    '--slurm',
    String(count),
    '--heartbeat',
    '500ms',
    '--sbatch-arg=--time=10',
  ]);
  expect(hire.stderr).toBe('');
  const job = /^Submitted Slurm job (\d+) for (\d+) workers; they join when it starts/.exec(hire.stdout)?.[1];
  expect(job, hire.stdout).toBeDefined();
  await waitUntil(
    async () => (await statusOf(home)).workers.filter((w) => w.state === 'idle').length === count,
    30_000,
    `${count} Slurm workers to announce themselves`,
  );
  return job ?? '';
}

function records(home: TestHome): Record<string, unknown>[] {
  return home.ls('.fjd/slurm').map((name) => JSON.parse(home.read(`.fjd/slurm/${name}`)) as Record<string, unknown>);
}

// The jobs `hold.sh` runs, all started; then the Slurm job ends by `end`; then every one of
// them is back in jobqueue/ with one attempt, requeued, and no worker or job process is left.
async function interruptHeldJobs(home: TestHome, job: string, why: string, end: () => Promise<void>): Promise<void> {
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
  const ended = new RegExp(`^Slurm job ${job}: ended \\(CANCELLED\\)$`, 'm');
  await waitUntil(
    async () => ended.test((await home.run('fjd', ['status'])).stdout),
    20_000,
    'fjd status to say the Slurm job ended',
  );
}

describe('recruiter hire --slurm', () => {
  it('runs 100 jobs on the workers of one Slurm job, each exactly once; status shows the job', async (context) => {
    if (skipped !== undefined) context.skip(skipped);
    const home = makeHome('slurm-run');
    for (let i = 0; i < 100; i++)
      home.job(`j${String(i).padStart(3, '0')}`, `[control]\nexecutable = ${fixture('record-id.sh')}\n`);
    const job = await hireOnSlurm(home, 3);

    const [record] = records(home);
    expect(record).toMatchObject({fjd: 1, job, workers: 3, cwd: home.dir, host: os.hostname(), cancelledAt: null});
    expect(record?.sbatch).toEqual(
      expect.arrayContaining(['sbatch', '--parsable', '--ntasks=3', `--chdir=${home.dir}`, '--time=10']),
    );
    const status = await statusOf(home);
    expect(new Set(status.workers.map((w) => w.host))).toEqual(new Set([os.hostname()]));
    expect(status.workers.every((w) => w.log?.startsWith(`.fjd/logs/worker-slurm-${job}-`))).toBe(true);
    const text = (await home.run('fjd', ['status'])).stdout;
    expect(text).toMatch(new RegExp(`^Slurm job ${job}: RUNNING on ${slurm().node} \\(3 workers\\)$`, 'm'));
    const json = JSON.parse((await home.run('fjd', ['status', '--json'])).stdout) as {slurmJobs: unknown};
    expect(json.slurmJobs).toEqual([
      {job, workers: 3, state: 'RUNNING', nodes: slurm().node, ended: false, problem: null},
    ]);
    expect(
      schemaProblems(json, STATUS_SCHEMA).filter((p) => !p.endsWith('did not occur') || p.startsWith('slurmJobs')),
    ).toEqual([]);

    const run = await home.run('dispatcher', []);
    expect(run.exitCode).toBe(0);
    expect(home.ls('done')).toHaveLength(100);
    const ids = home.read('ids.txt').trim().split('\n').sort();
    expect(ids).toEqual(home.ls('done'));
    // All three took part.
    const workers = new Set(home.ls('done').map((id) => home.record(id).worker));
    expect(workers.size).toBe(3);

    const fire = await home.run('recruiter', ['fire']);
    expect(fire).toMatchObject({exitCode: 0, stdout: `Fired 3 workers.\nCancelled Slurm job ${job} (3 workers).\n`});
    expect(records(home)).toMatchObject([{job, cancelledAt: expect.any(String) as unknown}]);
    // A later fire forgets the record of the job it cancelled before.
    expect(await home.run('recruiter', ['fire'])).toMatchObject({exitCode: 0, stdout: 'Fired 0 workers.\n'});
    expect(home.ls('.fjd/slurm')).toEqual([]);
  });

  it('recruiter fire cancels the Slurm job while jobs run: they go back to jobqueue/, not failed', async (context) => {
    if (skipped !== undefined) context.skip(skipped);
    const home = makeHome('slurm-fire');
    const job = await hireOnSlurm(home, 2);
    await interruptHeldJobs(home, job, 'worker fired with --now', async () => {
      const fire = await home.run('recruiter', ['fire']);
      expect(fire).toMatchObject({exitCode: 0, stdout: `Fired 2 workers.\nCancelled Slurm job ${job} (2 workers).\n`});
    });
  });

  it('a Slurm job that ends on its own (scancel, as at the end of its time) puts its running jobs back', async (context) => {
    if (skipped !== undefined) context.skip(skipped);
    const home = makeHome('slurm-end');
    const job = await hireOnSlurm(home, 2);
    await interruptHeldJobs(home, job, 'worker received SIGTERM', async () => {
      // Slurm signals every process of the job at once: the jobs as well as their workers.
      const cancel = slurm().client('scancel', [job]);
      expect(cancel.status, cancel.stderr).toBe(0);
    });
    expect(records(home)).toMatchObject([{job, cancelledAt: null}]);
    const blind = await home.run('fjd', ['status'], {env: {PATH: pathWithoutSlurm(home)}});
    expect(blind.stdout).toMatch(
      new RegExp(`^Slurm job ${job}: state unknown, squeue is not on PATH \\(2 workers\\)$`, 'm'),
    );
  });

  it('a job still pending is shown so, and recruiter fire cancels it', async (context) => {
    if (skipped !== undefined) context.skip(skipped);
    const home = makeHome('slurm-pending');
    const hire = await home.run('recruiter', ['hire', '--slurm', '2', '--sbatch-arg=--begin=now+1hour']);
    const job = /^Submitted Slurm job (\d+) for 2 workers/.exec(hire.stdout)?.[1] ?? '?';
    expect(hire.exitCode).toBe(0);
    expect((await home.run('fjd', ['status'])).stdout).toMatch(
      new RegExp(`^Slurm job ${job}: PENDING \\(2 workers\\)$`, 'm'),
    );
    expect(await home.run('recruiter', ['fire'])).toMatchObject({
      exitCode: 0,
      stdout: `Fired 0 workers.\nCancelled Slurm job ${job} (2 workers).\n`,
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
  expect(both.stderr).toMatch(/--slurm N alone/);
});
