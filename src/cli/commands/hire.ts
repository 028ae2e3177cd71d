// `recruiter hire [N]` / `fjd hire [N]`: start N detached workers in this directory.
import os from 'node:os';
import {fileURLToPath} from 'node:url';
import {Command, Option} from 'commander';
import {hireWorkers} from '../../recruiter/hire.js';
import {EXIT, duration, groupSharedFrom, groupSharedOption, homeFrom, homeOption, positiveInteger, say} from '../common.js';

interface HireCliOptions {
  home?: string;
  timeout: number;
  heartbeat?: number;
  ioRetry?: number;
  groupShared?: boolean;
}

export function hireCommand(): Command {
  return new Command('hire')
    .description('start N detached workers; jobs run in the current directory')
    .argument('[n]', 'how many workers (default: the number of CPUs minus one, at least 1)', positiveInteger('N'))
    .addOption(homeOption())
    .addOption(groupSharedOption())
    .addOption(new Option('--heartbeat <duration>', 'how often the workers renew their heartbeat (default 5s)').argParser(duration('--heartbeat')))
    .addOption(new Option('--io-retry <duration>', 'passed on to the workers').argParser(duration('--io-retry')).hideHelp())
    .option('--timeout <duration>', 'how long to wait for the workers to announce themselves', duration('--timeout'), 30_000)
    .addHelpText('after', '\nExamples:\n  recruiter hire 4\n  fjd hire --home /shared/run1')
    .action(async (n: number | undefined, options: HireCliOptions) => {
      const count = n ?? Math.max(1, os.availableParallelism() - 1);
      const groupShared = groupSharedFrom(options);
      const workerCommand = [process.execPath, fileURLToPath(new URL('../worker.js', import.meta.url))];
      if (options.heartbeat !== undefined) workerCommand.push('--heartbeat', `${options.heartbeat}ms`);
      if (options.ioRetry !== undefined) workerCommand.push('--io-retry', `${options.ioRetry}ms`);
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
