// The INI dialect of Python's configparser, which the original fjd used and which many jobs
// still use to read their own parameters: `key = value`, `key: value` and `key:value`;
// full-line `#` and `;` comments; indented continuation lines; a [DEFAULT] section whose keys
// every section sees; %(name)s interpolation; keys lower-cased; strict mode (a section or a
// key twice is an error). Knows nothing of what the sections mean (job/control.ts does).
import {FjdError} from '../errors.js';

export interface IniDocument {
  // Section name → key (lower-cased, as configparser does) → value.
  sections: Map<string, Map<string, string>>;
  defaults: Map<string, string>;
  // Section name → key (lower-cased) → the key as the file spells it: [env]'s keys keep their
  // case (environment variables are case-sensitive).
  spellings: Map<string, Map<string, string>>;
}

function syntaxError(message: string, line: number): FjdError {
  return new FjdError('JOB_SYNTAX', `line ${line}: ${message}`, {
    hint: 'Job files are INI files: [section] headers, then `key = value` or `key: value` lines.',
  });
}

// Parses INI text as configparser does (strict mode: duplicate sections and keys are errors).
export function parseIni(text: string): IniDocument {
  const sections = new Map<string, Map<string, string>>();
  const defaults = new Map<string, string>();
  const spellings = new Map<string, Map<string, string>>();
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
    const spelled = stripped.slice(0, at).trim();
    const key = spelled.toLowerCase();
    if (key === '') throw syntaxError(`"${shorten(stripped)}" has no key before its "${stripped[at]}"`, lineNo);
    if (current.has(key)) throw syntaxError(`key "${key}" appears twice in [${currentName}]`, lineNo);
    current.set(key, stripped.slice(at + 1).trim());
    if (current !== defaults) {
      const spelling = spellings.get(currentName) ?? new Map<string, string>();
      spellings.set(currentName, spelling.set(key, spelled));
    }
    lastKey = key;
    lastIndent = indent;
  }
  return {sections, defaults, spellings};
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

// Every key a section shows, as configparser's get() reads it: its own keys and those of
// [DEFAULT], interpolated.
export function sectionValues(section: Map<string, string>, defaults: Map<string, string>): Map<string, string> {
  const values = new Map<string, string>();
  for (const key of new Set([...defaults.keys(), ...section.keys()])) {
    values.set(key, interpolate(section.get(key) ?? defaults.get(key) ?? '', section, defaults));
  }
  return values;
}
