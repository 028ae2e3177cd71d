// `fjd run`: the one-shot mode. Queue the jobs, hire a worker with a slot for each job to run
// at once, dispatch until every job has ended, fire the worker, and exit 1 if any job failed.
// Without --exe it queues nothing and runs the jobs already in jobqueue/.
import {fileURLToPath} from 'node:url';
import {Command} from 'commander';
import {ensureHome, type HomePaths} from '../../home/layout.js';
import type {HaltRule} from '../../dispatcher/halt.js';
import {hireWorkers, type HireResult} from '../../recruiter/hire.js';
import {slotsWord} from '../hire-words.js';
import {defaultSlots} from '../../worker/capacity.js';
import {fireWorkers} from '../../recruiter/fire.js';
import {waitingJobNames} from '../../queue/waiting.js';
import {EXIT, groupSharedFrom, homeFrom, positiveInteger, say, warn} from '../common.js';
import {dispatch, HALT_HELP, haltOption} from './dispatch.js';
import {addJobOptions, queueJobs, reportSubmitError, submittedLine, type JobOptions} from './submit.js';

// How many names of jobs left over from an earlier run its note lists.
const LEFTOVERS_NAMED = 3;

interface RunOptions extends Omit<JobOptions, 'exe'> {
  exe?: string;
  jobs?: number;
  quiet?: boolean;
  halt?: HaltRule;
}

// CPUs minus one (at least one), and no more than free memory holds at ~256 MiB each.

export function runCommand(): Command {
  const command = addJobOptions(
    new Command('run').description(
      'run jobs to the end on this machine: queue them (or, without --exe, take those in jobqueue/), hire a worker, dispatch, fire the worker',
    ),
  );
  // Without --exe, fjd run runs what is queued: --exe is optional here (not for fjd submit).
  command.options.find((option) => option.long === '--exe')?.makeOptionMandatory(false);
  return command
    .option(
      '-j, --jobs <n>',
      'how many jobs run at once: the slots of the one worker it hires (default: the number of CPUs minus one, at least 1)',
      positiveInteger('--jobs'),
    )
    .option('-q, --quiet', 'print only failures and the summary')
    .addOption(haltOption())
    .addHelpText(
      'after',
      `
--exe is a shell command line; $1, $2 … (or \${1} …) take a job's #-separated parameters,
shell-quoted; parameters that fill no placeholder are appended. Without --parameters,
--repeat, --param or --params-file, the command runs once. Without --exe, fjd run
queues nothing and runs the jobs waiting in jobqueue/ (fjd retry --all && fjd run
reruns the failed jobs); with none waiting, it says so and exits 0.

${HALT_HELP}

Exit status: 0 if every job finished, 1 if any failed, 2 for bad usage, 3 if fjd could not
work, 130 when interrupted (running jobs then go back to jobqueue/). A halted run exits 1.

Examples:
  fjd run --exe 'touch bla$1.txt' --parameters 1,2,3
  fjd run --exe 'cd data; gzip bla$1.txt' --parameters 1,2,3
  fjd run --exe 'cp $1 $2' --parameters 'a.txt#bk/a.txt,b.txt#bk/b.txt'
  ls *.fastq | fjd run --exe 'gzip $1' --parameters - -j 4
  fjd run --exe './simulate' --repeat 100 --halt soon,fail=5
  fjd retry --all && fjd run`,
    )
    .action(async (options: RunOptions, command: Command) => {
      process.exitCode = await run(options, command);
    });
}

// What `fjd run` says of the jobs it found waiting in jobqueue/ besides its own.
function leftoversNote(leftovers: string[]): string {
  const n = leftovers.length;
  const more = n > LEFTOVERS_NAMED ? ` and ${n - LEFTOVERS_NAMED} more` : '';
  const named = `${leftovers.slice(0, LEFTOVERS_NAMED).join(', ')}${more}`;
  return `note: ${n === 1 ? '1 job was' : `${n} jobs were`} already waiting in jobqueue/ (${named}); ${n === 1 ? 'it runs' : 'they run'} too`;
}

