// Runs one job's command with execa: in its own session and process group, stdin closed,
// stdout and stderr written straight to files in the home (no pipes through the worker).
import fs from 'node:fs';
import {execa, type Options} from 'execa';
import type {CommandPlan} from '../job/command.js';
import {signalGroup} from './kill-tree.js';

export interface RunOptions {
  plan: CommandPlan;
  jobFile: string;
  cwd: string;
  env: Record<string, string>;
  stdoutFile: string;
  stderrFile: string;
}

export interface RunResult {
  exitCode: number | null;
  signal: string | null;
  // Set when the process could not be started at all.
  spawnError: string | null;
}

export interface RunningJob {
  pid: number | undefined;
  result: Promise<RunResult>;
  // TERM to the whole group, then KILL after `graceMs` if anything of it is left.
  stop(graceMs: number): void;
}

export function runJob(options: RunOptions): RunningJob {
  const out = fs.openSync(options.stdoutFile, 'w', 0o600);
  const err = options.stderrFile === options.stdoutFile ? out : fs.openSync(options.stderrFile, 'w', 0o600);
  const execOptions: Options = {
      cwd: options.cwd,
      env: options.env,
      extendEnv: false,
      stdin: 'ignore',
      // execa passes a descriptor number straight to spawn (no pipe through the worker); its
      // types list only 3 to 9, so the cast widens them to any descriptor.
      stdout: out as 3,
      stderr: err as 3,
      detached: true,
      cleanup: false,
      reject: false,
      buffer: false,
      stripFinalNewline: false,
    };
  const start = () => execa(options.plan.file, [...options.plan.args, options.jobFile], execOptions);
  let subprocess: ReturnType<typeof start>;
  try {
    // The child holds its own copies of the descriptors once spawned.
    subprocess = start();
  } finally {
    fs.closeSync(out);
    if (err !== out) fs.closeSync(err);
  }
  const {pid} = subprocess;
  let killTimer: NodeJS.Timeout | undefined;
  const result = subprocess.then((done): RunResult => {
    if (killTimer !== undefined) clearTimeout(killTimer);
    const spawnFailed = done.exitCode === undefined && done.signal === undefined;
    return {
      exitCode: done.exitCode ?? null,
      signal: done.signal ?? null,
      spawnError: spawnFailed ? (done.shortMessage ?? "the process could not be started") : null,
    };
  });
  return {
    pid,
    result,
    stop(graceMs: number) {
      if (pid === undefined) return;
      signalGroup(pid, 'SIGTERM');
      killTimer ??= setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
    },
  };
}
