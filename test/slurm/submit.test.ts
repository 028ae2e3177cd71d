// The batch script of `recruiter hire --slurm`, run by /bin/sh with a stand-in srun that runs
// its command once, as one task would, in an environment such as Slurm gives a task: what the
// worker is started with (its slots, memory and GPUs from the node's share of the job).
// test/remote/slurm.test.ts runs the same script on a real cluster.
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {slurmScript} from '../../src/slurm/submit.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fjd-slurm-script-'));
afterAll(() => fs.rmSync(dir, {recursive: true, force: true}));

// srun as a task sees it: its options are dropped, what it said of SLURM_CPUS_PER_TASK noted.
const bin = path.join(dir, 'bin');
fs.mkdirSync(bin);
fs.writeFileSync(
  path.join(bin, 'srun'),
  `#!/bin/sh\necho "\${SLURM_CPUS_PER_TASK-unset}" > '${dir}/srun-cpus-per-task'\nwhile [ "\${1#--}" != "$1" ]; do shift; done\nexec "$@"\n`,
  {mode: 0o755},
);
// The worker: writes the arguments it was given.
const worker = path.join(dir, 'worker.mjs');
fs.writeFileSync(
  worker,
  `import fs from 'node:fs';\nfs.writeFileSync('${dir}/argv.json', JSON.stringify(process.argv.slice(2)));\n`,
);

// The worker's arguments when the script runs as a task with `env`.
function workerArgs(env: Record<string, string>): string[] {
  const script = slurmScript({slots: 4, logs: dir, home: '/shared/home', workerCommand: [process.execPath, worker]});
  const ran = spawnSync('sh', ['-s'], {
    input: script,
    encoding: 'utf8',
    env: {PATH: `${bin}:/usr/bin:/bin`, SLURM_JOB_NUM_NODES: '1', SLURM_JOB_ID: '7', SLURM_PROCID: '0', ...env},
  });
  expect(ran.status, ran.stderr).toBe(0);
  return JSON.parse(fs.readFileSync(path.join(dir, 'argv.json'), 'utf8')) as string[];
}

describe('the batch script of hire --slurm', () => {
  it("starts the worker with the node's CPUs as slots, and no GPUs when Slurm bound none", () => {
    // CUDA_VISIBLE_DEVICES came with the submitting shell's environment: nobody gave these GPUs.
    const args = workerArgs({SLURM_CPUS_ON_NODE: '6', SLURM_CPUS_PER_TASK: '2', CUDA_VISIBLE_DEVICES: '0,1'});
    expect(args).toEqual([
      '--home',
      '/shared/home',
      '--slots',
      '6',
      '--gpus',
      'none',
      '--log-file',
      path.join(dir, 'worker-slurm-7-0.log'),
    ]);
    // srun got no CPUs per task, so that its step has every CPU of the job on the node.
    expect(fs.readFileSync(path.join(dir, 'srun-cpus-per-task'), 'utf8').trim()).toBe('unset');
  });

  it('gives the worker the GPUs Slurm bound, and the memory the job got on its node', () => {
    const gpus = workerArgs({
      SLURM_CPUS_ON_NODE: '4',
      SLURM_JOB_GPUS: '2,3',
      SLURM_STEP_GPUS: '2,3',
      CUDA_VISIBLE_DEVICES: '0,1',
      SLURM_MEM_PER_NODE: '300',
    });
    expect(gpus.slice(2, 8)).toEqual(['--slots', '4', '--memory', '300', '--gpus', '0,1']);
    // Memory per CPU: times the CPUs on the node.
    const perCpu = workerArgs({SLURM_CPUS_ON_NODE: '4', SLURM_MEM_PER_CPU: '100'});
    expect(perCpu.slice(2, 8)).toEqual(['--slots', '4', '--memory', '400', '--gpus', 'none']);
  });

  it('asks srun for one task on each node of the job', () => {
    const script = slurmScript({slots: 16, logs: '/h/.fjd/logs', home: '/h', workerCommand: ['node', 'worker.js']});
    expect(script).toContain(
      'exec srun --nodes="$SLURM_JOB_NUM_NODES" --ntasks="$SLURM_JOB_NUM_NODES" --ntasks-per-node=1',
    );
    expect(script).toMatch(/^# fjd: 16 slots for the home \/h, one worker on each node/m);
  });
});
