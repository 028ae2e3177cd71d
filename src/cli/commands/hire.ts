// `recruiter hire [N]` / `fjd hire [N]`: start N detached workers in this directory, or
// `--slurm N`: submit a Slurm job that runs N workers in this directory on the cluster's nodes.
import os from 'node:os';
import {fileURLToPath} from 'node:url';
import {Command, Option} from 'commander';
import {hireWorkers} from '../../recruiter/hire.js';
import {hireSlurm} from '../../slurm/submit.js';
import {EXIT, duration, groupSharedFrom, groupSharedOption, homeFrom, homeOption, positiveInteger, say} from '../common.js';

interface HireCliOptions {
  home?: string;
  timeout: number;
  heartbeat?: number;
  ioRetry?: number;
  groupShared?: boolean;
  slurm?: number;
  sbatchArg?: string[];
}

export function hireCommand(): Command {
  return new Command('hire')
    .description('start N detached workers, or with --slurm N submit a Slurm job of N workers; jobs run in the current directory')
    .argument('[n]', 'how many workers (default: the number of CPUs minus one, at least 1)', positiveInteger('N'))
    .addOption(homeOption())
    .addOption(groupSharedOption())
    .addOption(new Option('--heartbeat <duration>', 'how often the workers renew their heartbeat (default 5s)').argParser(duration('--heartbeat')))
    .addOption(new Option('--io-retry <duration>', 'passed on to the workers').argParser(duration('--io-retry')).hideHelp())
    .option('--timeout <duration>', 'how long to wait for the workers to announce themselves', duration('--timeout'), 30_000)
    .option('--slurm <n>', 'submit one Slurm batch job that runs N workers (srun tasks) on the nodes it gets', positiveInteger('--slurm'))
    .option('--sbatch-arg <arg>', 'an option passed on to sbatch, such as --sbatch-arg=--time=2:00:00 (repeatable)', (arg: string, all: string[] | undefined) => [...(all ?? []), arg])
    .addHelpText(
      'after',
      '\nExamples:\n  recruiter hire 4\n  fjd hire --home /shared/run1\n  recruiter hire --slurm 16 --sbatch-arg=--time=4:00:00 --sbatch-arg=--partition=short',
    )
    .action(async (n: number | undefined, options: HireCliOptions, command: Command) => {
      const groupShared = groupSharedFrom(options);
      const workerCommand = [process.execPath, fileURLToPath(new URL('../worker.js', import.meta.url))];
      if (options.heartbeat !== undefined) workerCommand.push('--heartbeat', `${options.heartbeat}ms`);
      if (options.ioRetry !== undefined) workerCommand.push('--io-retry', `${options.ioRetry}ms`);
      if (options.slurm !== undefined || options.sbatchArg !== undefined) {
        if (n !== undefined || options.slurm === undefined) command.error('error: give the number of Slurm workers with --slurm N alone, as in: recruiter hire --slurm 4', {exitCode: EXIT.usage});
        if (groupShared) workerCommand.push('--group-shared');
        const job = hireSlurm({home: homeFrom(options), groupShared, count: options.slurm, cwd: process.cwd(), env: process.env, workerCommand, sbatchArgs: options.sbatchArg ?? []});
        say(`Submitted Slurm job ${job.job} for ${job.workers} worker${job.workers === 1 ? '' : 's'}; they join when it starts (fjd status shows its state).`);
        process.exitCode = EXIT.ok;
        return;
      }
      const count = n ?? Math.max(1, os.availableParallelism() - 1);
      const result = await hireWorkers({
        home: homeFrom(options),
        groupShared,
        count,
        cwd: process.cwd(),
        env: process.env,
        workerCommand,
        timeoutMs: options.timeout,
      });
      say(`Hired ${result.workers.length} worker${result.workers.length === 1 ? '' : 's'} on localhost.`);
      process.exitCode = EXIT.ok;
    });
}
