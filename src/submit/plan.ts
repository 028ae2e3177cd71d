// Turning what the user asked for (`--param`, `--params-file`, `--parameters`, `--repeat`, or
// a bare `--exe`) into the list of jobs to publish, with their names. Nothing is written here.
import path from 'node:path';
import {FjdError} from '../errors.js';
import {isIgnoredName, jobNameProblem, truncateBytes} from '../home/names.js';
import {splitWords} from '../job/command.js';
import {parseCsv} from './csv.js';
import type {JobSpec} from './job-text.js';
import {fillPlaceholders, splitParameters} from './placeholders.js';

export interface SubmitRequest {
  // The executable line, a shell command line as in fjd.
  exe: string;
  // Absolute directory the jobs run in.
  workdir: string;
  name: string | undefined;
  logfile: string | undefined;
  // More [control] keys (--timeout, --retries …) and the [env] variables, for every job.
  control: [string, string][];
  env: [string, string][];
  // --param key=value, in order.
  params: [string, string][];
  // --params-file: its text and what to call it in messages.
  csv: {text: string; source: string} | undefined;
  // --parameters: one item per job (list items or lines of standard input).
  parameters: {items: string[]; source: string} | undefined;
  repeat: number | undefined;
  now: Date;
}

const INTERPRETERS = new Set([
  'python',
  'python2',
  'python3',
  'node',
  'bash',
  'sh',
  'zsh',
  'perl',
  'ruby',
  'rscript',
  'julia',
  'java',
  'env',
  'nice',
  'time',
  'exec',
]);

function usage(message: string, hint?: string): FjdError {
  return new FjdError('USAGE', message, {hint});
}

// A job name when none is given: the program's name (the script's, after an interpreter)
// and the local time, such as `sim-20261122-141502`.
export function defaultStem(exe: string, now: Date): string {
  const words = splitWords(exe) ?? exe.trim().split(/[\s;|&()<>]+/);
  let program = words[0] ?? '';
  if (INTERPRETERS.has(path.basename(program).toLowerCase())) {
    program = words.slice(1).find((word) => !word.startsWith('-') && !word.includes('=')) ?? program;
  }
  const base = path
    .basename(program)
    .replace(/\.[A-Za-z0-9]+$/, '')
    .replace(/[^A-Za-z0-9_.+-]+/g, '')
    .replace(/^[.-]+/, '');
  const pad = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  // A program of a very long name gives a name that still leaves room for -1, -2….
  return `${base === '' ? 'job' : truncateBytes(base, 100)}-${stamp}`;
}

// Refuses a name that jobqueue/ would ignore, that is no single file name, or that the
// dispatcher would fail as too long.
export function checkJobName(name: string): string {
  if (name.includes('/') || name.includes('\0') || isIgnoredName(name) || name === '.' || name === '..') {
    throw usage(
      `"${name}" cannot be a job name: jobqueue/ ignores hidden names and names ending in .tmp or ~ or enclosed in #, and a name cannot hold /`,
      'Choose another --name.',
    );
  }
  const problem = jobNameProblem(name);
  if (problem !== undefined) {
    const shown = truncateBytes(name, 40);
    throw usage(
      `"${shown === name ? name : `${shown}…`}" cannot be a job name: ${problem.replace(/^the job's name/, 'it')}`,
      'Choose a shorter --name (fjd submit adds -1, -2… to it for several jobs).',
    );
  }
  return name;
}

// Splits --param key=value.
export function parseParamOption(text: string): [string, string] {
  const at = text.indexOf('=');
  if (at <= 0) throw usage(`--param ${text}: write it as key=value`, 'For example: --param alpha=0.1 --param seed=3');
  return [text.slice(0, at).trim(), text.slice(at + 1)];
}

// Every job the request asks for, named, in order.
export function planJobs(request: SubmitRequest): JobSpec[] {
  const {exe, workdir, logfile} = request;
  if (exe.trim() === '') throw usage('--exe is empty: give the command line the jobs run');
  const forms = [
    request.params.length > 0 ? '--param' : undefined,
    request.csv !== undefined ? '--params-file' : undefined,
    request.parameters !== undefined ? '--parameters' : undefined,
    request.repeat !== undefined ? '--repeat' : undefined,
  ].filter((form) => form !== undefined);
  if (forms.length > 1) throw usage(`${forms.join(' and ')} cannot be used together: choose one way to make the jobs`);
  const stem = checkJobName(request.name ?? defaultStem(exe, request.now));
  const base = {executable: exe, workdir, logfile, control: request.control, env: request.env};
  const bulk = (count: number, make: (index: number, name: string) => JobSpec): JobSpec[] => {
    const width = String(count).length;
    const jobs: JobSpec[] = [];
    for (let i = 0; i < count; i++) jobs.push(make(i, checkJobName(`${stem}-${String(i + 1).padStart(width, '0')}`)));
    return jobs;
  };
  if (request.csv !== undefined) {
    const {source} = request.csv;
    const table = parseCsv(request.csv.text, source);
    return bulk(table.rows.length, (i, name) => {
      const row = table.rows[i] ?? {line: 0, fields: []};
      const params = table.header.map((key, k): [string, string] => [key, row.fields[k] ?? '']);
      return {...base, name, passJobFile: true, params, origin: `${source}, line ${row.line}`};
    });
  }
  if (request.parameters !== undefined) {
    const {items, source} = request.parameters;
    return bulk(items.length, (i, name) => {
      const item = items[i] ?? '';
      const origin = `${source} item ${i + 1} ("${item}")`;
      let executable: string;
      try {
        executable = fillPlaceholders(exe, splitParameters(item));
      } catch (error) {
        if (error instanceof FjdError)
          throw new FjdError(error.code, `${origin}: ${error.message}`, {hint: error.hint});
        throw error;
      }
      return {...base, executable, name, passJobFile: false, params: undefined, origin};
    });
  }
  if (request.repeat !== undefined) {
    return bulk(request.repeat, (i, name) => ({
      ...base,
      name,
      passJobFile: false,
      params: undefined,
      origin: `--repeat, job ${i + 1}`,
    }));
  }
  if (request.params.length > 0) {
    return [{...base, name: stem, passJobFile: true, params: request.params, origin: '--param'}];
  }
  return [{...base, name: stem, passJobFile: false, params: undefined, origin: '--exe'}];
}

// The items of --parameters: a comma-separated list, or the lines of standard input.
export function parameterItems(list: string, stdinText: string | undefined): {items: string[]; source: string} {
  if (stdinText !== undefined) {
    const items = stdinText
      .split('\n')
      .map((line) => line.replace(/\r$/, ''))
      .filter((line) => line.trim() !== '');
    return {items, source: 'standard input'};
  }
  const items = list.split(',');
  if (items.some((item) => item === '')) {
    throw usage(
      `--parameters ${list}: an item is empty`,
      "Separate jobs with commas and a job's parameters with #: --parameters 'a.txt#bk/a.txt,b.txt#bk/b.txt'.",
    );
  }
  return {items, source: '--parameters'};
}
