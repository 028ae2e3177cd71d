// Reading job files. A job file is an INI file in the dialect of Python's configparser
// (job/ini.ts) in UTF-8 (CRLF and a BOM allowed), at most 1 MiB. Only [control] (or its later
// synonym [fjd]) belongs to fjd (job/control.ts), and [env] holds variables the job's environment
// gets (job/env-section.ts); every other section is the job's.
import {FjdError} from '../errors.js';
import {CONTROL_SECTIONS, readControl, type JobControl} from './control.js';
import {readEnvSection} from './env-section.js';
import {parseIni, type IniDocument} from './ini.js';

export {CONTROL_KEYS, type JobControl} from './control.js';
export {parseIni, type IniDocument} from './ini.js';
export {parseBoolean, parseDuration} from './values.js';

export interface JobFile {
  control: JobControl;
  // The variables of its [env] section, as written ({} for none).
  env: Record<string, string>;
  document: IniDocument;
}

export const MAX_JOB_FILE_BYTES = 1024 * 1024;

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
  const control = readControl(sectionName, section, document.defaults);
  return {control, env: readEnvSection(document), document};
}

// Reads a job file's bytes all the way: decoding, parsing and the control section.
export function parseJobFile(bytes: Buffer): JobFile {
  return parseJobText(decodeJobText(bytes));
}
