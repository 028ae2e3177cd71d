// How a job's `executable` line becomes a process. The job file's absolute path is always
// appended as one more argv element, never spliced into a string, so no file name can inject.
//
// A line of plain words (quotes and backslashes allowed) is split as a shell would and run
// directly, without a shell. A line that uses shell syntax (pipes, `;`, `&&`, redirections,
// `$VAR`, globs, `~`) runs as `/bin/sh -c '<line> "$@"' fjd-job <jobfile>`, so the job file
// path is still one separate argument, after the line's last command.
// With [control] pass_job_file = no, nothing is appended: the line runs exactly as written
// (`/bin/sh -c '<line>' fjd-job` for shell syntax), and the job finds its file in $FJD_JOB_FILE.
import fs from 'node:fs';
import path from 'node:path';
import {FjdError} from '../errors.js';

export interface CommandPlan {
  // The program to exec and its arguments, job file excluded.
  file: string;
  args: string[];
  shell: boolean;
  // Whether the job file's path is appended as the last argument.
  passJobFile: boolean;
}

const SHELL_SPECIAL = new Set([
  '|',
  '&',
  ';',
  '<',
  '>',
  '(',
  ')',
  '$',
  '`',
  '*',
  '?',
  '[',
  '#',
  '~',
  '\n',
  '{',
  '}',
  '!',
]);

// Splits a line into words when it needs no shell; returns undefined when it does.
export function splitWords(line: string): string[] | undefined {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] ?? '';
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end === -1) return undefined;
      word += line.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (ch === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        const c = line[j] ?? '';
        if (c === '$' || c === '`') return undefined;
        if (c === '\\' && j + 1 < line.length && '"\\$`\n'.includes(line[j + 1] ?? '')) {
          j++;
          word += line[j] ?? '';
        } else {
          word += c;
        }
      }
      if (j >= line.length) return undefined;
      inWord = true;
      i = j;
    } else if (ch === '\\') {
      if (i + 1 >= line.length) return undefined;
      i++;
      word += line[i] ?? '';
      inWord = true;
    } else if (ch === ' ' || ch === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (SHELL_SPECIAL.has(ch) || (ch === '=' && words.length === 0)) {
      return undefined;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words.length === 0 ? undefined : words;
}

function isExecutableFile(file: string): 'ok' | 'missing' | 'not-executable' {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return 'missing';
  }
  if (!stat.isFile()) return 'not-executable';
  try {
    fs.accessSync(file, fs.constants.X_OK);
  } catch {
    return 'not-executable';
  }
  return 'ok';
}

// Bare names found on PATH lately: a worker running thousands of jobs of the same program
// looks it up once every few seconds, not once per job.
const found = new Map<string, {file: string; at: number}>();
const FOUND_FOR_MS = 5000;

// Finds a bare program name on PATH, as execvp would.
export function findOnPath(name: string, envPath: string | undefined, cwd: string): string | undefined {
  const key = `${cwd}\0${envPath ?? ''}\0${name}`;
  const cached = found.get(key);
  if (cached !== undefined && performance.now() - cached.at < FOUND_FOR_MS) return cached.file;
  for (const dir of (envPath ?? '').split(path.delimiter)) {
    const candidate = path.resolve(cwd, dir === '' ? '.' : dir, name);
    if (isExecutableFile(candidate) === 'ok') {
      if (found.size > 1000) found.clear();
      found.set(key, {file: candidate, at: performance.now()});
      return candidate;
    }
  }
  return undefined;
}

// Decides how to run `line` from `workdir`, checking that a directly run program exists
// and is executable, so that a typo fails with a clear reason instead of a bare exit code.
export function planCommand(
  line: string,
  workdir: string,
  envPath: string | undefined,
  passJobFile = true,
): CommandPlan {
  const words = splitWords(line);
  if (words === undefined)
    return {file: '/bin/sh', args: ['-c', passJobFile ? `${line} "$@"` : line, 'fjd-job'], shell: true, passJobFile};
  const [program = '', ...args] = words;
  if (program.includes('/')) {
    const resolved = path.resolve(workdir, program);
    const state = isExecutableFile(resolved);
    if (state === 'missing') {
      const where = resolved === program ? '' : ` (looked for ${resolved})`;
      throw new FjdError('EXECUTABLE_NOT_FOUND', `executable ${program} does not exist${where}`, {
        path: resolved,
        hint: "A relative path is relative to the job's working directory: where `recruiter hire` ran, or [control] workdir.",
      });
    }
    if (state === 'not-executable') {
      const where = resolved === program ? '' : ` (${resolved})`;
      throw new FjdError('EXECUTABLE_NOT_EXECUTABLE', `executable ${program} is not an executable file${where}`, {
        path: resolved,
        hint: `Make it executable (chmod +x ${program}) or name its interpreter first, such as \`python3 ${program}\`.`,
      });
    }
    return {file: resolved, args, shell: false, passJobFile};
  }
  const found = findOnPath(program, envPath, workdir);
  if (found === undefined) {
    throw new FjdError('EXECUTABLE_NOT_FOUND', `executable ${program} was not found on the worker's PATH`, {
      hint: 'Give its full path, or start the workers from a shell whose PATH has it.',
    });
  }
  return {file: found, args, shell: false, passJobFile};
}
