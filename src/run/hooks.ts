// Hooks: shell command lines the dispatcher runs on events (`--on-failure` for each failed job,
// `--on-done` when the queue has drained). A hook only informs: whatever it does, and however
// it ends, no job depends on it. It runs in its own process group with stdin closed, its
// stdout and stderr captured apart (the dispatcher shows each on its own, the first
// HOOK_OUTPUT_LIMIT bytes of each), and a time limit after which the whole group is stopped
// (TERM, then KILL), so that nothing it started holds the dispatcher up.
//
// A hook has ended when its shell has exited. Whatever it left running in its group is killed
// then, and the output is what was read until the pipes closed: a background process that
// still holds them (`notify … &`) neither keeps the hook running nor makes it time out.
//
// child_process.spawn rather than execa (README, "Dependencies", has the figures): this is all
// of execa that fjd needs, execa waits for every holder of the pipes to close them, and loading
// it cost every `fjd` and `dispatcher` command about 6 MB of RSS and 100 ms.
import {spawn} from 'node:child_process';
import {describeError} from '../errors.js';
import {signalGroup} from '../util/kill-tree.js';

export interface HookRun {
  // null when it exited 0.
  trouble: string | null;
  // What it printed on each stream, up to HOOK_OUTPUT_LIMIT bytes of each.
  stdout: string;
  stderr: string;
  // How many bytes it printed on each stream beyond those, which are not kept.
  cut: {stdout: number; stderr: number};
}

// What is kept of each stream: enough for any message, bounded for a hook that floods.
export const HOOK_OUTPUT_LIMIT = 1024 * 1024;

const KILL_AFTER_MS = 2000;
// How long the output may still arrive after the shell has exited and its group is killed
// (a process that left the group, with `setsid`, may hold the pipes open for ever).
const DRAIN_MS = 500;

// The first HOOK_OUTPUT_LIMIT bytes of a stream, and a count of the rest.
class Capture {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  cut = 0;

  add(chunk: Buffer): void {
    const keep = Math.min(HOOK_OUTPUT_LIMIT - this.kept, chunk.length);
    if (keep > 0) this.chunks.push(chunk.subarray(0, keep));
    this.kept += keep;
    this.cut += chunk.length - keep;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

// How a hook ended, in words, or null when it exited 0; `stoppedAfterMs` when its time ran out.
function hookTrouble(
  exit: {code: number | null; signal: NodeJS.Signals | null} | undefined,
  stoppedAfterMs: number | undefined,
): string | null {
  if (stoppedAfterMs !== undefined) return `it ran longer than ${Math.round(stoppedAfterMs / 1000)} s and was stopped`;
  if (exit?.code === 0) return null;
  if (exit?.code !== null && exit?.code !== undefined) return `exit code ${exit.code}`;
  return `killed by signal ${exit?.signal ?? 'unknown'}`;
}

export function runHook(
  command: string,
  env: Record<string, string>,
  cwd: string,
  timeoutMs: number,
): Promise<HookRun> {
  return new Promise((resolve) => {
    const out = new Capture();
    const err = new Capture();
    // The time limit and the KILL after it, then the wait for the last of the output.
    const limits: NodeJS.Timeout[] = [];
    let drain: NodeJS.Timeout | undefined;
    let timedOut = false;
    let exit: {code: number | null; signal: NodeJS.Signals | null} | undefined;
    let startError: string | undefined;
    let settled = false;
    const child = spawn('/bin/sh', ['-c', command], {cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true});
    const {pid} = child;

    const settle = (): void => {
      if (settled) return;
      settled = true;
      for (const timer of limits) clearTimeout(timer);
      clearTimeout(drain);
      child.stdout.destroy();
      child.stderr.destroy();
      const trouble =
        startError !== undefined
          ? `it could not be started (${startError})`
          : hookTrouble(exit, timedOut ? timeoutMs : undefined);
      resolve({trouble, stdout: out.text(), stderr: err.text(), cut: {stdout: out.cut, stderr: err.cut}});
    };

    child.stdout.on('data', (chunk: Buffer) => out.add(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.add(chunk));
    child.once('error', (error) => {
      // A shell that never started emits no 'exit'.
      if (pid !== undefined) return;
      startError = describeError(error);
      settle();
    });
    child.once('exit', (code, signal) => {
      exit = {code, signal};
      for (const timer of limits) clearTimeout(timer);
      // Whatever it left running in its group goes with it, and with them their ends of the pipes.
      if (pid !== undefined) signalGroup(pid, 'SIGKILL');
      drain = setTimeout(settle, DRAIN_MS);
    });
    child.once('close', settle);
    if (pid !== undefined) {
      limits.push(
        setTimeout(() => {
          timedOut = true;
          signalGroup(pid, 'SIGTERM');
          limits.push(setTimeout(() => signalGroup(pid, 'SIGKILL'), KILL_AFTER_MS));
        }, timeoutMs),
      );
    }
  });
}
