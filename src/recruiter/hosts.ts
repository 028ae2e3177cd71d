// The hosts file: which machines `recruiter hire` starts a worker on over SSH, and how many
// slots (jobs at once) each of those workers has. Its format is the original fjd's
// `remote.conf`, an INI file with one section per host:
//
//   [host1]
//   name = node-a          # the ssh destination: a host name, user@host, or a ~/.ssh/config alias
//   workers = 4            # the slots of the one worker process started there (or: slots = 4)
//   ssh = -p 2222 -l alice # optional: more ssh options for this host only
//
// `workers` keeps the original's key (it once started that many one-job workers, and the
// same number of jobs still run there at once); `slots` is its synonym. `key: value` works
// as well as `key = value`; `#` and `;` start comment lines. A home's default hosts file is
// `hosts`, else `remote.conf`.
import fs from 'node:fs';
import path from 'node:path';
import {FjdError, errnoCode} from '../errors.js';
import {splitWords} from '../job/command.js';
import {didYouMean} from '../util/suggest.js';

export interface HostEntry {
  // The section's name ([host1]).
  section: string;
  // The ssh destination.
  name: string;
  // The slots of the worker started there (`workers` or `slots`).
  slots: number;
  // Extra ssh options, split into words.
  ssh: string[];
  // Where the section starts, for messages.
  line: number;
}

export const HOSTS_FILE_NAMES = ['hosts', 'remote.conf'];

const KEYS = ['name', 'workers', 'slots', 'ssh'];
const FORMAT_HINT =
  'A hosts file has one [section] per host, each with `name = HOST` and `workers = N` (the slots of its worker: jobs at once; `slots = N` says the same), and optionally `ssh = OPTIONS`.';

function hostsError(file: string, line: number, message: string, hint = FORMAT_HINT): FjdError {
  return new FjdError('HOSTS_FILE', `${file}, line ${line}: ${message}`, {path: file, hint});
}

// The home's hosts file, if it has one: `hosts`, else `remote.conf`.
export function defaultHostsFile(home: string): string | undefined {
  for (const name of HOSTS_FILE_NAMES) {
    const file = path.join(home, name);
    if (fs.existsSync(file)) return file;
  }
  return undefined;
}

// Parses a hosts file's text; `file` names it in messages.
export function parseHostsText(text: string, file: string): HostEntry[] {
  const sections: {section: string; line: number; values: Map<string, {value: string; line: number}>}[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const stripped = (lines[i] ?? '').trim();
    if (stripped === '' || stripped.startsWith('#') || stripped.startsWith(';')) continue;
    if (stripped.startsWith('[')) {
      if (!stripped.endsWith(']') || stripped.length < 3)
        throw hostsError(file, lineNo, `"${stripped}" is not a [section] header`);
      const section = stripped.slice(1, -1).trim();
      if (sections.some((s) => s.section === section))
        throw hostsError(file, lineNo, `section [${section}] appears twice`);
      sections.push({section, line: lineNo, values: new Map()});
      continue;
    }
    const at = /[=:]/.exec(stripped)?.index;
    if (at === undefined) throw hostsError(file, lineNo, `"${stripped}" is neither a [section] nor a key = value line`);
    const current = sections.at(-1);
    if (current === undefined) throw hostsError(file, lineNo, `"${stripped}" comes before any [section] header`);
    const key = stripped.slice(0, at).trim().toLowerCase();
    if (!KEYS.includes(key)) {
      throw hostsError(
        file,
        lineNo,
        `unknown key "${key}" in [${current.section}]${didYouMean(key, KEYS) || ` (known: ${KEYS.join(', ')})`}`,
      );
    }
    if (current.values.has(key)) throw hostsError(file, lineNo, `key "${key}" appears twice in [${current.section}]`);
    // A comment after the value, as in the example above, is not part of it.
    const value = stripped
      .slice(at + 1)
      .replace(/\s+[#;].*$/, '')
      .trim();
    current.values.set(key, {value, line: lineNo});
  }
  if (sections.length === 0) throw hostsError(file, 1, 'no host is listed');
  return sections.map(({section, line, values}) => {
    const name = values.get('name');
    if (name === undefined || name.value === '')
      throw hostsError(file, name?.line ?? line, `[${section}] has no name (the ssh destination)`);
    if (/\s/.test(name.value) || name.value.startsWith('-')) {
      throw hostsError(
        file,
        name.line,
        `[${section}] name "${name.value}" is not an ssh destination`,
        'Put ssh options in the `ssh` key, not in `name`.',
      );
    }
    const workers = values.get('workers');
    const slots = values.get('slots');
    if (workers !== undefined && slots !== undefined) {
      throw hostsError(
        file,
        Math.max(workers.line, slots.line),
        `[${section}] has both workers and slots, which say the same (the slots of its worker): keep one`,
      );
    }
    const given = workers ?? slots;
    const key = workers === undefined ? 'slots' : 'workers';
    if (given === undefined)
      throw hostsError(
        file,
        line,
        `[${section}] has no workers count (add workers = N, the number of jobs its worker runs at once)`,
      );
    const count = Number(given.value);
    if (!/^\d+$/.test(given.value) || !Number.isSafeInteger(count) || count < 1) {
      throw hostsError(file, given.line, `[${section}] ${key} "${given.value}" is not a whole number of at least 1`);
    }
    const ssh = values.get('ssh');
    const options = ssh === undefined || ssh.value === '' ? [] : splitWords(ssh.value);
    if (options === undefined) {
      throw hostsError(
        file,
        ssh?.line ?? line,
        `[${section}] ssh "${ssh?.value ?? ''}" is not a list of plain words`,
        'Write ssh options as words, quoted where needed, without $VAR, ~ or other shell syntax.',
      );
    }
    return {section, name: name.value, slots: count, ssh: options, line};
  });
}

// Reads and parses a hosts file.
export function readHostsFile(file: string): HostEntry[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new FjdError('HOSTS_FILE', `cannot read the hosts file ${file} (${errnoCode(error) ?? String(error)})`, {
      path: file,
      hint: 'Name an existing file with --hosts FILE, or create `hosts` in the home (see the README, Many machines).',
      cause: error,
    });
  }
  return parseHostsText(text, file);
}
