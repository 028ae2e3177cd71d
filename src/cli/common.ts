// What every command shares: the --home option, exit codes, and how errors are shown.
import {Command, CommanderError, InvalidArgumentError, Option} from 'commander';
import {FjdError, type FjdErrorCode} from '../errors.js';
import {resolveHome} from '../home/layout.js';
import {parseDuration} from '../job/job-file.js';
import {parseGpuIds, parseMemorySize} from '../job/resources.js';
import {formatDuration} from '../util/duration.js';

// Exit codes: 0 all well, 1 some jobs failed, 2 bad usage, 3 a job named that does not exist
// or is not in a state the verb can act on (noSuchJob), or fjd itself could not work
// (unusable home, workers that would not start), 130 interrupted.
export const EXIT = {ok: 0, jobsFailed: 1, usage: 2, error: 3, noSuchJob: 3, interrupted: 130} as const;

// The exit code of an error, by its code; any other error is 3.
const EXIT_OF: Partial<Record<FjdErrorCode, number>> = {
  USAGE: EXIT.usage,
  JOB_NOT_FOUND: EXIT.noSuchJob,
  JOB_WRONG_STATE: EXIT.noSuchJob,
};

export function exitCodeOf(error: unknown): number {
  return error instanceof FjdError ? (EXIT_OF[error.code] ?? EXIT.error) : EXIT.error;
}

export function homeOption(): Option {
  return new Option('--home <dir>', 'the shared home directory (default: $FJD_HOME, else the current directory)');
}

export function groupSharedOption(): Option {
  return new Option(
    '--group-shared',
    'allow a home and job files that their group may write (a home shared by a group)',
  );
}

// Whether a group-shared home is allowed: --group-shared or FJD_GROUP_SHARED=1. The flag is
// passed on to the workers a command starts, through the environment.
export function groupSharedFrom(options: {groupShared?: boolean}): boolean {
  if (options.groupShared === true) process.env.FJD_GROUP_SHARED = '1';
  return process.env.FJD_GROUP_SHARED === '1';
}

export function homeFrom(options: {home?: string}): string {
  return resolveHome(options.home, process.env, process.cwd());
}

export function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

export function warn(program: string, line: string): void {
  process.stderr.write(`${program}: ${line}\n`);
}

// Prints an error with what to do next, and returns the exit code for it.
export function reportError(program: string, error: unknown): number {
  if (error instanceof FjdError) {
    process.stderr.write(`${program}: error: ${error.message}\n`);
    if (error.hint !== undefined) process.stderr.write(`${program}: ${error.hint}\n`);
    return exitCodeOf(error);
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${program}: error: ${message}\n`);
  return EXIT.error;
}

// Runs a command-line program: parses argv, runs the action, sets the exit code. Usage
// errors exit with 2, as is the custom for command-line tools.
export async function main(program: Command): Promise<void> {
  // Output that cannot be written (a closed pipe, a log on a full disk) is dropped rather
  // than allowed to kill the process: the work matters more than the message.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  program.exitOverride();
  for (const sub of program.commands) sub.exitOverride();
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : EXIT.usage;
      return;
    }
    process.exitCode = reportError(program.name(), error);
  }
}

// Parses a duration for an option: seconds, or with an ms, s, m or h suffix.
export function duration(what: string): (value: string) => number {
  return (value: string) => {
    try {
      return parseDuration(value, what);
    } catch {
      throw new InvalidArgumentError(`${what} must be a duration such as 30, 30s, 500ms or 5m.`);
    }
  };
}

// An option that takes a duration (`--lease <duration>`); its default, in ms, is shown in
// --help as users write it (30s, 10m), not as a number of milliseconds.
export function durationOption(flags: string, description: string, defaultMs?: number): Option {
  const option = new Option(flags, description);
  option.argParser(duration(option.long ?? flags));
  return defaultMs === undefined ? option : option.default(defaultMs, formatDuration(defaultMs));
}

// Parses a whole positive number for an option or argument.
export function positiveInteger(what: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) {
      throw new InvalidArgumentError(`${what} must be a whole number of at least 1.`);
    }
    return n;
  };
}

// Parses a memory size for an option (8G, 512M; a bare number is megabytes), more than none.
export function memorySize(what: string): (value: string) => number {
  return (value: string) => {
    let bytes: number;
    try {
      bytes = parseMemorySize(value, what);
    } catch {
      throw new InvalidArgumentError(
        `${what} must be a size such as 64G, 512M or 2T (powers of 1024; a bare number is megabytes).`,
      );
    }
    if (bytes < 1) throw new InvalidArgumentError(`${what} must be more than none.`);
    return bytes;
  };
}

// Parses a list of GPU ids for an option (0,1,3; none), each named once.
export function gpuIds(what: string): (value: string) => string[] {
  return (value: string) => {
    try {
      return parseGpuIds(value, what);
    } catch (error) {
      throw new InvalidArgumentError(`${error instanceof Error ? error.message : String(error)}.`);
    }
  };
}
