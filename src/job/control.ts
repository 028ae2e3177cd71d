// The control section of a job file ([control], or its later synonym [fjd]): the only section
// that belongs to fjd. Which keys it may hold, and what each one means once read: the command,
// its files, its timeout and retries, its place in line, and what it needs of its worker. The
// same reading checks fjd submit's options for these keys (checkControlValues), so that a
// value the worker would refuse is refused on the way in.
import {FjdError} from '../errors.js';
import {didYouMean} from '../util/suggest.js';
import {sectionValues} from './ini.js';
import {parseExitStatuses} from './exit-codes.js';
import {parseRequest, type Request} from './resources.js';
import {inSection, listItems, parseBoolean, parseDuration, type NameValue} from './values.js';

export interface JobControl {
  executable: string;
  logfile: string | undefined;
  workdir: string | undefined;
  // [control] timeout: stop the job after this long.
  timeoutMs: number | undefined;
  // [control] retries: run again up to this many more times after a failed run.
  retries: number;
  // [control] retry_delay: wait before the first retry, doubling for each one after.
  retryDelayMs: number;
  // [control] retry_on: retry only a run that exited with one of these statuses (undefined:
  // any failed run); no_retry_on: never one that exited with one of these.
  retryOn: number[] | undefined;
  noRetryOn: number[];
  // [control] max_attempts: how many times a worker may be lost running it.
  maxAttempts: number | undefined;
  // [control] pass_job_file: whether the job file's path is appended to the executable line.
  passJobFile: boolean;
  // [control] priority: higher runs first (default 0; may be negative).
  priority: number;
  // [control] group: the group whose limit (dispatcher --limit) it counts against.
  group: string | undefined;
  // [control] after: names of jobs that must have finished with exit 0 before it starts;
  // after_any: names of jobs that must have ended, however (`after_any = yes` makes `after`
  // mean that).
  after: string[];
  afterAny: string[];
  // [control] cpus, memory, gpus: what the job needs of its worker while it runs
  // (DEFAULT_REQUEST itself when it asks for nothing more than one cpu).
  request: Readonly<Request>;
  // Every key of the control section, interpolated, for features that read more of it.
  values: Map<string, string>;
  // Which section held it: 'control' or 'fjd'.
  section: string;
}

// The names a control section goes by.
export const CONTROL_SECTIONS = ['control', 'fjd'];

// Every key a control section may hold. The original fjd's job files have `executable` and
// `logfile`; the rest are fjd's own. Any other key is refused, so that a typo (`timout`)
// fails the job instead of silently running it without what was meant.
export const CONTROL_KEYS = [
  'executable',
  'logfile',
  'workdir',
  'timeout',
  'retries',
  'retry_delay',
  'retry_on',
  'no_retry_on',
  'max_attempts',
  'pass_job_file',
  'priority',
  'group',
  'after',
  'after_any',
  'cpus',
  'memory',
  'gpus',
] as const;

// Refuses the keys of a control section that fjd does not know, naming each and the key it
// was probably meant to be. Keys of [DEFAULT] are the job's: they may appear in every section.
function checkControlKeys(sectionName: string, section: Map<string, string>): void {
  const known: readonly string[] = CONTROL_KEYS;
  const unknown = [...section.keys()].filter((key) => !known.includes(key));
  if (unknown.length === 0) return;
  const message = unknown
    .map((key) => `unknown key "${key}" in [${sectionName}]${didYouMean(key, CONTROL_KEYS)}`)
    .join('; ');
  throw new FjdError('JOB_UNKNOWN_KEY', message, {
    hint: `[${sectionName}] holds only ${CONTROL_KEYS.join(', ')}; the job's own settings belong in a section of their own, such as [params].`,
  });
}

const REQUEST_KEYS = ['cpus', 'memory', 'gpus'];
const NOTHING = new Map<string, string>();

// The request of a control section, from its own keys only (interpolated): unlike the older
// keys, these are not taken from [DEFAULT], where job files written before fjd knew them may
// hold a `cpus` or `memory` of their own.
function readRequest(section: Map<string, string>, values: Map<string, string>, named: NameValue): Readonly<Request> {
  const own = REQUEST_KEYS.filter((key) => section.has(key));
  if (own.length === 0) return parseRequest(NOTHING, named);
  return parseRequest(new Map(own.map((key) => [key, values.get(key) ?? ''])), named);
}

