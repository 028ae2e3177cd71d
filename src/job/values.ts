// The value syntaxes of [control] that are not fjd's own invention: booleans as configparser
// reads them, and durations (also read from command-line options); and how an error names the
// value it refuses, as a job file has it or as an option gave it.
import {FjdError} from '../errors.js';

// How an error names a key and the value it refuses: `[control] timeout = 5x` in a job file,
// `--timeout 5x` from fjd submit's options.
export type NameValue = (key: string, value: string) => string;

// The naming of a job file's section `section`: `[control] timeout = 5x`.
export function inSection(section: string): NameValue {
  return (key, value) => `[${section}] ${key} = ${value}`;
}

// The items of a list written with commas or white space between them (`a, b c`), empty ones
// left out.
export function listItems(text: string): string[] {
  return text.split(/[,\s]+/).filter((item) => item !== '');
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
export function parseBoolean(
  text: string,
  what: string,
  named: NameValue = (key, value) => `${key} = ${value}`,
): boolean {
  const value = BOOLEANS[text.trim().toLowerCase()];
  if (value === undefined) {
    throw new FjdError('JOB_BAD_VALUE', `${named(what, text)} is not a boolean`, {
      hint: 'Write yes or no (also true/false, on/off, 1/0).',
    });
  }
  return value;
}

const UNITS: Record<string, number> = {'': 1000, ms: 1, s: 1000, m: 60_000, h: 3_600_000};

// Reads a duration: seconds as a number, or with an ms, s, m or h suffix (`90`, `1.5m`, `2h`).
export function parseDuration(
  text: string,
  what: string,
  named: NameValue = (key, value) => `${key} = ${value}`,
): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|[smh]?)$/i.exec(text.trim());
  if (match === null) {
    throw new FjdError('JOB_BAD_VALUE', `${named(what, text)} is not a duration such as 90, 90s, 5m or 2h`);
  }
  return Math.round(Number(match[1]) * (UNITS[(match[2] ?? '').toLowerCase()] ?? 1000));
}
