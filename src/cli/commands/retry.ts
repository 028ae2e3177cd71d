// `fjd retry`: put failed jobs back in the queue.
import {Command} from 'commander';
import {retryFailed} from '../../queue/retry.js';
import {EXIT, groupSharedFrom, groupSharedOption, homeFrom, homeOption, reportError, say, warn} from '../common.js';

export function retryCommand(): Command {
  return new Command('retry')
    .description('put failed jobs back in jobqueue/ to run again: the named ones, or all with --all')
    .argument('[jobs...]', 'job ids or names, as in failed/')
    .addOption(homeOption())
    .addOption(groupSharedOption())
    .option('--all', 'retry every job in failed/')
    .addHelpText(
      'after',
      '\nExit status: 0 if every job named was put back, 2 for bad usage, 3 if a job named is not\nthere or not failed (the others are put back).\n\nExamples:\n  fjd retry --all\n  fjd retry job3 job7.ini\n\nThen run the dispatcher (and hire workers, if none are left).',
    )
    .action((jobs: string[], options: {home?: string; all?: boolean; groupShared?: boolean}) => {
      if (jobs.length === 0 && options.all !== true) {
        warn('fjd', 'error: name the jobs to retry, or pass --all');
        process.exitCode = EXIT.usage;
        return;
      }
      const result = retryFailed({
        home: homeFrom(options),
        jobs,
        all: options.all === true,
        groupShared: groupSharedFrom(options),
      });
      const count = result.requeued.length;
      if (count > 0 || result.refused.length === 0)
        say(
          `Put ${count} failed job${count === 1 ? '' : 's'} back in the queue${count === 0 ? '' : `: ${result.requeued.map((r) => r.as).join(', ')}`}.`,
        );
      process.exitCode = result.refused.reduce<number>(
        (code, error) => Math.max(code, reportError('fjd', error)),
        EXIT.ok,
      );
    });
}
