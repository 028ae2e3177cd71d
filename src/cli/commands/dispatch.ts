// `dispatcher` / `fjd dispatch`: pair jobs with idle workers until the queue is empty.
import {Command, InvalidArgumentError, Option} from 'commander';
import {Dispatcher, type DispatchSummary, type DispatcherEvent} from '../../dispatcher/dispatcher.js';
import {leaseRefusal} from '../../dispatcher/lease.js';
import {parseHalt, type HaltRule} from '../../dispatcher/halt.js';
import {fireWorkers} from '../../recruiter/fire.js';
import {listWorkers} from '../../home/registry.js';
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
} from '../common.js';
import {ProgressDisplay, progressMode, useColor} from '../progress.js';
import {eventLines} from '../dispatch-events.js';
import {DispatchHooks} from '../dispatch-hooks.js';
import {summaryLines} from '../dispatch-summary.js';

const PROGRESS_EVERY_MS = 5000;

export interface DispatchOptions {
  home?: string;
  watch?: boolean;
  fireWhenDone?: boolean;
  quiet?: boolean;
  settle: number;
  rescan: number;
  lease: number;
  // The workers' heartbeat, if shorter than the default: allows a lease of three of them.
  heartbeat?: number;
  maxAttempts: number;
  ioRetry?: number;
  groupShared?: boolean;
  // How often a plain progress line may be printed, in ms (a hidden option, for tests).
  progressInterval?: number;
  // The caller fires the workers itself when interrupted (`fjd run`): say nothing of them.
  firesWorkers?: boolean;
  onDone?: string;
  onFailure?: string;
  limit?: Map<string, number>;
  hookTimeout?: number;
  // How many jobs found by listing are read ahead (a hidden option, for tests).
  readAhead?: number;
  halt?: HaltRule;
}

export function dispatchCommand(name = 'dispatch', program = 'dispatcher'): Command {
  return new Command(name)
    .description('hand the jobs in jobqueue/ to idle workers until none is left and none runs')
    .addOption(homeOption())
    .option('--watch', 'keep running and take new jobs as they arrive, until Ctrl-C')
    .option('--fire-when-done', 'fire the workers when the queue is done')
    .option('-q, --quiet', 'print only failures and the summary')
    .addOption(groupSharedOption())
    .addOption(
      durationOption(
        '--lease <duration>',
        'a worker whose heartbeat stops for this long is presumed lost; its jobs are run again',
        30_000,
      ),
    )
    .option(
      '--heartbeat <duration>',
      'the heartbeat the workers were hired with (recruiter hire --heartbeat; default 5s): the lease must be at least 3 of them',
      duration('--heartbeat'),
    )
    .option(
      '--max-attempts <n>',
      "how many lost workers a job may see before it fails (a job's [control] max_attempts wins)",
      positiveInteger('--max-attempts'),
      3,
    )
    .addOption(
      durationOption(
        '--settle <duration>',
        'how long a file written in place must stay unchanged before it is taken',
        1000,
      ),
    )
    .addOption(
      new Option('--io-retry <duration>', 'how long to wait before trying again on a full or read-only disk')
        .argParser(duration('--io-retry'))
        .hideHelp(),
    )
    .addOption(
      new Option('--progress-interval <duration>', 'how often to print a progress line without a terminal')
        .argParser(duration('--progress-interval'))
        .hideHelp(),
    )
    .addOption(
      new Option('--read-ahead <n>', 'how many jobs of a backlog are read ahead of the pairing')
        .argParser(positiveInteger('--read-ahead'))
        .hideHelp(),
    )
    .addOption(haltOption())
    .option(
      '--limit <group=count>',
      'at most COUNT jobs of [control] group GROUP at once, on all workers (repeatable; also the file `limits` in the home)',
      limitOption,
    )
    .option(
      '--on-failure <command>',
      'a shell command run for each failed job (FJD_JOB_ID, FJD_JOB_NAME, FJD_JOB_REASON, FJD_JOB_RECORD, FJD_JOB_FILE, FJD_HOME)',
    )
    .option(
      '--on-done <command>',
      'a shell command run once the queue has drained or the run halted (FJD_FINISHED, FJD_FAILED, FJD_REQUEUED, FJD_WALL_SECONDS, FJD_FAILED_JOBS, FJD_HALTED, FJD_HOME)',
    )
    .addOption(durationOption('--hook-timeout <duration>', 'how long a hook may run before it is stopped', 600_000))
    .addOption(
      durationOption(
        '--rescan <duration>',
        'how often to list the queues again (catches workers and jobs from other hosts)',
        1000,
      ),
    )
    .addHelpText(
      'after',
      `
Exit status: 0 if every job exited 0, 1 if any job failed (or the run halted),
2 for bad usage, 3 if the dispatcher itself could not work, 130 when interrupted.

Examples:
  dispatcher
  dispatcher --watch
  dispatcher --halt soon,fail=3
  fjd dispatch --fire-when-done --home /shared/run1
  dispatcher --on-failure 'echo "$FJD_JOB_ID: $FJD_JOB_REASON" >> failures.txt'
  dispatcher --on-done 'mail -s "sweep done: $FJD_FAILED failed" me@example.org < /dev/null'

${HALT_HELP}

Hooks run with the home as working directory, stdin closed and their output shown;
a hook that fails is reported, and no job depends on it.`,
    )
    .action(async (options: DispatchOptions) => {
      process.exitCode = await dispatch(options, program);
    });
}

