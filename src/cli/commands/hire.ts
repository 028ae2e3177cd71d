// `recruiter hire [N]` / `fjd hire [N]`: start N detached workers in this directory, or on
// every host of a hosts file over SSH (--hosts, or the home's `hosts`/`remote.conf`), or
// `--slurm N`: submit a Slurm job that runs N workers in this directory on the cluster's nodes.
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {Command, Option} from 'commander';
import {FjdError} from '../../errors.js';
import {hireWorkers} from '../../recruiter/hire.js';
import {defaultHostsFile, readHostsFile} from '../../recruiter/hosts.js';
import {hireOnHosts, sshCommandFrom, type HostOutcome} from '../../recruiter/remote.js';
import {hireSlurm} from '../../slurm/submit.js';
import {
  EXIT,
  duration,
  durationOption,
  groupSharedFrom,
  groupSharedOption,
  homeFrom,
  homeOption,
  positiveInteger,
  say,
  warn,
} from '../common.js';

interface HireCliOptions {
  home?: string;
  timeout: number;
  heartbeat?: number;
  ioRetry?: number;
  groupShared?: boolean;
  hosts?: string | true;
  ssh?: string;
  localOnly?: boolean;
  slurm?: number;
  sbatchArg?: string[];
}

const plural = (n: number): string => `${n} worker${n === 1 ? '' : 's'}`;

// The hosts file to hire on, or undefined to hire here.
function hostsFileFor(home: string, options: HireCliOptions): string | undefined {
  if (options.localOnly === true) return undefined;
  if (typeof options.hosts === 'string') return path.resolve(options.hosts);
  const found = defaultHostsFile(home);
  if (found === undefined && options.hosts === true) {
    throw new FjdError('HOSTS_FILE', `the home ${home} has no hosts file (hosts or remote.conf)`, {
      path: home,
      hint: 'Name one with --hosts FILE, or create `hosts` in the home: a [section] per host with `name = HOST` and `workers = N`.',
    });
  }
  return found;
}

// Says how hiring went on each host, and what to do about the ones that failed.
function reportHosts(program: string, outcomes: HostOutcome[], home: string): number {
  for (const outcome of outcomes.filter((o) => o.ok)) say(`Hired ${plural(outcome.workers)} on ${outcome.host.name}.`);
  const failed = outcomes.filter((o) => !o.ok);
  if (failed.length === 0) return EXIT.ok;
  for (const outcome of failed)
    warn(program, `${outcome.host.name}: could not hire: ${(outcome.error ?? '').replaceAll('\n', '\n  ')}`);
  warn(program, `${failed.length} of ${outcomes.length} hosts failed; the others keep their workers.`);
  const first = failed[0]?.host.name ?? 'HOST';
  const install = path.resolve(fileURLToPath(new URL('../../..', import.meta.url)));
  warn(
    program,
    `check that \`ssh ${first} true\` works without a password prompt, and that ${first} has fjd at ${install} and the home at ${home};`,
  );
  warn(program, 'then hire on those hosts again with --hosts FILE, a hosts file that lists only them');
  return EXIT.error;
}