// Reads the control section `sectionName` (as the file spells it) with the document's
// [DEFAULT] keys. Throws the job's reason for an unknown key or a value that is not valid,
// naming it as `named` says (by default as the file has it: `[control] timeout = 5x`).
export function readControl(
  sectionName: string,
  section: Map<string, string>,
  defaults: Map<string, string>,
  named: NameValue = inSection(sectionName),
): JobControl {
  checkControlKeys(sectionName, section);
  const values = sectionValues(section, defaults);
  const executable = values.get('executable') ?? '';
  if (executable.trim() === '') {
    throw new FjdError('JOB_NO_EXECUTABLE', `[${sectionName}] has no executable`, {
      hint: 'Add a line `executable = COMMAND`; the job file path is appended as its last argument.',
    });
  }
  const optional = (key: string): string | undefined => {
    const value = values.get(key);
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const duration = (key: string): number | undefined => {
    const value = optional(key);
    return value === undefined ? undefined : parseDuration(value, key, named);
  };
  const count = (key: string, min: number): number | undefined => {
    const value = optional(key);
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value) || Number(value) < min) {
      throw new FjdError('JOB_BAD_VALUE', `${named(key, value)} is not a whole number of at least ${min}`);
    }
    return Number(value);
  };
  const passJobFile = optional('pass_job_file');
  const priorityText = optional('priority');
  if (priorityText !== undefined && !/^[+-]?\d+$/.test(priorityText)) {
    throw new FjdError('JOB_BAD_VALUE', `${named('priority', priorityText)} is not a whole number (higher runs first)`);
  }
  const list = (text: string | undefined): string[] => listItems(text ?? '');
  const afterAnyText = optional('after_any');
  const afterAnyIsFlag = afterAnyText !== undefined && /^(yes|no|true|false|on|off|1|0)$/i.test(afterAnyText);
  const anyEnding = afterAnyIsFlag && parseBoolean(afterAnyText ?? 'no', 'after_any', named);
  const after = anyEnding ? [] : list(optional('after'));
  const statuses = (key: string): number[] | undefined => {
    const value = optional(key);
    return value === undefined ? undefined : parseExitStatuses(value, key, named);
  };
  const retryOn = statuses('retry_on');
  const noRetryOn = statuses('no_retry_on') ?? [];
  const both = noRetryOn.find((status) => retryOn?.includes(status));
  if (both !== undefined) {
    throw new FjdError(
      'JOB_BAD_VALUE',
      `${named('retry_on', optional('retry_on') ?? '')} and ${named('no_retry_on', optional('no_retry_on') ?? '')} both name exit code ${both}`,
      {
        hint: 'Name each exit code in one of them: retry_on lists the only codes retried, no_retry_on the codes never retried.',
      },
    );
  }
  const afterAny = [...(anyEnding ? list(optional('after')) : []), ...(afterAnyIsFlag ? [] : list(afterAnyText))];
  return {
    executable: executable.trim(),
    logfile: optional('logfile'),
    workdir: optional('workdir'),
    timeoutMs: duration('timeout'),
    retries: count('retries', 0) ?? 0,
    retryDelayMs: duration('retry_delay') ?? 0,
    retryOn,
    noRetryOn,
    maxAttempts: count('max_attempts', 1),
    passJobFile: passJobFile === undefined ? true : parseBoolean(passJobFile, 'pass_job_file', named),
    priority: priorityText === undefined ? 0 : Number(priorityText),
    group: optional('group'),
    after: [...new Set(after)],
    afterAny: [...new Set(afterAny)].filter((name) => !after.includes(name)),
    request: readRequest(section, values, named),
    values,
    section: sectionName.toLowerCase(),
  };
}

// Checks values for control keys given elsewhere than in a job file (fjd submit's options) by
// the very reading a job file's get, each named in errors as `named` says. Throws the reason.
export function checkControlValues(values: ReadonlyMap<string, string>, named: NameValue): void {
  readControl('control', new Map([['executable', 'true'], ...values]), new Map(), named);
}