// --halt, for the dispatcher and for `fjd run`: one parser (dispatcher/halt.ts).
export function haltOption(): Option {
  return new Option(
    '--halt <when,fail=limit>',
    "fail-fast: once N jobs failed (fail=N), or P% of the run's jobs (fail=P%), hand out nothing more and wait for those out (soon), or cancel them (now)",
  ).argParser((value: string): HaltRule => {
    const rule = parseHalt(value);
    if ('error' in rule) throw new InvalidArgumentError(rule.error);
    return rule;
  });
}

export const HALT_HELP = `--halt counts the jobs that end in failed/ during this run: a job that is
retried counts once, when its last attempt fails; one cancelled with fjd cancel
does not count. P% is of all the jobs of the run (ended, queued and running), as
GNU parallel takes it. Halted, it exits 1 and leaves the rest in jobqueue/.`;

// Parses --limit GROUP=COUNT, repeatable, into one map.
function limitOption(value: string, previous: Map<string, number> | undefined): Map<string, number> {
  const match = /^([^=\s]+)=(\d+)$/.exec(value.trim());
  if (match === null) throw new InvalidArgumentError('--limit takes GROUP=COUNT, such as --limit gpu=2.');
  return new Map([...(previous ?? []), [match[1] ?? '', Number(match[2])]]);
}

// The dispatcher with its progress display and summary; `fjd run` calls it too.
export async function dispatch(options: DispatchOptions, program: string): Promise<number> {
  const refused = leaseRefusal(options.lease, options.heartbeat);
  if (refused !== undefined) {
    process.stderr.write(`${program}: error: ${refused.message}\n${program}: ${refused.hint ?? ''}\n`);
    return EXIT.usage;
  }
  const quiet = options.quiet === true;
  const display = new ProgressDisplay({
    mode: progressMode(process.stdout, quiet),
    color: useColor(process.stdout),
    stream: process.stdout,
    other: process.stderr,
    // Asked only once the dispatcher has started.
    counts: () => dispatcher.progress(),
    plainEveryMs: options.progressInterval ?? PROGRESS_EVERY_MS,
  });
  const red = (text: string): string => (display.color ? `\x1b[31m${text}\x1b[39m` : text);
  const warning = (line: string): void => display.line(`${program}: ${line}`, true);
  // Hooks run on their own; the dispatcher waits for them before it exits.
  const hooks = new DispatchHooks(
    {onFailure: options.onFailure, onDone: options.onDone, timeoutMs: options.hookTimeout ?? 600_000},
    {line: (text, toOther) => display.line(text, toOther), warning},
    () => dispatcher.paths,
  );
  const onEvent = (event: DispatcherEvent): void => {
    for (const {to, text} of eventLines(event, red)) {
      if (to === 'warning') warning(text);
      else if (to === 'always' || !quiet) display.line(text);
    }
    // From here on the counts are known (not while it waits for another's lock).
    if (event.type === 'started') display.start();
    if (event.type === 'job-ended' && event.outcome === 'failed') hooks.failed(event.id, event.name, event.reason);
  };
  const dispatcher = new Dispatcher({
    home: homeFrom(options),
    watch: options.watch === true,
    settleMs: options.settle,
    rescanMs: options.rescan,
    leaseMs: options.lease,
    maxAttempts: options.maxAttempts,
    retryIoMs: options.ioRetry,
    limits: options.limit,
    readAhead: options.readAhead,
    halt: options.halt,
    groupShared: groupSharedFrom(options),
    onEvent,
  });
  const interrupt = (): void => dispatcher.stop();
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  let summary: DispatchSummary;
  try {
    summary = await dispatcher.run();
  } finally {
    display.stop();
    process.removeListener('SIGINT', interrupt);
    process.removeListener('SIGTERM', interrupt);
  }
  // What the --on-failure hooks print comes before the summary.
  await hooks.settled();
  const workersLeft = summary.interrupted && listWorkers(dispatcher.paths).length > 0;
  const context = {home: dispatcher.paths.root, firesWorkers: options.firesWorkers === true, workersLeft};
  for (const line of summaryLines(summary, context)) say(line);
  await hooks.drained(summary);
  await hooks.settled();
  if (options.fireWhenDone === true && !summary.interrupted) {
    const fired = await fireWorkers({
      home: dispatcher.paths.root,
      now: false,
      wait: true,
      groupShared: groupSharedFrom(options),
    });
    say(`Fired ${fired.stopped.length} worker${fired.stopped.length === 1 ? '' : 's'}.`);
  }
  if (summary.interrupted) return EXIT.interrupted;
  return summary.failed > 0 || summary.halted !== null ? EXIT.jobsFailed : EXIT.ok;
}
