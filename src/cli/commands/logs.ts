// `fjd logs JOB`: a job's captured stdout to stdout and its stderr to stderr, for one attempt
// (the last by default); --follow keeps printing what is appended until the job has ended.
// Output files are polled by size, since file events do not see writes from other hosts.
import fs from 'node:fs';
import {once} from 'node:events';
import {setTimeout as delay} from 'node:timers/promises';
import {Command} from 'commander';
import {FjdError} from '../../errors.js';
import {checkHome, type HomePaths} from '../../home/layout.js';
import {findJob, findJobById, jobNotFound, type FoundJob} from '../../home/find-job.js';
import {attemptOutput, hasEnded, lastAttempt, neverRan, sizeOf, type AttemptOutput} from '../../status/job-output.js';
import {EXIT, groupSharedFrom, groupSharedOption, homeFrom, homeOption, positiveInteger, warn} from '../common.js';
import {stopSignal} from '../watch.js';

const POLL_MS = 200;

interface LogsOptions {
  home?: string;
  follow?: boolean;
  groupShared?: boolean;
  attempt?: number;
}

// Writes bytes [from, to) of `file` to `stream`, waiting for it to drain.
async function copyRange(file: string, from: number, to: number, stream: NodeJS.WriteStream): Promise<void> {
  if (to <= from) return;
  for await (const chunk of fs.createReadStream(file, {start: from, end: to - 1})) {
    if (!stream.write(chunk as Buffer)) await once(stream, 'drain');
  }
}

// The job a reference names, or the error that says there is none.
function lookUp(paths: HomePaths, ref: string): FoundJob {
  const job = findJob(paths, ref);
  if (job === undefined) throw jobNotFound(paths, ref);
  return job;
}

// The output files to show: attempt N when asked for, else the one running or last run.
function chosen(paths: HomePaths, job: FoundJob, attempt: number | undefined): AttemptOutput | undefined {
  const n = attempt ?? lastAttempt(job);
  if (n === null || job.id === null) return undefined;
  return attemptOutput(paths, job.id, n);
}

async function follow(paths: HomePaths, ref: string, attempt: number | undefined): Promise<number> {
  const stop = stopSignal();
  try {
    let job = lookUp(paths, ref);
    let files: AttemptOutput | undefined;
    let offsets = {out: 0, err: 0};
    let waitingSaid = false;
    for (let first = true; ; first = false) {
      // Found again by its id once it has one; a job out of sight for a moment (a lost
      // worker's pod being recovered) keeps its last view.
      if (!first) job = (job.id === null ? findJob(paths, ref) : findJobById(paths, job.id)) ?? job;
      const ended = hasEnded(job);
      const now = chosen(paths, job, attempt);
      if (now !== undefined && now.stdout !== files?.stdout) {
        if (files !== undefined) process.stderr.write(`fjd: attempt ${now.attempt} of ${job.id ?? ref} started\n`);
        files = now;
        offsets = {out: 0, err: 0};
      }
      const unrun = neverRan(job);
      if (unrun !== undefined) {
        warn('fjd', `job ${job.name} never ran: ${unrun}, so it has no output`);
        return EXIT.ok;
      }
      if (files === undefined && !waitingSaid && !ended) {
        warn('fjd', `job ${job.name} has not started yet (${job.state}); waiting for it`);
        waitingSaid = true;
      }
      if (files !== undefined) {
        const sizes = {out: sizeOf(files.stdout), err: sizeOf(files.stderr)};
        await copyRange(files.stdout, offsets.out, sizes.out, process.stdout);
        await copyRange(files.stderr, offsets.err, sizes.err, process.stderr);
        offsets = sizes;
      }
      // The state was read before the sizes, so what was written before it ended is printed.
      if (ended) return EXIT.ok;
      const signal = await Promise.race([stop.stopped, delay(POLL_MS).then(() => undefined)]);
      if (signal !== undefined) return EXIT.interrupted;
    }
  } finally {
    stop.dispose();
  }
}

async function show(paths: HomePaths, ref: string, attempt: number | undefined): Promise<number> {
  const job = lookUp(paths, ref);
  const files = chosen(paths, job, attempt);
  const unrun = attempt === undefined ? neverRan(job) : undefined;
  if (unrun !== undefined) {
    warn('fjd', `job ${job.name} never ran: ${unrun}, so it has no output`);
    return EXIT.ok;
  }
  if (files === undefined) {
    warn(
      'fjd',
      `job ${job.name} has not started yet (${job.state}), so it has no output; fjd logs --follow waits for it`,
    );
    return EXIT.ok;
  }
  const known = job.current?.attempt ?? job.record?.attempts.at(-1)?.attempt ?? 0;
  if (files.attempt > known) {
    throw new FjdError('JOB_WRONG_STATE', `job ${job.id ?? ref} has no attempt ${files.attempt} (it has ${known})`, {
      path: job.path,
    });
  }
  if (!fs.existsSync(files.stdout) && !fs.existsSync(files.stderr)) {
    const reason = job.record?.attempts.find((a) => a.attempt === files.attempt)?.reason;
    warn(
      'fjd',
      `attempt ${files.attempt} of job ${job.id ?? ref} has no output${reason === null || reason === undefined ? '' : ` (${reason})`}`,
    );
    return EXIT.ok;
  }
  await copyRange(files.stdout, 0, sizeOf(files.stdout), process.stdout);
  await copyRange(files.stderr, 0, sizeOf(files.stderr), process.stderr);
  return EXIT.ok;
}

export function logsCommand(): Command {
  return new Command('logs')
    .description("print a job's captured stdout (to stdout) and stderr (to stderr), finished or running")
    .argument('<job>', 'a job id, name, or path such as done/x')
    .addOption(homeOption())
    .addOption(groupSharedOption())
    .option('-f, --follow', 'keep printing what the job writes until it has ended (waits for it to start)')
    .option('--attempt <n>', 'the output of attempt N (default: the last one)', positiveInteger('--attempt'))
    .addHelpText(
      'after',
      '\nExit status: 0, 2 for bad usage, 3 if the job is not there or has no such attempt,\n130 when --follow is interrupted.\n\nExamples:\n  fjd logs job7\n  fjd logs job7 > job7.out 2> job7.err\n  fjd logs job7 --follow\n  fjd logs failed/job7 --attempt 1',
    )
    .action(async (ref: string, options: LogsOptions) => {
      const paths = checkHome(homeFrom(options), {groupShared: groupSharedFrom(options)});
      process.exitCode =
        options.follow === true ? await follow(paths, ref, options.attempt) : await show(paths, ref, options.attempt);
    });
}
