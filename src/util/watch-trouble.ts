// Why a directory watch failed, in words that say what to do about it. Each process that
// watches holds one inotify instance, and Linux limits them per user
// (fs.inotify.max_user_instances, 128 on many systems): at that limit fs.watch fails with
// EMFILE. At the limit of watched directories (fs.inotify.max_user_watches) it fails with
// ENOSPC. fjd then finds changes by its rescans alone, which works, only later.
import fs from 'node:fs';
import {describeError, errnoCode} from '../errors.js';

export interface WatchTrouble {
  // The errno code, or undefined for an error without one.
  code: string | undefined;
  // The error as Node words it, without the path (`EMFILE: too many open files`).
  error: string;
  // What went wrong, such as `the inotify instance limit is reached (…)`.
  what: string;
  // What to do, such as `raise it with: sudo sysctl fs.inotify.max_user_instances=1024`, or
  // undefined where there is nothing to raise.
  fix: string | undefined;
}

// A sysctl of fs.inotify as a number, or undefined where it cannot be read (not Linux).
function inotifyLimit(name: string): number | undefined {
  try {
    const value = Number(fs.readFileSync(`/proc/sys/fs/inotify/${name}`, 'utf8').trim());
    return Number.isSafeInteger(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

// The limit `sysctl` (now `current`) reached, and the command that raises it (to at least `floor`).
function limitReached(
  what: string,
  sysctl: string,
  current: number | undefined,
  floor: number,
): {what: string; fix: string} {
  const now = current === undefined ? '' : ` = ${current}`;
  const raised = Math.max(floor, (current ?? 0) * 2);
  return {
    what: `the ${what} limit is reached (fs.inotify.${sysctl}${now})`,
    fix: `raise it with: sudo sysctl fs.inotify.${sysctl}=${raised}`,
  };
}

// What a failed watch means, from its error; `limit` reads a sysctl (replaceable for tests).
export function watchTrouble(error: unknown, limit: (name: string) => number | undefined = inotifyLimit): WatchTrouble {
  const code = errnoCode(error);
  const said = describeError(error).replace(/, watch '.*'$/s, '');
  if (code === 'EMFILE') {
    return {
      code,
      error: said,
      ...limitReached('inotify instance', 'max_user_instances', limit('max_user_instances'), 1024),
    };
  }
  if (code === 'ENOSPC') {
    return {code, error: said, ...limitReached('inotify watch', 'max_user_watches', limit('max_user_watches'), 65536)};
  }
  return {code, error: said, what: 'inotify could not be used', fix: undefined};
}

// The trouble in one line, as the home records it for `fjd status`.
export function watchTroubleLine(trouble: WatchTrouble): string {
  if (trouble.fix === undefined || trouble.code === undefined) return `${trouble.what} (${trouble.error})`;
  return `${trouble.code}: ${trouble.what}; ${trouble.fix}`;
}
