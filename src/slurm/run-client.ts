// Running one of Slurm's client commands (sbatch, squeue, scancel) as the user would: found on
// PATH, with the user's environment (SLURM_CONF and the like), and a time limit so that an
// unreachable controller cannot hang fjd.
import {spawnSync} from 'node:child_process';

export interface ClientResult {
  // null when the command could not be run at all; `problem` says why.
  status: number | null;
  stdout: string;
  stderr: string;
  problem: string | null;
}

const TIMEOUT_MS = 60_000;

export function runSlurmClient(
  command: string,
  args: string[],
  options: {env: NodeJS.ProcessEnv; input?: string; cwd?: string},
): ClientResult {
  const result = spawnSync(command, args, {
    env: options.env,
    cwd: options.cwd,
    input: options.input,
    encoding: 'utf8',
    timeout: TIMEOUT_MS,
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  const stdout = result.stdout ?? '';
  const stderr = result.stderr ?? '';
  if (result.error !== undefined) {
    const code = (result.error as NodeJS.ErrnoException).code;
    const problem =
      code === 'ENOENT'
        ? `${command} is not on PATH`
        : code === 'ETIMEDOUT'
          ? `${command} did not answer within ${TIMEOUT_MS / 1000} s`
          : `${command} could not be run (${code ?? result.error.message})`;
    return {status: null, stdout, stderr, problem};
  }
  if (result.status === null)
    return {status: null, stdout, stderr, problem: `${command} was killed by ${result.signal ?? 'a signal'}`};
  return {status: result.status, stdout, stderr, problem: null};
}
