// The group limits file of the home, `limits` (lines `NAME = K`, `#` comments), and the rule
// of which limits are in force: the file, overridden by the dispatcher's --limit flags (which
// it publishes in its lock, lock-file.ts, for `fjd status`). The dispatcher and `fjd status`
// both take them from here, so they agree.
import fs from 'node:fs';
import type {HomePaths} from './layout.js';

// Group limits: `dispatcher --limit NAME=K` and the file `limits` in the home (lines
// `NAME = K`, `#` comments), read again whenever it changes. The flags win.
export function parseLimits(text: string, source: string): Map<string, number> {
  const limits = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const match = /^([^=:\s]+)\s*[=:]\s*(\d+)$/.exec(line);
    if (match === null) throw new Error(`${source}, line ${index + 1}: "${line}" is not NAME = COUNT`);
    limits.set(match[1] ?? '', Number(match[2]));
  });
  return limits;
}

// The flags win over the file.
export function mergeLimits(
  fromFile: ReadonlyMap<string, number>,
  flags: ReadonlyMap<string, number> | undefined,
): Map<string, number> {
  return new Map([...fromFile, ...(flags ?? new Map<string, number>())]);
}

// The limits file as it is now; empty when there is none, or when it does not parse (the
// dispatcher warns of that and ignores it too).
export function readLimitsFile(paths: HomePaths): Map<string, number> {
  let text: string;
  try {
    text = fs.readFileSync(paths.limits, 'utf8');
  } catch {
    return new Map();
  }
  try {
    return parseLimits(text, paths.limits);
  } catch {
    return new Map();
  }
}
