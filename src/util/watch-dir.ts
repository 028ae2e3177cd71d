// Watching a directory for changes, as a hint only: inotify (fs.watch) sees changes made on
// this machine, never those made by other hosts on a shared filesystem, so every user of this
// also looks again on a timer. A watch that fails (no inotify, watch limit reached) is
// reported through `onError` and the timer carries on alone (see watch-trouble.ts for what
// to tell the user).
//
// Fault injection for the tests: FJD_WATCH_FAULT=EMFILE (or another errno code) makes every
// watch of this process fail with that code, as at the per-user inotify instance limit, without
// using up the machine's real instances. FJD_WATCH_FAULT=silent makes every watch work and
// report nothing, as for changes made on another host (a dispatcher or recruiter elsewhere).
import fs from 'node:fs';

export interface DirWatch {
  close(): void;
}

export type DirEvent = 'rename' | 'change';

const fault = process.env.FJD_WATCH_FAULT?.trim();

// The error fs.watch throws when inotify refuses, as Node shapes it.
function injectedFault(code: string, dir: string): NodeJS.ErrnoException {
  const text =
    code === 'EMFILE' ? 'too many open files' : code === 'ENOSPC' ? 'no space left on device' : 'injected fault';
  return Object.assign(new Error(`${code}: ${text}, watch '${dir}'`), {code, syscall: 'watch', path: dir});
}

export function watchDir(
  dir: string,
  onEvent: (event: DirEvent, name: string | undefined) => void,
  onError?: (error: unknown) => void,
): DirWatch {
  let watcher: fs.FSWatcher | undefined;
  if (fault === 'silent') return {close: () => undefined};
  try {
    if (fault !== undefined && fault !== '') throw injectedFault(fault, dir);
    watcher = fs.watch(dir, {persistent: true}, (event, name) => onEvent(event, name ?? undefined));
    watcher.on('error', (error) => {
      watcher?.close();
      watcher = undefined;
      onError?.(error);
    });
  } catch (error) {
    onError?.(error);
  }
  return {
    close() {
      watcher?.close();
      watcher = undefined;
    },
  };
}
