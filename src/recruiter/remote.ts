// Hiring on other hosts over SSH. fjd runs the system's `ssh` (or the command of --ssh or
// FJD_SSH) in batch mode, so the user's ~/.ssh/config, keys, agent and ControlMaster apply,
// and a host that would ask for a password fails at once instead of hanging. On each host it
// runs the same node and the same fjd, by the absolute paths they have here (a shared home
// means the same install path everywhere): `cd CWD && exec NODE RECRUITER hire N --local-only
// --home HOME`. That remote hire starts one worker with N slots detached (its own session, stdio
// on a log), waits until it has announced itself, and exits, which ends the ssh session; the
// worker outlives it. `--local-only` keeps the remote hire from reading a hosts file.
import {spawn} from 'node:child_process';
import {FjdError} from '../errors.js';
import {splitWords} from '../job/command.js';
import {shellQuote} from '../util/shell.js';
import type {HostEntry} from './hosts.js';

export interface RemoteHireOptions {
  // The ssh command, as words (sshCommandFrom).
  ssh: string[];
  home: string;
  // The working directory of the workers, which must exist on every host.
  cwd: string;
  // The slots of the worker started on each host; default each host's own (`workers`).
  slots?: number;
  // The node binary and the recruiter script to run there (the same paths as here).
  node: string;
  recruiter: string;
  // More arguments for the remote `recruiter hire` (such as --heartbeat, --cpus).
  hireArgs: string[];
  // How long the remote hire may wait for its workers; ssh gets a little longer in all.
  timeoutMs: number;
}

export interface HostOutcome {
  host: HostEntry;
  // The slots of the worker asked for there.
  slots: number;
  ok: boolean;
  // Why not: the end of what ssh or the remote hire printed on stderr.
  error?: string;
}

// How long ssh may take to connect, on top of the remote hire's own wait.
const CONNECT_ALLOWANCE_MS = 20_000;
// How much of a host's stderr to keep for the report.
const KEEP_CHARS = 4000;

// The ssh command as words: --ssh, else $FJD_SSH, else `ssh`.
export function sshCommandFrom(option: string | undefined, env: NodeJS.ProcessEnv): string[] {
  const [text, from] =
    option !== undefined
      ? [option, '--ssh']
      : env.FJD_SSH !== undefined && env.FJD_SSH !== ''
        ? [env.FJD_SSH, 'FJD_SSH']
        : ['ssh', ''];
  const words = splitWords(text);
  if (words === undefined) {
    throw new FjdError('SSH_COMMAND', `${from} "${text}" is not a command of plain words`, {
      hint: "Write it as words, quoted where needed, without $VAR, ~ or other shell syntax, such as: --ssh 'ssh -F /home/me/.ssh/lab_config'",
    });
  }
  return words;
}

// The shell line that a host runs for `recruiter hire`: one worker with `slots` slots.
export function remoteHireLine(options: RemoteHireOptions, slots: number): string {
  const argv = [
    options.node,
    options.recruiter,
    'hire',
    String(slots),
    '--local-only',
    '--home',
    options.home,
    ...options.hireArgs,
  ];
  return `cd ${shellQuote(options.cwd)} && exec ${argv.map(shellQuote).join(' ')}`;
}

// The whole ssh command line for one host: the host's own options come first, so that they
// win over fjd's (ssh takes the first value it is given for an option).
export function sshArgv(ssh: string[], host: HostEntry, line: string): string[] {
  return [...ssh, ...host.ssh, '-o', 'BatchMode=yes', '-n', '--', host.name, line];
}

// Hires on every host at once; one host's failure does not stop the others.
export async function hireOnHosts(hosts: HostEntry[], options: RemoteHireOptions): Promise<HostOutcome[]> {
  return Promise.all(
    hosts.map(async (host) => {
      const slots = options.slots ?? host.slots;
      const argv = sshArgv(options.ssh, host, remoteHireLine(options, slots));
      const result = await runSsh(argv, options.timeoutMs + CONNECT_ALLOWANCE_MS);
      if (result.error === undefined) return {host, slots, ok: true};
      return {host, slots, ok: false, error: result.error};
    }),
  );
}

// Runs one ssh command; resolves with an error text unless it exited 0.
function runSsh(argv: string[], timeoutMs: number): Promise<{error?: string}> {
  const [command = 'ssh', ...args] = argv;
  return new Promise((resolve) => {
    let stderr = '';
    let timedOut = false;
    const child = spawn(command, args, {stdio: ['ignore', 'ignore', 'pipe']});
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-KEEP_CHARS);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({error: `cannot run ${command} (${error.message})`});
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) {
        resolve({});
        return;
      }
      const tail = stderr
        .trim()
        .split('\n')
        .filter((line) => line.trim() !== '')
        .slice(-3)
        .join('\n');
      const how = timedOut
        ? `no answer within ${Math.round(timeoutMs / 1000)} s`
        : signal === null
          ? `exit code ${String(code)}`
          : `signal ${signal}`;
      resolve({error: tail === '' ? `${command} ended with ${how}` : timedOut ? `${tail} (${how})` : tail});
    });
  });
}
