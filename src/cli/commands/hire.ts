// `recruiter hire [N]` / `fjd hire [N]`: start N detached workers in this directory.
import os from 'node:os';
import {fileURLToPath} from 'node:url';
import {Command} from 'commander';
import {hireWorkers} from '../../recruiter/hire.js';
import {EXIT, homeFrom, homeOption, positiveInteger, say} from '../common.js';

export function hireCommand(): Command {
  return new Command('hire')
    .description('start N detached workers; jobs run in the current directory')
    .argument('[n]', 'how many workers (default: the number of CPUs minus one, at least 1)', positiveInteger('N'))
    .addOption(homeOption())
    .option('--timeout <seconds>', 'how long to wait for the workers to announce themselves', positiveInteger('--timeout'), 30)
    .addHelpText('after', '\nExamples:\n  recruiter hire 4\n  fjd hire --home /shared/run1')
    .action(async (n: number | undefined, options: {home?: string; timeout: number}) => {
      const count = n ?? Math.max(1, os.availableParallelism() - 1);
      const result = await hireWorkers({
        home: homeFrom(options),
        count,
        cwd: process.cwd(),
        env: process.env,
        workerCommand: [process.execPath, fileURLToPath(new URL('../worker.js', import.meta.url))],
        timeoutMs: options.timeout * 1000,
      });
      say(`Hired ${result.workers.length} worker${result.workers.length === 1 ? '' : 's'} on localhost.`);
      process.exitCode = EXIT.ok;
    });
}
