// `recruiter fire` / `fjd fire`: ask this home's workers to leave.
import {Command} from 'commander';
import {fireWorkers} from '../../recruiter/fire.js';
import {EXIT, duration, groupSharedFrom, groupSharedOption, homeFrom, homeOption, say, warn} from '../common.js';

export function fireCommand(program = 'recruiter'): Command {
  return new Command('fire')
    .description('stop the workers: idle ones at once, busy ones after their job (or now, with --now)')
    .addOption(homeOption())
    .option('--now', 'stop running jobs (their process groups) and put them back in jobqueue/')
    .option('--wait', 'wait until busy workers have finished their jobs and left')
    .addOption(groupSharedOption())
    .option('--timeout <duration>', 'how long to wait for workers to leave', duration('--timeout'), 60_000)
    .addHelpText('after', '\nExamples:\n  recruiter fire\n  recruiter fire --now\n  fjd fire --wait --home /shared/run1')
    .action(async (options: {home?: string; now?: boolean; wait?: boolean; timeout: number; groupShared?: boolean}) => {
      const result = await fireWorkers({
        home: homeFrom(options),
        groupShared: groupSharedFrom(options),
        now: options.now === true,
        wait: options.wait === true,
        timeoutMs: options.timeout,
      });
      const count = result.stopped.length;
      say(`Fired ${count} worker${count === 1 ? '' : 's'}.`);
      for (const lost of result.lost) {
        const back = lost.requeued.length === 0 ? '' : `; put back in jobqueue/: ${lost.requeued.join(', ')}`;
        // (jobs that lost too many workers went to failed/, with their reason)
        say(`Worker ${lost.id} was no longer running${back}.`);
      }
      for (const busy of result.draining) {
        say(`Worker ${busy.id} leaves after its job ${busy.jobs.join(', ')} (use --now to stop it now, or --wait to wait).`);
      }
      if (result.remaining.length > 0) {
        warn(program, `these workers did not leave within ${options.timeout / 1000} s: ${result.remaining.join(', ')}`);
        warn(program, 'run the command again later; their logs are in .fjd/logs/ of the home');
        process.exitCode = EXIT.error;
        return;
      }
      process.exitCode = EXIT.ok;
    });
}