export function hireCommand(): Command {
  return new Command('hire')
    .description(
      'start N detached workers; jobs run in the current directory. With a hosts file, start them on every host over SSH; with --slurm N, submit a Slurm job of N workers',
    )
    .argument(
      '[n]',
      "how many workers (default: the number of CPUs minus one, at least 1; with hosts: each host's `workers`)",
      positiveInteger('N'),
    )
    .addOption(homeOption())
    .addOption(groupSharedOption())
    .option(
      '--hosts [file]',
      "hire on every host of this hosts file over SSH (default: the home's `hosts`, else `remote.conf`, which are also used without --hosts)",
    )
    .option('--ssh <command>', 'the ssh command for --hosts (default: $FJD_SSH, else ssh); run in batch mode')
    .addOption(
      new Option('--local-only', 'hire on this machine only, even if the home has a hosts file').conflicts('hosts'),
    )
    .addOption(
      new Option('--heartbeat <duration>', 'how often the workers renew their heartbeat (default 5s)').argParser(
        duration('--heartbeat'),
      ),
    )
    .addOption(
      new Option('--io-retry <duration>', 'passed on to the workers').argParser(duration('--io-retry')).hideHelp(),
    )
    .addOption(
      durationOption('--timeout <duration>', 'how long to wait for the workers to announce themselves', 30_000),
    )
    .addOption(
      new Option('--slurm <n>', 'submit one Slurm batch job that runs N workers (srun tasks) on the nodes it gets')
        .argParser(positiveInteger('--slurm'))
        .conflicts(['hosts', 'localOnly']),
    )
    .option(
      '--sbatch-arg <arg>',
      'an option passed on to sbatch, such as --sbatch-arg=--time=2:00:00 (repeatable)',
      (arg: string, all: string[] | undefined) => [...(all ?? []), arg],
    )
    .addHelpText(
      'after',
      "\nExamples:\n  recruiter hire 4\n  fjd hire --home /shared/run1\n  recruiter hire --hosts               # the home's hosts file\n  recruiter hire --hosts lab.conf --ssh 'ssh -F /home/me/.ssh/lab_config'\n  recruiter hire --slurm 16 --sbatch-arg=--time=4:00:00 --sbatch-arg=--partition=short",
    )
    .action(async (n: number | undefined, options: HireCliOptions, command: Command) => {
      const program = command.parent?.name() ?? 'recruiter';
      const home = homeFrom(options);
      const groupShared = groupSharedFrom(options);
      const workerArgs: string[] = [];
      if (options.heartbeat !== undefined) workerArgs.push('--heartbeat', `${options.heartbeat}ms`);
      if (options.ioRetry !== undefined) workerArgs.push('--io-retry', `${options.ioRetry}ms`);
      if (options.slurm !== undefined || options.sbatchArg !== undefined) {
        if (n !== undefined || options.slurm === undefined)
          command.error(
            'error: give the number of Slurm workers with --slurm N alone, as in: recruiter hire --slurm 4',
            {exitCode: EXIT.usage},
          );
        const workerCommand = [
          process.execPath,
          fileURLToPath(new URL('../worker.js', import.meta.url)),
          ...workerArgs,
        ];
        if (groupShared) workerCommand.push('--group-shared');
        const job = hireSlurm({
          home,
          groupShared,
          count: options.slurm,
          cwd: process.cwd(),
          env: process.env,
          workerCommand,
          sbatchArgs: options.sbatchArg ?? [],
        });
        say(
          `Submitted Slurm job ${job.job} for ${plural(job.workers)}; they join when it starts (fjd status shows its state).`,
        );
        process.exitCode = EXIT.ok;
        return;
      }
      const hostsFile = hostsFileFor(home, options);
      if (hostsFile !== undefined) {
        if (options.hosts === undefined)
          say(`Hiring on the hosts of ${hostsFile} (--local-only hires on this machine only).`);
        const outcomes = await hireOnHosts(readHostsFile(hostsFile), {
          ssh: sshCommandFrom(options.ssh, process.env),
          home,
          cwd: process.cwd(),
          count: n,
          node: process.execPath,
          recruiter: fileURLToPath(new URL('../recruiter.js', import.meta.url)),
          hireArgs: [...workerArgs, '--timeout', `${options.timeout}ms`, ...(groupShared ? ['--group-shared'] : [])],
          timeoutMs: options.timeout,
        });
        process.exitCode = reportHosts(program, outcomes, home);
        return;
      }
      const count = n ?? Math.max(1, os.availableParallelism() - 1);
      const result = await hireWorkers({
        home,
        groupShared,
        count,
        cwd: process.cwd(),
        env: process.env,
        workerCommand: [process.execPath, fileURLToPath(new URL('../worker.js', import.meta.url)), ...workerArgs],
        timeoutMs: options.timeout,
      });
      say(`Hired ${plural(result.workers.length)} on localhost.`);
      process.exitCode = EXIT.ok;
    });
}
