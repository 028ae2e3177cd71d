// `fjd cancel`: withdraw open jobs and stop running ones; they end in failed/ as "cancelled".
import {Command} from 'commander';
import {ensureHome, type HomePaths} from '../../home/layout.js';
import {listDir} from '../../home/atomic.js';
import {isIgnoredName} from '../../home/names.js';
import {tryDispatcherLock} from '../../dispatcher/lock.js';
import {cancelJobs, type CancelOutcome} from '../../queue/cancel.js';
import {EXIT, durationOption, groupSharedFrom, groupSharedOption, homeFrom, homeOption, say, warn} from '../common.js';

interface CancelOptions {
  home?: string;
  allOpen?: boolean;
  wait: number;
  groupShared?: boolean;
}

export function cancelCommand(): Command {
  return new Command('cancel')
    .description(
      'cancel jobs: open ones are withdrawn, running ones stopped; all end in failed/ with reason "cancelled"',
    )
    .argument('[jobs...]', 'job ids or names (as in jobqueue/, done/, failed/ or `fjd status`)')
    .addOption(homeOption())
    .option('--all-open', 'cancel every job waiting in jobqueue/')
    .addOption(
      durationOption('--wait <duration>', 'how long to wait for workers and the dispatcher to carry it out', 30_000),
    )
    .addOption(groupSharedOption())
    .addHelpText(
      'after',
      `
A running job's process group gets TERM, then KILL after the worker's grace time.
Nothing is deleted: the job file goes to failed/, its record says "cancelled", and
its output stays in .fjd/output/.

Exit status: 0 if every job named was cancelled, 3 if any was unknown, had already
ended, or was not stopped within --wait (the request stays and takes effect later).

Examples:
  fjd cancel sim-0042
  fjd cancel sim-0042 sim-0043
  fjd cancel --all-open`,
    )
    .action(async (jobs: string[], options: CancelOptions) => {
      process.exitCode = await cancel(jobs, options);
    });
}

async function cancel(jobs: string[], options: CancelOptions): Promise<number> {
  if (jobs.length === 0 && options.allOpen !== true) {
    warn('fjd', 'error: name the jobs to cancel, or give --all-open');
    warn('fjd', 'Try "fjd cancel --help".');
    return EXIT.usage;
  }
  if (jobs.length > 0 && options.allOpen === true) {
    warn('fjd', 'error: give either job names or --all-open, not both');
    return EXIT.usage;
  }
  const paths: HomePaths = ensureHome(homeFrom(options), {groupShared: groupSharedFrom(options)});
  const refs =
    options.allOpen === true
      ? listDir(paths.jobqueue)
          .filter((name) => !isIgnoredName(name))
          .sort()
      : jobs;
  if (refs.length === 0) {
    say('No open jobs to cancel.');
    return EXIT.ok;
  }
  const outcomes = await cancelJobs({
    paths,
    refs,
    waitMs: options.wait,
    tryLock: async () => {
      const lock = await tryDispatcherLock(paths);
      return lock === undefined ? undefined : () => lock.release();
    },
  });
  let trouble = 0;
  for (const outcome of outcomes) {
    const line = describe(outcome);
    if (outcome.result === 'cancelled') say(line);
    else {
      trouble++;
      warn('fjd', line);
    }
  }
  const cancelled = outcomes.length - trouble;
  if (outcomes.length > 1) say(`Cancelled ${cancelled} of ${outcomes.length} jobs.`);
  if (outcomes.some((o) => o.result === 'unknown')) warn('fjd', '"fjd status" lists the jobs of this home.');
  return trouble === 0 ? EXIT.ok : EXIT.error;
}

function describe(outcome: CancelOutcome): string {
  switch (outcome.result) {
    case 'cancelled':
      if (outcome.was === 'cancelled') return `${outcome.id} was cancelled already; it is in ${outcome.file}.`;
      return outcome.was === 'open'
        ? `Cancelled ${outcome.id}: withdrawn from the queue; it is in ${outcome.file}.`
        : `Cancelled ${outcome.id}: stopped on worker ${outcome.worker ?? '?'}; it is in ${outcome.file}.`;
    case 'ended':
      return `error: ${outcome.id} had already ${outcome.state === 'finished' ? 'finished' : `failed (${outcome.reason ?? 'unknown reason'})`}; nothing to cancel`;
    case 'unknown':
      return `error: no job "${outcome.ref}" in this home`;
    case 'pending':
      return `error: ${outcome.ref} is not cancelled yet: ${outcome.where}; the request stays and takes effect when it does`;
  }
}
