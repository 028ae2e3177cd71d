// Writing a job file in the configparser dialect that fjd (and the jobs themselves) read.
// Our own few lines rather than a general INI writer: `%` must become `%%`, and anything
// the dialect cannot hold (a line break in a value, a key with `=` or `:`) is refused with
// the place it came from. Each text is parsed back before it is used.
import {FjdError} from '../errors.js';
import {parseJobText} from '../job/job-file.js';

export interface JobSpec {
  // The name it is published under in jobqueue/ (a free numbered one if taken).
  name: string;
  executable: string;
  // Absolute: jobs run where they were submitted, whoever runs them.
  workdir: string;
  logfile: string | undefined;
  passJobFile: boolean;
  // More [control] keys (timeout, retries, priority …), checked by the caller, in order.
  control: [string, string][];
  // The [env] section: variables of the job's environment, names as written; [] for none.
  env: [string, string][];
  // The [params] section, in order; undefined for none.
  params: [string, string][] | undefined;
  // Where the job came from, for error messages: `--param`, `sweep.csv, line 4`.
  origin: string;
}

function refuse(origin: string, message: string): FjdError {
  return new FjdError('BAD_PARAMETERS', `${origin}: ${message}`, {
    hint: 'Job files are INI files: a value cannot hold a line break, and a key cannot be empty, hold = or :, or start with [, # or ;.',
  });
}

function checkValue(origin: string, what: string, value: string): string {
  if (/[\r\n]/.test(value)) throw refuse(origin, `${what} holds a line break`);
  return value.replace(/%/g, '%%');
}

function checkKey(origin: string, key: string): string {
  if (key === '') throw refuse(origin, 'a key is empty');
  if (/[=:\r\n]/.test(key) || /^[[#;]/.test(key) || key !== key.trim()) {
    throw refuse(origin, `the key "${key}" cannot be written in a job file`);
  }
  return key.replace(/%/g, '%%');
}

// The text of a job file for `spec`, checked by parsing it back.
export function jobText(spec: JobSpec, made: Date): string {
  const lines = [
    `# Made by fjd submit on ${made.toISOString()}.`,
    '[control]',
    `executable = ${checkValue(spec.origin, 'the executable', spec.executable.trim())}`,
    `workdir = ${checkValue(spec.origin, 'the working directory', spec.workdir)}`,
  ];
  if (spec.logfile !== undefined)
    lines.push(`logfile = ${checkValue(spec.origin, 'the log file', spec.logfile.trim())}`);
  if (!spec.passJobFile) lines.push('pass_job_file = no');
  for (const [key, value] of spec.control) lines.push(`${key} = ${checkValue(spec.origin, `the ${key}`, value)}`);
  if (spec.env.length > 0) {
    lines.push('', '[env]');
    for (const [name, value] of spec.env) {
      lines.push(`${checkKey(spec.origin, name)} = ${checkValue(spec.origin, `the value of ${name}`, value)}`);
    }
  }
  if (spec.params !== undefined) {
    lines.push('', '[params]');
    const seen = new Set<string>();
    for (const [key, value] of spec.params) {
      const lower = key.toLowerCase();
      if (seen.has(lower)) throw refuse(spec.origin, `the key "${key}" is given twice (keys are case-insensitive)`);
      seen.add(lower);
      lines.push(`${checkKey(spec.origin, key)} = ${checkValue(spec.origin, `the value of ${key}`, value.trim())}`);
    }
  }
  const text = `${lines.join('\n')}\n`;
  checkRoundTrip(spec, text);
  return text;
}

// Parses the text back and compares: a difference is a defect of this writer, not the user's.
function checkRoundTrip(spec: JobSpec, text: string): void {
  let differs: string | undefined;
  try {
    const {control, env, document} = parseJobText(text);
    if (control.executable !== spec.executable.trim()) differs = 'executable';
    else if (control.workdir !== spec.workdir.trim()) differs = 'workdir';
    else if (control.logfile !== spec.logfile?.trim()) differs = 'logfile';
    else if (control.passJobFile !== spec.passJobFile) differs = 'pass_job_file';
    else if (spec.control.some(([key, value]) => control.values.get(key) !== value)) differs = '[control]';
    else if (JSON.stringify(Object.entries(env)) !== JSON.stringify(spec.env)) differs = '[env]';
    else if (spec.params !== undefined) {
      const params = document.sections.get('params');
      for (const [key, value] of spec.params) {
        if (params?.get(key.toLowerCase()) !== value.trim().replace(/%/g, '%%')) differs = `[params] ${key}`;
      }
      if (params?.size !== spec.params.length) differs = '[params]';
    }
  } catch (error) {
    differs = error instanceof Error ? error.message : String(error);
  }
  if (differs !== undefined) {
    throw new FjdError(
      'INTERNAL',
      `${spec.origin}: the job file fjd wrote does not read back as written (${differs}); this is a bug in fjd`,
      {
        hint: 'Please report it with the command line and the parameters that caused it.',
      },
    );
  }
}
