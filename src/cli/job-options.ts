// The options of `fjd submit` and `fjd run` that set a job's [control] keys (--priority,
// --timeout, --cpus …) and its [env] section (--env, --export-env), defined once for both. Each
// control value is checked on the way in by the very reading the worker and the dispatcher give
// the job file (checkControlValues), so that a bad one is a usage error naming the option, and
// nothing is submitted.
import {Command, Option} from 'commander';
import {FjdError} from '../errors.js';
import {checkControlValues} from '../job/control.js';
import {isVariableName} from '../job/env-section.js';
import {listItems} from '../job/values.js';

export interface ControlOptions {
  priority?: string;
  group?: string;
  after?: string[];
  afterAny?: string[];
  timeout?: string;
  retries?: string;
  retryDelay?: string;
  retryOn?: string;
  neverRetryOn?: string;
  cpus?: string;
  memory?: string;
  gpus?: string;
  env?: string[];
  exportEnv?: string;
}

// Each option of a control key: its flag, its key, and what --help says of it.
const CONTROL_OPTIONS: {flags: string; key: string; what: string; option: keyof ControlOptions}[] = [
  {
    flags: '--priority <n>',
    key: 'priority',
    what: 'their place in line: higher runs first (default 0; may be negative)',
    option: 'priority',
  },
  {
    flags: '--group <name>',
    key: 'group',
    what: 'the group whose limit (dispatcher --limit) they count against',
    option: 'group',
  },
  {
    flags: '--after <names>',
    key: 'after',
    what: 'jobs (comma-separated) that must have finished with exit 0 before they start',
    option: 'after',
  },
  {
    flags: '--after-any <names>',
    key: 'after_any',
    what: 'jobs (comma-separated) that must have ended, however, before they start',
    option: 'afterAny',
  },
  {
    flags: '--timeout <duration>',
    key: 'timeout',
    what: 'stop each run after this long (90, 90s, 5m, 2h)',
    option: 'timeout',
  },
  {
    flags: '--retries <n>',
    key: 'retries',
    what: 'run a failed job again up to N more times (default 0)',
    option: 'retries',
  },
  {
    flags: '--retry-delay <duration>',
    key: 'retry_delay',
    what: 'wait this long before the first retry, doubling for each further one',
    option: 'retryDelay',
  },
  {
    flags: '--retry-on <codes>',
    key: 'retry_on',
    what: 'retry only runs that exited with these codes (137, 143; signal N is 128 + N)',
    option: 'retryOn',
  },
  {
    // Not --no-retry-on: commander reads an option that starts --no- as "not".
    flags: '--never-retry-on <codes>',
    key: 'no_retry_on',
    what: 'never retry runs that exited with these codes (2: a usage error will not pass)',
    option: 'neverRetryOn',
  },
  {flags: '--cpus <n>', key: 'cpus', what: 'the cpus each job uses (default 1)', option: 'cpus'},
  {flags: '--memory <size>', key: 'memory', what: 'the memory each job needs (8G, 512M)', option: 'memory'},
  {flags: '--gpus <n>', key: 'gpus', what: 'the GPUs each job uses (default 0)', option: 'gpus'},
];

// Variables of the submitting shell that describe it rather than the job: `--export-env all`
// leaves them out, with fjd's own FJD_* (the worker sets those for each job).
const SHELL_ONLY = new Set(['PWD', 'OLDPWD', 'SHLVL', '_']);

const collect = (value: string, all: string[] | undefined): string[] => [...(all ?? []), value];

// Adds the control and environment options to `fjd submit` or `fjd run`.
export function addControlOptions(command: Command): Command {
  for (const {flags, what, key} of CONTROL_OPTIONS) {
    const option = new Option(flags, `${what} [control] ${key}`);
    if (key === 'after' || key === 'after_any') option.argParser(collect);
    command.addOption(option);
  }
  return command
    .option(
      '--env <name=value>',
      "a variable of the jobs' environment, in their [env] section (repeat for more)",
      collect,
    )
    .option(
      '--export-env <names>',
      "copy these variables (comma-separated) of this environment into the jobs' [env], or all of them with all",
    );
}

function usage(message: string, hint?: string): FjdError {
  return new FjdError('USAGE', message, {hint});
}

