// Reading job files. A job file is an INI file in the dialect of Python's configparser, which
// the original fjd used and which many jobs still use to read their own parameters:
// `key = value`, `key: value` and `key:value`; full-line `#` and `;` comments; indented
// continuation lines; a [DEFAULT] section; %(name)s interpolation; CRLF and a UTF-8 BOM.
// Only [control] (or its later synonym [fjd]) belongs to fjd; every other section is the job's.
import {FjdError} from '../errors.js';
import {didYouMean} from '../util/suggest.js';

export interface IniDocument {
  // Section name → key (lower-cased, as configparser does) → value.
  sections: Map<string, Map<string, string>>;
  defaults: Map<string, string>;
}

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
  // Every key of the control section, interpolated, for features that read more of it.
  values: Map<string, string>;
  // Which section held it: 'control' or 'fjd'.
  section: string;
}

export interface JobFile {
  control: JobControl;
  document: IniDocument;
}

export const MAX_JOB_FILE_BYTES = 1024 * 1024;
const CONTROL_SECTIONS = ['control', 'fjd'];

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
  'max_attempts',
  'pass_job_file',
  'priority',
  'group',
  'after',
  'after_any',
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

function syntaxError(message: string, line: number): FjdError {
  return new FjdError('JOB_SYNTAX', `line ${line}: ${message}`, {
    hint: 'Job files are INI files: [section] headers, then `key = value` or `key: value` lines.',
  });
}

// Decodes the bytes of a job file as UTF-8 text, refusing empty and binary files.
export function decodeJobText(bytes: Buffer): string {
  if (bytes.length === 0) {
    throw new FjdError('JOB_EMPTY', 'the job file is empty', {
      hint: 'Write the whole file before it reaches jobqueue/: write it elsewhere or under a hidden name, then mv it in.',
    });
  }
  if (bytes.length > MAX_JOB_FILE_BYTES) {
    throw new FjdError(
      'JOB_TOO_LARGE',
      `the job file has ${bytes.length} bytes, more than the ${MAX_JOB_FILE_BYTES} allowed`,
      {
        hint: 'Keep job files small: put large inputs in files that the job reads.',
      },
    );
  }
  if (bytes.includes(0)) {
    throw new FjdError('JOB_BINARY', 'the job file is binary, not an INI text file (it contains NUL bytes)');
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', {fatal: true}).decode(bytes);
  } catch (error) {
    throw new FjdError('JOB_BINARY', 'the job file is not UTF-8 text', {cause: error});
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') {
    throw new FjdError('JOB_EMPTY', 'the job file holds only white space');
  }
  return text;
}

// Parses INI text as configparser does (strict mode: duplicate sections and keys are errors).
export function parseIni(text: string): IniDocument {
  const sections = new Map<string, Map<string, string>>();
  const defaults = new Map<string, string>();
  let current: Map<string, string> | undefined;
  let currentName = '';
  let lastKey: string | undefined;
  let lastIndent = 0;
  let blanks = 0;
  const lines = text.split(/\r\n|\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const lineNo = i + 1;
    const stripped = raw.trim();
    const indent = raw.length - raw.trimStart().length;
    if (stripped === '') {
      blanks++;
      continue;
    }
    if (stripped.startsWith('#') || stripped.startsWith(';')) continue;
    if (current !== undefined && lastKey !== undefined && indent > lastIndent) {
      // A continuation line; blank lines inside a value are kept, as configparser does.
      current.set(lastKey, `${current.get(lastKey) ?? ''}${'\n'.repeat(blanks + 1)}${stripped}`);
      blanks = 0;
      continue;
    }
    blanks = 0;
    if (stripped.startsWith('[') && stripped.endsWith(']') && stripped.length > 2) {
      currentName = stripped.slice(1, -1);
      if (currentName === 'DEFAULT') {
        current = defaults;
      } else {
        if (sections.has(currentName)) throw syntaxError(`section [${currentName}] appears twice`, lineNo);
        current = new Map();
        sections.set(currentName, current);
      }
      lastKey = undefined;
      continue;
    }
    const eq = stripped.indexOf('=');
    const colon = stripped.indexOf(':');
    const at = eq === -1 ? colon : colon === -1 ? eq : Math.min(eq, colon);
    if (at === -1) throw syntaxError(`"${shorten(stripped)}" is neither a [section] nor a key = value line`, lineNo);
    if (current === undefined) throw syntaxError(`"${shorten(stripped)}" comes before any [section] header`, lineNo);
    const key = stripped.slice(0, at).trim().toLowerCase();
    if (key === '') throw syntaxError(`"${shorten(stripped)}" has no key before its "${stripped[at]}"`, lineNo);
    if (current.has(key)) throw syntaxError(`key "${key}" appears twice in [${currentName}]`, lineNo);
    current.set(key, stripped.slice(at + 1).trim());
    lastKey = key;
    lastIndent = indent;
  }
  return {sections, defaults};
}

