// `fjd status`: counts of jobs by state, the rate, and the worker processes with their slots,
// for people or as JSON; `fjd status JOB`: one job's whole record, and why it waits. --watch
// redraws either until Ctrl-C.
import {Command} from 'commander';
import {checkHome, homePaths} from '../../home/layout.js';
import {parseDuration} from '../../job/job-file.js';
import {collectStatus} from '../../status/status.js';
import {findJob, jobNotFound} from '../../home/find-job.js';
import {formatStatus} from '../../status/format-status.js';
import {formatJob} from '../../status/format-job.js';
import {whyWaiting} from '../../status/why-waiting.js';
import {EXIT, duration, groupSharedFrom, groupSharedOption, homeFrom, homeOption, warn} from '../common.js';
import {watch} from '../watch.js';

interface StatusOptions {
  home?: string;
  groupShared?: boolean;
  json?: boolean;
  watch?: true | number;
}

// The text (or JSON) of one look at the home, or at one job of it.
function renderer(
  home: string,
  ref: string | undefined,
  json: boolean,
  oneLine: boolean,
  groupShared: boolean,
): () => string {
  const paths = checkHome(home, {groupShared});
  let told = false;
  return () => {
    if (ref === undefined) {
      // The text shows counts of the ended jobs, not each one: their listings are enough.
      const report = collectStatus(home, Date.now(), process.env, {listEnded: json});
      return json ? `${JSON.stringify(report, null, oneLine ? undefined : 2)}\n` : formatStatus(report);
    }
    const job = findJob(paths, ref);
    if (job === undefined) throw jobNotFound(paths, ref);
    if (!json) return formatJob(paths, job);
    if (job.others.length > 0 && !told)
      warn('fjd', `this is the newest job named ${job.name}; the others: ${job.others.join(', ')}`);
    told = true;
    const waiting = job.state === 'open' ? whyWaiting(paths, job.path) : [];
    const view = {state: job.state, file: job.file, worker: job.worker, record: job.record ?? null, waiting};
    return `${JSON.stringify(view, null, oneLine ? undefined : 2)}\n`;
  };
}

// `--watch --json 1s`: a bare --watch followed later by a duration that names no job means
// that duration is the interval, as in `--watch 1s --json`.
function lateInterval(home: string, ref: string | undefined, watch: true | number | undefined): number | undefined {
  if (watch !== true || ref === undefined || findJob(homePaths(home), ref) !== undefined) return undefined;
  try {
    return parseDuration(ref, '--watch');
  } catch {
    return undefined;
  }
}

export function statusCommand(): Command {
  return new Command('status')
    .description(
      'show how many jobs are open, assigned, running, finished and failed, the rate, and the worker processes with what runs in their slots and what they have free; or one job in full',
    )
    .argument('[job]', 'a job id, name, or path such as done/x: show its whole record, attempts and stderr')
    .addOption(homeOption())
    .addOption(groupSharedOption())
    .option('--json', 'print everything as JSON (the schema is in the README)')
    .option(
      '--watch [interval]',
      'redraw every interval (default 2s) until Ctrl-C; with --json, one JSON line each time (the interval may also come last: --watch --json 5s)',
      duration('--watch'),
    )
    .addHelpText(
      'after',
      '\nExit status: 0, 2 for bad usage, 3 if the job named is not there.\n\nExamples:\n  fjd status\n  fjd status --watch\n  fjd status --json | jq .counts\n  fjd status job7           # one job: its attempts, exit codes and stderr\n  fjd status failed/job7 --json',
    )
    .action(async (given: string | undefined, options: StatusOptions) => {
      const json = options.json === true;
      const home = homeFrom(options);
      const interval = lateInterval(home, given, options.watch);
      if (interval !== undefined) options.watch = interval;
      const ref = interval === undefined ? given : undefined;
      const render = renderer(home, ref, json, options.watch !== undefined, groupSharedFrom(options));
      if (options.watch === undefined) process.stdout.write(render());
      else await watch(render, {intervalMs: options.watch === true ? 2000 : Math.max(100, options.watch), lines: json});
      process.exitCode = EXIT.ok;
    });
}
