// `recruiter hire --slurm N`: one batch job of N slots in all (sbatch --ntasks=N: N CPUs,
// placed by Slurm on as many nodes as it chooses), whose script runs ONE worker on each node
// it got, through srun, in the foreground. The worker's slots are the CPUs the job got on its
// node; its memory, the job's memory there when the job asked for some; its GPUs, those Slurm
// bound to it (none when none). One job rather than an array: one id to record, show and
// cancel. The workers stay children of srun's step (no double fork, unlike a local hire):
// Slurm finds the processes of a step by their ancestry (proctrack/linuxproc), and only
// processes it can find are signalled when the job is cancelled or its time is up.
import path from 'node:path';
import {FjdError} from '../errors.js';
import {ensureHome} from '../home/layout.js';
import type {HireOptions} from '../recruiter/hire.js';
import {shellQuote} from '../util/shell.js';
import {hostName} from '../util/host.js';
import {writeSlurmRecord, type SlurmJobRecord} from './record.js';
import {runSlurmClient} from './run-client.js';

// As for a local hire, with no wait for the workers (they join when the job starts), and the
// slots asked for in all instead of a count of processes.
export interface SlurmHireOptions extends Omit<HireOptions, 'timeoutMs' | 'count'> {
  // The slots in all: the CPUs asked of Slurm.
  slots: number;
  // Passed on to sbatch after fjd's own options, so that they win.
  sbatchArgs: string[];
}

// What each srun task runs, one per node: the worker, with the node's share of the job as its
// capacity. A step that names no CPUs per task gets every CPU the job has on its node
// (SLURM_CPUS_ON_NODE), so SLURM_CPUS_PER_TASK, which sbatch --cpus-per-task leaves in the
// environment, is unset first. Memory: the job's per node, or per CPU times its CPUs there.
// GPUs: CUDA_VISIBLE_DEVICES as Slurm set it when it bound GPUs to the job, else none (a
// value inherited from the submitting shell names GPUs nobody gave this job).
function taskScript(perTaskLog: string): string {
  return [
    'memory=',
    'if [ "${SLURM_MEM_PER_NODE:-0}" -gt 0 ]; then memory=$SLURM_MEM_PER_NODE',
    'elif [ "${SLURM_MEM_PER_CPU:-0}" -gt 0 ]; then memory=$((SLURM_MEM_PER_CPU * SLURM_CPUS_ON_NODE)); fi',
    'gpus=none',
    'if [ -n "${SLURM_STEP_GPUS:-}${SLURM_JOB_GPUS:-}" ]; then gpus=${CUDA_VISIBLE_DEVICES:-none}; fi',
    `exec "$@" --slots "$SLURM_CPUS_ON_NODE" \${memory:+--memory "$memory"} --gpus "$gpus" --log-file ${perTaskLog}`,
  ].join('\n');
}

// The batch script: srun starts one task on each node of the job; each task's shell replaces
// itself with a worker that logs to .fjd/logs/worker-slurm-JOB-TASK.log (srun writes the
// task's output there too).
export function slurmScript(options: {slots: number; logs: string; home: string; workerCommand: string[]}): string {
  const log = path.join(options.logs, 'worker-slurm-%j-%t.log');
  const perTask = `${shellQuote(path.join(options.logs, 'worker-slurm-'))}"$SLURM_JOB_ID-$SLURM_PROCID.log"`;
  const worker = [...options.workerCommand, '--home', options.home].map(shellQuote).join(' ');
  return [
    '#!/bin/sh',
    `# fjd: ${options.slots} slot${options.slots === 1 ? '' : 's'} for the home ${options.home}, one worker on each node, submitted by recruiter hire --slurm`,
    '# A step that names no CPUs per task gets every CPU the job has on each of its nodes.',
    'unset SLURM_CPUS_PER_TASK',
    'exec srun --nodes="$SLURM_JOB_NUM_NODES" --ntasks="$SLURM_JOB_NUM_NODES" --ntasks-per-node=1 \\',
    `  --kill-on-bad-exit=0 --input=none --output=${shellQuote(log)} \\`,
    `  sh -c ${shellQuote(taskScript(perTask))} fjd-worker \\`,
    `  ${worker}`,
    '',
  ].join('\n');
}

// Submits the job and records it in the home; returns the record.
export function hireSlurm(options: SlurmHireOptions): SlurmJobRecord {
  const paths = ensureHome(options.home, {groupShared: options.groupShared === true});
  const script = slurmScript({
    slots: options.slots,
    logs: paths.logs,
    home: paths.root,
    workerCommand: options.workerCommand,
  });
  const sbatch = [
    'sbatch',
    '--parsable',
    '--job-name=fjd-workers',
    `--ntasks=${options.slots}`,
    `--chdir=${options.cwd}`,
    `--output=${path.join(paths.logs, 'slurm-%j.out')}`,
    ...options.sbatchArgs,
  ];
  const [command = 'sbatch', ...args] = sbatch;
  const result = runSlurmClient(command, args, {env: options.env, input: script, cwd: options.cwd});
  if (result.problem !== null) {
    throw new FjdError('SLURM_FAILED', `cannot submit the workers' job: ${result.problem}`, {
      hint: "Run recruiter hire --slurm on a host of a Slurm cluster (a login node), with Slurm's commands on PATH.",
    });
  }
  const stderr = result.stderr.trim();
  const answer = /^(\d+)(?:;(\S+))?$/m.exec(result.stdout.trim());
  if (result.status !== 0 || answer === null) {
    const said = stderr === '' ? result.stdout.trim() : stderr;
    throw new FjdError(
      'SLURM_FAILED',
      `sbatch refused the workers' job (exit code ${String(result.status)})${said === '' ? '' : `:\n${said}`}`,
      {
        hint: "sbatch says why above. Check the --sbatch-arg options (partition, time limit, account) against what your cluster allows (sinfo lists the partitions), and that Slurm's commands work here (SLURM_CONF).",
      },
    );
  }
  const record: SlurmJobRecord = {
    fjd: 1,
    job: answer[1] ?? '',
    cluster: answer[2] ?? null,
    slots: options.slots,
    submittedAt: new Date().toISOString(),
    host: hostName(),
    cwd: options.cwd,
    sbatch,
    script,
    cancelledAt: null,
  };
  writeSlurmRecord(paths, record);
  return record;
}
