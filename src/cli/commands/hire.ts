// `recruiter hire [N]` / `fjd hire [N]`: start one detached worker with N slots in this
// directory, or one on every host of a hosts file over SSH (--hosts, or the home's
// `hosts`/`remote.conf`), or `--slurm N`: submit a Slurm job of N slots in all, which runs one
// worker on each node it gets, in this directory.
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {Command, Option} from 'commander';
import {FjdError} from '../../errors.js';
import {ensureHome} from '../../home/layout.js';
import {earlierWorkers} from '../../recruiter/earlier.js';
import {hireWorkers} from '../../recruiter/hire.js';
import {defaultHostsFile, readHostsFile} from '../../recruiter/hosts.js';
import {hireOnHosts, sshCommandFrom} from '../../recruiter/remote.js';
import {hireSlurm} from '../../slurm/submit.js';
import {defaultSlots} from '../../worker/capacity.js';
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
import {
  capacityArgs,
  earlierWorkersNote,
  gpusArg,
  hiredLine,
  hostsReport,
  memoryArg,
  slotsWord,
  type CapacityArgs,
} from '../hire-words.js';

interface HireCliOptions extends CapacityArgs {
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

export function hireCommand(): Command {
  return new Command('hire')
    .description(
      'start a detached worker with N slots (it runs up to N jobs at once); jobs run in the current directory. With a hosts file, start one on every host over SSH; with --slurm N, submit a Slurm job of N slots in all, one worker on each node it gets',
    )
    .argument(
      '[n]',
      "the worker's slots: how many jobs it runs at once (default: the number of CPUs minus one, at least 1; with hosts: each host's `workers`)",
      positiveInteger('N'),
    )
    .addOption(homeOption())
    .addOption(groupSharedOption())
    .addOption(
      new Option('--cpus <n>', "how many cpus the worker's jobs share (default: its slots)").argParser(
        positiveInteger('--cpus'),
      ),
    )
    .addOption(
      new Option(
        '--memory <size>',
        "how much memory the worker's jobs share, such as 64G (default: what is free as it starts)",
      ).argParser(memoryArg),
    )
    .addOption(
      new Option(
        '--gpus <ids>',
        "the GPUs the worker's jobs share, such as 0,1,3 (default: CUDA_VISIBLE_DEVICES, else nvidia-smi -L)",
      ).argParser(gpusArg),
    )
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
      new Option(
        '--slurm <n>',
        'submit one Slurm batch job of N slots in all (sbatch --ntasks=N); it runs one worker on each node it gets, with the CPUs it got there as slots',
      )
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
      "\nExamples:\n  recruiter hire 4                     # a worker with 4 slots\n  recruiter hire 8 --memory 32G --gpus 0,1\n  fjd hire --home /shared/run1\n  recruiter hire --hosts               # the home's hosts file: a worker on each host\n  recruiter hire --hosts lab.conf --ssh 'ssh -F /home/me/.ssh/lab_config'\n  recruiter hire --slurm 64 --sbatch-arg=--time=4:00:00 --sbatch-arg=--partition=short",
    )
    .action(async (n: number | undefined, options: HireCliOptions, command: Command) => {
      const program = command.parent?.name() ?? 'recruiter';
      const home = homeFrom(options);
      const groupShared = groupSharedFrom(options);
      const workerArgs: string[] = [];
      if (options.heartbeat !== undefined) workerArgs.push('--heartbeat', `${options.heartbeat}ms`);
      if (options.ioRetry !== undefined) workerArgs.push('--io-retry', `${options.ioRetry}ms`);
      const capacity = capacityArgs(options);
      const noteEarlier = (): void => {
        const earlier = earlierWorkers(ensureHome(home, {groupShared}));
        if (earlier.length > 0) warn(program, earlierWorkersNote(earlier, program));
      };
      const worker = fileURLToPath(new URL('../worker.js', import.meta.url));
      if (options.slurm !== undefined || options.sbatchArg !== undefined) {
        if (n !== undefined || options.slurm === undefined)
          command.error('error: give the number of slots with --slurm N alone, as in: recruiter hire --slurm 16', {
            exitCode: EXIT.usage,
          });
        if (capacity.length > 0)
          command.error(
            'error: with --slurm, each worker offers what Slurm gave the job on its node; ask Slurm for memory or GPUs with --sbatch-arg, such as --sbatch-arg=--mem=64G or --sbatch-arg=--gpus-per-node=2',
            {exitCode: EXIT.usage},
          );
        const workerCommand = [process.execPath, worker, ...workerArgs, ...(groupShared ? ['--group-shared'] : [])];
        const job = hireSlurm({
          home,
          groupShared,
          slots: options.slurm,
          cwd: process.cwd(),
          env: process.env,
          workerCommand,
          sbatchArgs: options.sbatchArg ?? [],
        });
        say(
          `Submitted Slurm job ${job.job} for ${slotsWord(job.slots)}, one worker on each node it gets; they join when it starts (fjd status shows its state).`,
        );
        noteEarlier();
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
          slots: n,
          node: process.execPath,
          recruiter: fileURLToPath(new URL('../recruiter.js', import.meta.url)),
          hireArgs: [
            ...workerArgs,
            ...capacity,
            '--timeout',
            `${options.timeout}ms`,
            ...(groupShared ? ['--group-shared'] : []),
          ],
          timeoutMs: options.timeout,
        });
        const {said, warned} = hostsReport(outcomes, home);
        for (const line of said) say(line);
        for (const line of warned) warn(program, line);
        noteEarlier();
        process.exitCode = warned.length === 0 ? EXIT.ok : EXIT.error;
        return;
      }
      const slots = n ?? defaultSlots();
      const result = await hireWorkers({
        home,
        groupShared,
        count: 1,
        cwd: process.cwd(),
        env: process.env,
        workerCommand: [process.execPath, worker, ...workerArgs, '--slots', String(slots), ...capacity],
        timeoutMs: options.timeout,
      });
      for (const hired of result.workers) say(hiredLine(hired.slots, 'localhost'));
      noteEarlier();
      process.exitCode = EXIT.ok;
    });
}
