// Hooks: shell command lines the dispatcher runs on events (`--on-failure` for each failed job,
// `--on-done` when the queue has drained). A hook only informs: whatever it does, and however
// it ends, no job depends on it. It runs in its own process group with stdin closed, its
// stdout and stderr captured apart (the dispatcher shows each on its own), and a time limit after which the whole group is
// stopped (TERM, then KILL), so that nothing it started holds the dispatcher up.
import {execa} from 'execa';
import {signalGroup} from '../util/kill-tree.js';

export interface HookRun {
  // null when it exited 0.
  trouble: string | null;
  // What it printed on each stream.
  stdout: string;
  stderr: string;
}

const KILL_AFTER_MS = 2000;

export async function runHook(command: string, env: Record<string, string>, cwd: string, timeoutMs: number): Promise<HookRun> {
  const subprocess = execa(command, {shell: true, cwd, env, stdin: 'ignore', reject: false, detached: true, stripFinalNewline: true});
  let timedOut = false;
  const timers: NodeJS.Timeout[] = [];
  const {pid} = subprocess;
  if (pid !== undefined) {
    timers.push(
      setTimeout(() => {
        timedOut = true;
        signalGroup(pid, 'SIGTERM');
        timers.push(setTimeout(() => signalGroup(pid, 'SIGKILL'), KILL_AFTER_MS));
      }, timeoutMs),
    );
  }
  const result = await subprocess;
  for (const timer of timers) clearTimeout(timer);
  // Whatever it left running in its group goes with it.
  if (pid !== undefined) signalGroup(pid, 'SIGKILL');
  const output = {stdout: typeof result.stdout === 'string' ? result.stdout : '', stderr: typeof result.stderr === 'string' ? result.stderr : ''};
  if (timedOut) return {trouble: `it ran longer than ${Math.round(timeoutMs / 1000)} s and was stopped`, ...output};
  if (result.exitCode === 0) return {trouble: null, ...output};
  if (result.exitCode !== undefined) return {trouble: `exit code ${result.exitCode}`, ...output};
  return {trouble: result.signal === undefined ? (result.shortMessage ?? 'it did not run') : `killed by signal ${result.signal}`, ...output};
}
