// `recruiter hire --slurm N`: one batch job whose script runs N workers through srun, one per
// task, in the foreground. One job rather than an array of N: one id to record, show and
// cancel, and one allocation that starts the workers together on as many nodes as Slurm
// chooses. The workers stay children of srun's step (no double fork, unlike a local hire):
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

// As for a local hire (count: the srun tasks), with no wait for the workers: they join when
// the job starts.
export interface SlurmHireOptions extends Omit<HireOptions, 'timeoutMs'> {
  // Passed on to sbatch after fjd's own options, so that they win.
  sbatchArgs: string[];
}

// The batch script: srun starts N tasks; each task's shell replaces itself with a worker that
// logs to .fjd/logs/worker-slurm-JOB-TASK.log (srun writes the task's output there too).
export function slurmScript(options: {count: number; logs: string; home: string; workerCommand: string[]}): string {
  const log = path.join(options.logs, 'worker-slurm-%j-%t.log');
  const perTask = `${shellQuote(path.join(options.logs, 'worker-slurm-'))}"$SLURM_JOB_ID-$SLURM_PROCID.log"`;
  const worker = [...options.workerCommand, '--home', options.home].map(shellQuote).join(' ');
  return [
    '#!/bin/sh',
    `# fjd: ${options.count} worker${options.count === 1 ? '' : 's'} for the home ${options.home}, submitted by recruiter hire --slurm`,
    `exec srun --ntasks=${options.count} --kill-on-bad-exit=0 --input=none --output=${shellQuote(log)} \\`,
    `  sh -c ${shellQuote(`exec "$@" --log-file ${perTask}`)} fjd-worker \\`,
    `  ${worker}`,
    '',
  ].join('\n');
}

// Submits the job and records it in the home; returns the record.
export function hireSlurm(options: SlurmHireOptions): SlurmJobRecord {
  const paths = ensureHome(options.home, {groupShared: options.groupShared === true});
  const script = slurmScript({
    count: options.count,
    logs: paths.logs,
    home: paths.root,
    workerCommand: options.workerCommand,
  });
  const sbatch = [
    'sbatch',
    '--parsable',
    '--job-name=fjd-workers',
    `--ntasks=${options.count}`,
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
    workers: options.count,
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
