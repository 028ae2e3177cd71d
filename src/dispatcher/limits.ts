// Which group limits are in force: the home's `limits` file, overridden by the dispatcher's
// --limit flags (which it publishes in its lock, src/dispatcher/lock.ts, for `fjd status`).
// The dispatcher and `fjd status` both take them from here, so they agree on the rule.
import fs from 'node:fs';
import type {HomePaths} from '../home/layout.js';
import {parseLimits} from './schedule.js';

// The flags win over the file.
export function mergeLimits(fromFile: ReadonlyMap<string, number>, flags: ReadonlyMap<string, number> | undefined): Map<string, number> {
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

// A warning for each group whose limit has become 0, which never lets its jobs run: at the
// dispatcher's start (`before` empty) and whenever the limits file sets one.
export function zeroLimitWarnings(
  before: ReadonlyMap<string, number>,
  now: ReadonlyMap<string, number>,
  flags: ReadonlyMap<string, number> | undefined,
  file: string,
): string[] {
  const warnings: string[] = [];
  for (const [group, limit] of now) {
    if (limit !== 0 || before.get(group) === 0) continue;
    const from = flags?.get(group) === 0 ? `--limit ${group}=0` : `the limits file ${file}`;
    warnings.push(`group ${group} has a limit of 0 (${from}): none of its jobs runs until the limit is raised`);
  }
  return warnings;
}