function shorten(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

// Expands configparser's %(name)s references against the section and [DEFAULT]; %% is a %.
function interpolate(value: string, section: Map<string, string>, defaults: Map<string, string>, depth = 0): string {
  if (!value.includes('%')) return value;
  if (depth > 10) throw new FjdError('JOB_BAD_VALUE', `interpolation is nested too deeply in "${shorten(value)}"`);
  return value.replace(/%(%|\(([^)]*)\)s)/g, (_match, what: string, name: string | undefined) => {
    if (what === '%') return '%';
    const key = (name ?? '').toLowerCase();
    const found = section.get(key) ?? defaults.get(key);
    if (found === undefined) {
      throw new FjdError('JOB_BAD_VALUE', `"%(${name ?? ''})s" names no key of its section`, {
        hint: 'Write %% for a literal percent sign.',
      });
    }
    return interpolate(found, section, defaults, depth + 1);
  });
}

// Reads a job file's text: parses it and extracts the [control] (or [fjd]) section.
export function parseJobText(text: string): JobFile {
  const document = parseIni(text);
  const present = [...document.sections.keys()].filter((name) => CONTROL_SECTIONS.includes(name.toLowerCase()));
  if (present.length === 0) {
    const names = [...document.sections.keys()].map((n) => `[${n}]`).join(', ');
    throw new FjdError('JOB_NO_CONTROL', `no [control] section${names === '' ? '' : ` (found ${names})`}`, {
      hint: 'Add a [control] section with an `executable = …` line.',
    });
  }
  if (present.length > 1) {
    throw new FjdError('JOB_NO_CONTROL', `both ${present.map((n) => `[${n}]`).join(' and ')}: use one of them`);
  }
  const sectionName = present[0] ?? 'control';
  const section = document.sections.get(sectionName) ?? new Map<string, string>();
  checkControlKeys(sectionName, section);
  const values = new Map<string, string>();
  for (const key of new Set([...document.defaults.keys(), ...section.keys()])) {
    values.set(key, interpolate(section.get(key) ?? document.defaults.get(key) ?? '', section, document.defaults));
  }
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
    return value === undefined ? undefined : parseDuration(value, `[${sectionName}] ${key}`);
  };
  const count = (key: string, min: number): number | undefined => {
    const value = optional(key);
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value) || Number(value) < min) {
      throw new FjdError(
        'JOB_BAD_VALUE',
        `[${sectionName}] ${key} = ${value} is not a whole number of at least ${min}`,
      );
    }
    return Number(value);
  };
  const passJobFile = optional('pass_job_file');
  const priorityText = optional('priority');
  if (priorityText !== undefined && !/^[+-]?\d+$/.test(priorityText)) {
    throw new FjdError(
      'JOB_BAD_VALUE',
      `[${sectionName}] priority = ${priorityText} is not a whole number (higher runs first)`,
    );
  }
  const list = (text: string | undefined): string[] =>
    (text ?? '')
      .split(/[,\s]+/)
      .map((item) => item.trim())
      .filter((item) => item !== '');
  const afterAnyText = optional('after_any');
  const afterAnyIsFlag = afterAnyText !== undefined && /^(yes|no|true|false|on|off|1|0)$/i.test(afterAnyText);
  const anyEnding = afterAnyIsFlag && parseBoolean(afterAnyText ?? 'no', `[${sectionName}] after_any`);
  const after = anyEnding ? [] : list(optional('after'));
  const afterAny = [...(anyEnding ? list(optional('after')) : []), ...(afterAnyIsFlag ? [] : list(afterAnyText))];
  return {
    control: {
      executable: executable.trim(),
      logfile: optional('logfile'),
      workdir: optional('workdir'),
      timeoutMs: duration('timeout'),
      retries: count('retries', 0) ?? 0,
      retryDelayMs: duration('retry_delay') ?? 0,
      maxAttempts: count('max_attempts', 1),
      passJobFile: passJobFile === undefined ? true : parseBoolean(passJobFile, `[${sectionName}] pass_job_file`),
      priority: priorityText === undefined ? 0 : Number(priorityText),
      group: optional('group'),
      after: [...new Set(after)],
      afterAny: [...new Set(afterAny)].filter((name) => !after.includes(name)),
      values,
      section: sectionName.toLowerCase(),
    },
    document,
  };
}

const BOOLEANS: Record<string, boolean> = {
  yes: true,
  true: true,
  on: true,
  '1': true,
  no: false,
  false: false,
  off: false,
  '0': false,
};

// Reads a boolean as configparser does: yes/no, true/false, on/off, 1/0, in any case.
export function parseBoolean(text: string, what: string): boolean {
  const value = BOOLEANS[text.trim().toLowerCase()];
  if (value === undefined) {
    throw new FjdError('JOB_BAD_VALUE', `${what} = ${text} is not a boolean`, {
      hint: 'Write yes or no (also true/false, on/off, 1/0).',
    });
  }
  return value;
}

const UNITS: Record<string, number> = {'': 1000, ms: 1, s: 1000, m: 60_000, h: 3_600_000};

// Reads a duration: seconds as a number, or with an ms, s, m or h suffix (`90`, `1.5m`, `2h`).
export function parseDuration(text: string, what: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|[smh]?)$/i.exec(text.trim());
  if (match === null) {
    throw new FjdError('JOB_BAD_VALUE', `${what} = ${text} is not a duration such as 90, 90s, 5m or 2h`);
  }
  return Math.round(Number(match[1]) * (UNITS[(match[2] ?? '').toLowerCase()] ?? 1000));
}

// Reads a job file's bytes all the way: decoding, parsing and the control section.
export function parseJobFile(bytes: Buffer): JobFile {
  return parseJobText(decodeJobText(bytes));
}
