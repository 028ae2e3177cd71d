// Which failed jobs a dispatcher has seen fail: .fjd/failures.log, lines `failed ID` and
// `retried ID` (the last line of an id counts). A job can fail while no dispatcher runs (the
// dispatcher was killed, a worker's last attempt was recovered by `recruiter fire`, `fjd
// cancel` took the lock itself); the next dispatcher finds it in failed/ but not in the log,
// and treats it as a failure seen now, so --on-failure runs for it. The line is written after
// the hook has been started: a hook may run twice across a crash, never not at all. The
// dispatcher writes `failed` lines, `fjd retry` (queue/retry.ts) `retried` ones.
import fs from 'node:fs';
import type {HomePaths} from './layout.js';

export class FailureLog {
  private readonly file: string;
  // Ids whose last line is `failed`; undefined: there was no log.
  private seen: Set<string> | undefined;

  constructor(paths: HomePaths) {
    this.file = paths.failuresLog;
    let text: string | undefined;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch {
      text = undefined;
    }
    if (text === undefined) return;
    this.seen = new Set();
    for (const line of text.split('\n')) {
      const match = /^(failed|retried) (\S.*)$/.exec(line);
      if (match === null) continue;
      if (match[1] === 'failed') this.seen.add(match[2] ?? '');
      else this.seen.delete(match[2] ?? '');
    }
  }

  // The ids among `failed` (the names in failed/) that no dispatcher has seen fail. A home
  // with no log yet starts one: what failed before it is taken as seen.
  unseen(failed: string[]): string[] {
    if (this.seen === undefined) {
      this.seen = new Set(failed);
      this.write(failed.map((id) => `failed ${id}\n`).join(''));
      return [];
    }
    return failed.filter((id) => !this.seen?.has(id));
  }

  noteFailed(id: string): void {
    this.seen?.add(id);
    this.write(`failed ${id}\n`);
  }

  private write(lines: string): void {
    try {
      fs.appendFileSync(this.file, lines, {mode: 0o600});
    } catch {
      // A full disk: at worst a hook runs again after a restart.
    }
  }
}

// `fjd retry` put failed jobs back: a later failure of one is a new one. Only a log that
// exists is added to (a new one would make every earlier failure look unseen).
export function noteRetried(paths: HomePaths, ids: string[]): void {
  if (ids.length === 0) return;
  let fd: number;
  try {
    fd = fs.openSync(paths.failuresLog, fs.constants.O_WRONLY | fs.constants.O_APPEND);
  } catch {
    return;
  }
  try {
    fs.writeSync(fd, ids.map((id) => `retried ${id}\n`).join(''));
  } catch {
    // Without the line, a later failure of the job found after a restart has no hook.
  } finally {
    fs.closeSync(fd);
  }
}
