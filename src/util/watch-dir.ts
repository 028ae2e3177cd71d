// Watching a directory for changes, as a hint only: inotify (fs.watch) sees changes made on
// this machine, never those made by other hosts on a shared filesystem, so every user of this
// also looks again on a timer. A watch that fails (no inotify, watch limit reached) is
// reported through `onError` and the timer carries on alone.
import fs from 'node:fs';

export interface DirWatch {
  close(): void;
}

export type DirEvent = 'rename' | 'change';

export function watchDir(
  dir: string,
  onEvent: (event: DirEvent, name: string | undefined) => void,
  onError?: (error: unknown) => void,
): DirWatch {
  let watcher: fs.FSWatcher | undefined;
  try {
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