// The options given that make jobs (those of addJobOptions but the home's): they need --exe.
function jobMakingFlags(command: Command): string[] {
  const notJobs = new Set(['home', 'groupShared', 'exe']);
  return addJobOptions(new Command())
    .options.filter((option) => !notJobs.has(option.attributeName()))
    .filter((option) => command.getOptionValueSource(option.attributeName()) === 'cli')
    .map((option) => option.long ?? option.flags);
}

// What this run runs: the jobs it queued (with --exe), or those found waiting in jobqueue/.
function takeJobs(options: RunOptions, command: Command, quiet: boolean): {paths: HomePaths; count: number} | number {
  if (options.exe === undefined) {
    const flags = jobMakingFlags(command);
    if (flags.length > 0) {
      warn(
        'fjd run',
        `error: ${flags.join(', ')} ${flags.length === 1 ? 'makes jobs and needs' : 'make jobs and need'} --exe; without --exe, fjd run runs the jobs already in jobqueue/`,
      );
      return EXIT.usage;
    }
    const paths = ensureHome(homeFrom(options), {groupShared: groupSharedFrom(options)});
    const waiting = waitingJobNames(paths);
    if (waiting.length === 0) {
      say('No jobs are waiting in jobqueue/: nothing to run.');
      return EXIT.ok;
    }
    if (!quiet) say(`Running the ${waiting.length === 1 ? 'job' : `${waiting.length} jobs`} waiting in jobqueue/.`);
    return {paths, count: waiting.length};
  }
  const {paths, names, skipped} = queueJobs({...options, exe: options.exe});
  if (!quiet || names.length === 0) say(submittedLine(names, skipped));
  // Jobs already waiting (left by an interrupted run, dropped by hand) run too: say so
  // before anything starts, and hire for them as well. Run again with --skip-existing after
  // a Ctrl-C, those are the jobs the first run put back, and they run although none is new.
  const mine = new Set(names);
  const leftovers = waitingJobNames(paths).filter((name) => !mine.has(name));
  if (names.length + leftovers.length === 0) return EXIT.ok;
  if (leftovers.length > 0) warn('fjd run', leftoversNote(leftovers));
  return {paths, count: names.length + leftovers.length};
}

async function run(options: RunOptions, command: Command): Promise<number> {
  const quiet = options.quiet === true;
  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let home = '';
  let hired: HireResult | undefined;
  const groupShared = groupSharedFrom(options);
  try {
    const taken = takeJobs(options, command, quiet);
    if (typeof taken === 'number') return taken;
    home = taken.paths.root;
    // One worker process, with a slot for each job that is to run at once.
    const slots = Math.min(options.jobs ?? defaultSlots(), taken.count);
    const workerCommand = [
      process.execPath,
      fileURLToPath(new URL('../worker.js', import.meta.url)),
      '--slots',
      String(slots),
    ];
    hired = await hireWorkers({home, groupShared, count: 1, cwd: process.cwd(), env: process.env, workerCommand});
    if (!quiet) say(`Hired a worker with ${slotsWord(hired.workers[0]?.slots ?? slots)}.`);
    if (interrupted) return EXIT.interrupted;
    // The jobs it queued were complete when they got their names, so there is no need to
    // wait the usual second for files written in place; a short settle still covers others'.
    const code = await dispatch(
      {
        home,
        quiet,
        settle: 200,
        rescan: 1000,
        lease: 30_000,
        maxAttempts: 3,
        groupShared,
        firesWorkers: true,
        halt: options.halt,
      },
      'fjd run',
    );
    return interrupted ? EXIT.interrupted : code;
  } catch (error) {
    return reportSubmitError('fjd run', error);
  } finally {
    if (hired !== undefined) {
      // Interrupted: stop the running jobs, which go back to jobqueue/; else they are all done.
      const only = hired.workers.map((worker) => worker.id);
      const fired = await fireWorkers({home, groupShared, now: interrupted, wait: true, only});
      const back = interrupted ? '; its running jobs went back to jobqueue/' : '';
      if (!quiet && fired.stopped.length > 0) say(`Fired the worker it hired${back}.`);
      if (fired.remaining.length > 0)
        warn(
          'fjd run',
          `these workers did not leave: ${fired.remaining.join(', ')}; fire them with: fjd fire --home ${home}`,
        );
    }
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}
