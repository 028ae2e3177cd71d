// `fjd report`: a row per job, or per attempt, with its [params], as a table, CSV, TSV, JSON
// lines or GNU parallel's joblog, written as it is read (src/status/report.ts). Warnings (a
// record or job file that cannot be read) go to stderr, the first MAX_WARNINGS of them.
import {Command, InvalidArgumentError, Option} from 'commander';
import {checkHome} from '../../home/layout.js';
import {reportLines} from '../../status/report.js';
import {REPORT_FORMATS, type ReportFormat} from '../../status/report-format.js';
import {ROW_STATES, type RowState} from '../../status/report-rows.js';
import {EXIT, groupSharedFrom, groupSharedOption, homeFrom, homeOption, warn} from '../common.js';

interface ReportOptions {
  home?: string;
  groupShared?: boolean;
  format: ReportFormat;
  state?: RowState[];
  failed?: boolean;
  allAttempts?: boolean;
}

const MAX_WARNINGS = 20;
// Bytes gathered before each write to stdout.
const CHUNK_BYTES = 64 * 1024;

// --state open,failed (or repeated): each a state a row may have.
function states(value: string, earlier: RowState[] | undefined): RowState[] {
  const given = value.split(',').map((s) => s.trim());
  for (const state of given)
    if (!(ROW_STATES as readonly string[]).includes(state))
      throw new InvalidArgumentError(`"${state}" is not a state; use ${ROW_STATES.join(', ')}.`);
  return [...(earlier ?? []), ...(given as RowState[])];
}

// Until stdout takes more, or cannot.
function drained(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.stdout.off('drain', done);
      process.stdout.off('error', done);
      resolve();
    };
    process.stdout.once('drain', done);
    process.stdout.once('error', done);
  });
}

const EXAMPLES = `
The rows: one per job, the newest job of each name; with --all-attempts one per attempt of
every job. Each has id, name, state, attempts, exit, signal, reason, host, started (UTC) and
seconds, then a column per [params] key of its job file (the keys of the first 1,000 rows).
json: one object a line (JSON lines), with every [params] key. joblog: GNU parallel's
--joblog format, the rows that have ended, numbered from 1.

Exit status: 0, 2 for bad usage.

Examples:
  fjd report
  fjd report --failed
  fjd report --format csv > results.csv
  fjd report --state finished,failed --format json | jq -r .params.seed
  fjd report --all-attempts --format joblog > joblog.txt`;

export function reportCommand(): Command {
  return new Command('report')
    .description("a row per job with its state, exit code, host, start, run time and [params]: a sweep's results table")
    .addOption(homeOption())
    .addOption(groupSharedOption())
    .addOption(new Option('--format <format>', 'how to write the rows').choices(REPORT_FORMATS).default('table'))
    .option(
      '--state <states>',
      `only rows in these states (repeat it, or a comma list): ${ROW_STATES.join(', ')}`,
      states,
    )
    .option('--failed', 'only the failed rows (as --state failed)')
    .option('--all-attempts', 'a row per attempt of every job, the older jobs of a name too')
    .addHelpText('after', EXAMPLES)
    .action(async (options: ReportOptions) => {
      const paths = checkHome(homeFrom(options), {groupShared: groupSharedFrom(options)});
      const wanted = [...(options.state ?? []), ...(options.failed === true ? (['failed'] as const) : [])];
      let warnings = 0;
      const lines = reportLines(paths, {
        format: options.format,
        allAttempts: options.allAttempts === true,
        states: wanted.length === 0 ? undefined : new Set(wanted),
        warn: (message) => {
          if (++warnings <= MAX_WARNINGS) warn('fjd', `warning: ${message}`);
        },
      });
      let broken = false;
      process.stdout.once('error', () => (broken = true));
      let chunk = '';
      for (const line of lines) {
        chunk += line;
        if (chunk.length < CHUNK_BYTES) continue;
        if (!process.stdout.write(chunk)) await drained();
        chunk = '';
        // Let a closed pipe (| head) be noticed, and stop there.
        await new Promise((resolve) => setImmediate(resolve));
        if (broken) return;
      }
      process.stdout.write(chunk);
      if (warnings > MAX_WARNINGS) warn('fjd', `warning: ${warnings - MAX_WARNINGS} more warnings left out`);
      process.exitCode = EXIT.ok;
    });
}
