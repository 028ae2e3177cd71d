// `fjd submit`: put jobs in jobqueue/, one or ten thousand, each complete or not at all.
import fs from 'node:fs';
import path from 'node:path';
import {Command} from 'commander';
import {FjdError} from '../../errors.js';
import {bulkKey, existingJobNames} from '../../home/existing-names.js';
import {ensureHome, type HomePaths} from '../../home/layout.js';
import {planJobs, parameterItems, parseParamOption} from '../../submit/plan.js';
import {publishJobs} from '../../submit/publish.js';
import {
  EXIT,
  groupSharedFrom,
  groupSharedOption,
  homeFrom,
  homeOption,
  positiveInteger,
  reportError,
  say,
  warn,
} from '../common.js';
import {addControlOptions, controlFromOptions, envFromOptions, type ControlOptions} from '../job-options.js';

export interface JobOptions extends ControlOptions {
  exe: string;
  param?: string[];
  paramsFile?: string;
  parameters?: string;
  repeat?: number;
  name?: string;
  workdir?: string;
  logfile?: string;
  home?: string;
  groupShared?: boolean;
  skipExisting?: boolean;
}

// The options that say which jobs to make, and their [control] keys and [env] (job-options.ts);
// `fjd run` takes them too.
export function addJobOptions(command: Command): Command {
  command
    .requiredOption('--exe <command>', 'the command line each job runs (a shell command line, as in fjd)')
    .option(
      '--param <key=value>',
      "a key of the job's [params] section (repeat for more keys)",
      (value: string, all: string[] | undefined) => [...(all ?? []), value],
    )
    .option(
      '--params-file <file>',
      'one job per row of a CSV file whose header row names the keys (- for standard input)',
    )
    .option(
      '--parameters <list>',
      "one job per comma-separated item, or per line of standard input with -; $1, $2 … in --exe take an item's #-separated parameters",
    )
    .option('--repeat <n>', 'N jobs that run the same command line', positiveInteger('--repeat'))
    .option(
      '--name <name>',
      "the job name (bulk: NAME-1, NAME-2 …, numbered from 1 and zero-padded to the width of the count, as in run-01 … run-40; default: the program's name and the time)",
    )
    .option('--workdir <dir>', 'the directory the jobs run in (default: the current directory)')
    .option('--logfile <file>', 'the [control] logfile of the jobs')
    .option(
      '--skip-existing',
      'make no job whose name this home holds already, in any state (queued, running, done, failed): submitting the same jobs again queues only those never queued',
    );
  return addControlOptions(command).addOption(homeOption()).addOption(groupSharedOption());
}

// Reads standard input, which is only done when the user asked with `-`.
function readStdin(): string {
  if (process.stdin.isTTY) process.stderr.write('Reading from standard input; end with Ctrl-D.\n');
  return fs.readFileSync(0, 'utf8');
}

