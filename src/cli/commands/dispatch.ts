// `dispatcher` / `fjd dispatch`: pair jobs with idle workers until the queue is empty.
import path from 'node:path';
import {Command, InvalidArgumentError, Option} from 'commander';
import {Dispatcher, type DispatchSummary, type DispatcherEvent} from '../../dispatcher/dispatcher.js';
import {leaseRefusal} from '../../dispatcher/lease.js';
import {fireWorkers} from '../../recruiter/fire.js';
import {HOOK_OUTPUT_LIMIT, runHook} from '../../run/hooks.js';
import {recordPath} from '../../home/paths.js';
import {listWorkers} from '../../home/registry.js';
import {describeLoss} from '../../home/worker-loss.js';
import {formatRequest} from '../../job/resources.js';
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
import {summaryLines, waitingForWorkers, wallSeconds} from '../dispatch-summary.js';

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
      'a shell command run once the queue has drained (FJD_FINISHED, FJD_FAILED, FJD_REQUEUED, FJD_WALL_SECONDS, FJD_FAILED_JOBS, FJD_HOME)',
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
Exit status: 0 if every job exited 0, 1 if any job failed, 2 for bad usage,
3 if the dispatcher itself could not work, 130 when interrupted.

Examples:
  dispatcher
  dispatcher --watch
  fjd dispatch --fire-when-done --home /shared/run1
  dispatcher --on-failure 'echo "$FJD_JOB_ID: $FJD_JOB_REASON" >> failures.txt'
  dispatcher --on-done 'mail -s "sweep done: $FJD_FAILED failed" me@example.org < /dev/null'

Hooks run with the home as working directory, stdin closed and their output shown;
a hook that fails is reported, and no job depends on it.`,
    )
    .action(async (options: DispatchOptions) => {
      process.exitCode = await dispatch(options, program);
    });
}

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
  const print = (line: string): void => {
    if (!quiet) display.line(line);
  };
  const warning = (line: string): void => display.line(`${program}: ${line}`, true);
  // Hooks run on their own; the dispatcher waits for them before it exits.
  const hooks: Promise<void>[] = [];
  const hook = (which: string, command: string, env: Record<string, string>): Promise<void> => {
    const running = runHook(
      command,
      {FJD_HOME: dispatcher.paths.root, ...env},
      dispatcher.paths.root,
      options.hookTimeout ?? 600_000,
    ).then(
      (run) => {
        for (const line of run.stdout.split('\n').filter((l) => l !== '')) display.line(`${which}: ${line}`);
        for (const line of run.stderr.split('\n').filter((l) => l !== '')) display.line(`${which}: ${line}`, true);
        if (run.trouble !== null) warning(`warning: the ${which} hook failed (${run.trouble}); no job is affected`);
        for (const stream of ['stdout', 'stderr'] as const) {
          const limit = `${HOOK_OUTPUT_LIMIT / 1048576} MiB`;
          if (run.cut[stream] > 0)
            warning(
              `warning: the ${which} hook printed more than ${limit} on ${stream}; the ${run.cut[stream]} bytes after it are not shown`,
            );
        }
      },
      (error: unknown) =>
        warning(`warning: the ${which} hook could not run (${error instanceof Error ? error.message : String(error)})`),
    );
    hooks.push(running);
    return running;
  };
  const onFailed = (id: string, name: string, reason: string | null): void => {
    if (options.onFailure === undefined) return;
    void hook('--on-failure', options.onFailure, {
      FJD_JOB_ID: id,
      FJD_JOB_NAME: name,
      FJD_JOB_REASON: reason ?? '',
      FJD_JOB_RECORD: recordPath(dispatcher.paths, id),
      FJD_JOB_FILE: path.join(dispatcher.paths.failed, id),
    });
  };
  const onEvent = (event: DispatcherEvent): void => {
    switch (event.type) {
      case 'started':
        print('Dispatcher started.');
        // From here on the counts are known (not while it waits for another's lock).
        display.start();
        break;
      case 'found':
        print(`Found ${event.count} new job${event.count === 1 ? '' : 's'} to dispatch.`);
        break;
      case 'waiting-for-workers':
        print(waitingForWorkers(event));
        break;
      case 'not-a-job':
        warning(`warning: jobqueue/${event.name} is ${event.kind}, not a job file; leaving it alone`);
        break;
      case 'job-ended':
        if (event.outcome === 'failed') {
          display.line(`Job ${event.id} ${red('failed')}: ${event.reason ?? 'unknown reason'}`);
          onFailed(event.id, event.name, event.reason);
        }
        break;
      case 'job-unfittable':
        warning(
          `warning: job ${event.name} waits: it ${event.reason}. It runs once a worker that offers that much registers (other jobs that ask for ${formatRequest(event.request)} wait too, without another warning)`,
        );
        break;
      case 'job-requeued':
        print(`Job ${event.id} went back to the queue${event.reason === null ? '' : ` (${event.reason})`}.`);
        break;
      case 'worker-lost': {
        const back =
          event.requeued.length === 0 ? '' : `; its jobs went back to the queue: ${event.requeued.join(', ')}`;
        const failedHere =
          event.failed.length === 0 ? '' : `; failed after too many lost workers: ${event.failed.join(', ')}`;
        // (each job failed here is also told as a job that ended, which runs --on-failure)
        print(`Worker ${event.worker} is gone (${describeLoss(event.loss)})${back}${failedHere}.`);
        break;
      }
      case 'waiting-for-lock':
        print(`Waiting: ${event.message}.`);
        break;
      case 'worker-left':
        break;
      case 'warning':
        warning(`warning: ${event.message}`);
        break;
      case 'home-unsafe':
        warning(`warning: ${event.message}; nothing is moved through it until that is fixed`);
        if (event.hint !== null) warning(event.hint);
        break;
      case 'home-safe':
        warning("the home's directories are safe again; dispatching goes on");
        break;
    }
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
  await Promise.all(hooks);
  const workersLeft = summary.interrupted && listWorkers(dispatcher.paths).length > 0;
  const context = {home: dispatcher.paths.root, firesWorkers: options.firesWorkers === true, workersLeft};
  for (const line of summaryLines(summary, context)) say(line);
  const seconds = wallSeconds(summary);
  if (options.onDone !== undefined && !summary.interrupted) {
    await hook('--on-done', options.onDone, {
      FJD_FINISHED: String(summary.finished),
      FJD_FAILED: String(summary.failed),
      FJD_REQUEUED: String(summary.requeued),
      FJD_WALL_SECONDS: seconds,
      FJD_FAILED_JOBS: summary.failedJobs.map((job) => job.id).join('\n'),
    });
  }
  await Promise.all(hooks);
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
  return summary.failed > 0 ? EXIT.jobsFailed : EXIT.ok;
}