// The [control] keys and values the options give, in order, checked as the worker reads them:
// a value it would refuse is a usage error here ("--timeout 5x is not a duration such as 90, 90s,
// 5m or 2h").
export function controlFromOptions(options: ControlOptions): [string, string][] {
  const entries: [string, string][] = [];
  const flagOf = new Map<string, string>();
  for (const {flags, key, option} of CONTROL_OPTIONS) {
    const given = options[option];
    if (given === undefined) continue;
    // A list given in pieces (--after a,b --after c) is written as one: `after = a, b, c`.
    const value = Array.isArray(given) ? given.flatMap(listItems).join(', ') : given;
    const flag = flags.split(' ')[0] ?? key;
    if (/[\r\n]/.test(value)) throw usage(`${flag}: a value cannot hold a line break`);
    entries.push([key, value.trim()]);
    flagOf.set(key, flag);
  }
  try {
    checkControlValues(new Map(entries), (key, value) => `${flagOf.get(key) ?? key} ${value}`);
  } catch (error) {
    if (error instanceof FjdError && error.code === 'JOB_BAD_VALUE') throw usage(error.message, error.hint);
    throw error;
  }
  return entries;
}

// The [env] variables the options give: --export-env's from `environment`, then --env's (a
// name given twice: the last wins). Names are checked, and values a job file cannot hold are
// refused (--export-env all leaves them out); so are two names that differ only in case, which
// a job file's keys cannot tell apart (--export-env all keeps the first, and --env replaces it).
export function envFromOptions(
  options: ControlOptions,
  environment: Readonly<Record<string, string | undefined>>,
): [string, string][] {
  // By the name in lower case: [name as given, value].
  const env = new Map<string, [string, string]>();
  const fromAll = new Set<string>();
  const set = (name: string, value: string, from: string): void => {
    const taken = env.get(name.toLowerCase())?.[0];
    if (taken !== undefined && taken !== name && !fromAll.has(name.toLowerCase())) {
      throw usage(
        `${from}: ${taken} and ${name} differ only in case`,
        "A job file's keys are case-insensitive, so its [env] holds one of them: give one.",
      );
    }
    env.set(name.toLowerCase(), [name, value]);
  };
  const check = (name: string, value: string, from: string): void => {
    if (!isVariableName(name)) {
      throw usage(
        `${from}: "${name}" is not an environment variable name`,
        'Names are letters, digits and _, not starting with a digit.',
      );
    }
    if (name.startsWith('FJD_')) {
      throw usage(
        `${from}: ${name} is fjd's own`,
        'The worker sets FJD_JOB_ID, FJD_ATTEMPT and the other FJD_ variables for each job; a job cannot set them.',
      );
    }
    if (/[\r\n]/.test(value) || value !== value.trim()) {
      throw usage(
        `${from}: the value of ${name} cannot be written in a job file`,
        'A value in a job file cannot hold a line break, nor begin or end with white space.',
      );
    }
  };
  const exported = options.exportEnv?.trim();
  if (exported === 'all') {
    for (const [name, value] of Object.entries(environment)) {
      if (value === undefined || SHELL_ONLY.has(name) || name.startsWith('FJD_')) continue;
      if (!isVariableName(name) || /[\r\n]/.test(value) || value !== value.trim()) continue;
      if (env.has(name.toLowerCase())) continue;
      env.set(name.toLowerCase(), [name, value]);
      fromAll.add(name.toLowerCase());
    }
  } else if (exported !== undefined) {
    for (const name of exported
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '')) {
      const value = environment[name];
      if (value === undefined) throw usage(`--export-env ${name}: ${name} is not set in this environment`);
      check(name, value, `--export-env ${name}`);
      set(name, value, `--export-env ${name}`);
    }
  }
  for (const item of options.env ?? []) {
    const at = item.indexOf('=');
    if (at <= 0) throw usage(`--env ${item}: write it as NAME=value`, 'For example: --env OMP_PROC_BIND=close');
    const name = item.slice(0, at);
    const value = item.slice(at + 1);
    check(name, value, `--env ${name}`);
    set(name, value, `--env ${name}`);
    fromAll.delete(name.toLowerCase());
  }
  return [...env.values()];
}