// Makes and publishes the jobs the options ask for; returns the home and the names used.
export function queueJobs(options: JobOptions): {paths: HomePaths; names: string[]; bulk: boolean; skipped: number} {
  const params = (options.param ?? []).map(parseParamOption);
  const control = controlFromOptions(options);
  const env = envFromOptions(options, process.env);
  if (options.skipExisting === true && options.name === undefined) {
    throw new FjdError(
      'USAGE',
      '--skip-existing needs --name: names made without it hold the time, so none is ever taken',
      {
        hint: 'Give the same --name each time, as in: fjd submit --params-file sweep.csv --name sweep --skip-existing',
      },
    );
  }
  const workdir = path.resolve(options.workdir ?? '.');
  if (!fs.statSync(workdir, {throwIfNoEntry: false})?.isDirectory()) {
    throw new FjdError('USAGE', `--workdir ${options.workdir ?? '.'}: ${workdir} is not a directory`);
  }
  let csv: {text: string; source: string} | undefined;
  if (options.paramsFile === '-') csv = {text: readStdin(), source: 'standard input'};
  else if (options.paramsFile !== undefined) {
    try {
      csv = {text: fs.readFileSync(options.paramsFile, 'utf8'), source: options.paramsFile};
    } catch (error) {
      throw new FjdError(
        'BAD_PARAMETERS',
        `cannot read --params-file ${options.paramsFile} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
        {path: options.paramsFile, cause: error},
      );
    }
  }
  const parameters =
    options.parameters === undefined
      ? undefined
      : parameterItems(options.parameters, options.parameters === '-' ? readStdin() : undefined);
  const specs = planJobs({
    exe: options.exe,
    workdir,
    name: options.name,
    logfile: options.logfile,
    control,
    env,
    params,
    csv,
    parameters,
    repeat: options.repeat,
    now: new Date(),
  });
  const paths = ensureHome(homeFrom(options), {groupShared: groupSharedFrom(options)});
  // --skip-existing: a job whose name the home holds already, in any state, is not made again.
  const taken = options.skipExisting === true ? existingJobNames(paths) : undefined;
  const fresh = taken === undefined ? specs : specs.filter((spec) => !taken.has(bulkKey(spec.name)));
  const names = publishJobs(paths, fresh);
  const bulk = csv !== undefined || parameters !== undefined || options.repeat !== undefined;
  return {paths, names, bulk, skipped: specs.length - fresh.length};
}

// The one line that tells what a bulk submit did (and how many jobs --skip-existing skipped).
export function submittedLine(names: string[], skipped = 0): string {
  const skip = skipped === 0 ? '' : `${skipped} job${skipped === 1 ? '' : 's'} whose name this home holds already`;
  if (names.length === 0)
    return skipped === 0 ? 'Submitted no jobs: there were no parameters.' : `Submitted no jobs: skipped ${skip}.`;
  const which = names.length === 1 ? (names[0] ?? '') : `${names[0] ?? ''} … ${names.at(-1) ?? ''}`;
  return `Submitted ${names.length} job${names.length === 1 ? '' : 's'} to jobqueue/: ${which}${skipped === 0 ? '' : `; skipped ${skip}`}.`;
}

// Reports an error of submit or run: a usage error is 2, as for bad flags (reportError maps it).
export function reportSubmitError(program: string, error: unknown): number {
  return reportError(program, error);
}

export function submitCommand(): Command {
  return addJobOptions(
    new Command('submit').description('put jobs in jobqueue/: one, one per CSV row, or one per parameter'),
  )
    .addHelpText(
      'after',
      `
One job prints its name alone, so that name=$(fjd submit …) works; more print one line.
Jobs made with --param or --params-file get a [params] section and their job file as the
last argument; jobs made with --parameters or --repeat run their command line as given.

Examples:
  fjd submit --exe 'python sim.py' --param alpha=0.1 --param seed=3
  fjd submit --exe 'python sim.py' --params-file sweep.csv --name sweep
  fjd submit --exe 'python sim.py' --params-file sweep.csv --name sweep --skip-existing --retries 2 --timeout 1h
  fjd submit --exe './train' --gpus 1 --memory 16G --env OMP_PROC_BIND=close --export-env PATH,VIRTUAL_ENV
  ls *.txt | fjd submit --exe 'gzip $1' --parameters -
  fjd submit --exe 'cp $1 $2' --parameters 'a.txt#bk/a.txt,b.txt#bk/b.txt'`,
    )
    .action((options: JobOptions) => {
      try {
        const {names, bulk, skipped} = queueJobs(options);
        // One job prints its name alone; one skipped prints nothing there, and says so.
        if (bulk) say(submittedLine(names, skipped));
        else if (names[0] !== undefined) say(names[0]);
        else warn('fjd submit', submittedLine(names, skipped));
        process.exitCode = EXIT.ok;
      } catch (error) {
        process.exitCode = reportSubmitError('fjd submit', error);
      }
    });
}
