// The file server's clock, as this dispatcher learns it: a file's mtime is set by whoever
// stores it (the NFS server, or this kernel on a local disk), so the mtime of a file the
// dispatcher has just written (its lock, renewed at every rescan) is the server's time at that
// moment. From there the dispatcher's own monotonic clock carries it on. A file's age is then
// the server's time against the server's time: this host's wall clock, which on NFS clients is
// often seconds or hours off, is never compared with a file's time.
import fs from 'node:fs';

// What an age is when the server's time is not known (the first look at our own file failed):
// "just written", so that a file is watched a while rather than taken half-written.
const UNKNOWN_AGE = 0;

export class ServerClock {
  // The server's time (ms since 1970) when our monotonic clock read `monoMs`.
  private serverMs = NaN;
  private monoMs = NaN;

  // Takes the time from the mtime of `file`, which this process has just written. The moment
  // is read after the stat returns, so the server's time is never overestimated: a file can
  // only look younger than it is, by the stat's round trip, and is then watched a little
  // longer, never taken early. One stat; a failed one keeps what was learned before.
  learn(file: string): void {
    try {
      const mtimeMs = fs.statSync(file).mtimeMs;
      this.serverMs = mtimeMs;
      this.monoMs = performance.now();
    } catch {
      // our own file gone for a moment (the lock changing hands): the last sample holds
    }
  }

  // The server's time now, as far as known, or undefined before anything was learned.
  now(): number | undefined {
    if (Number.isNaN(this.serverMs)) return undefined;
    return this.serverMs + (performance.now() - this.monoMs);
  }

  // How long ago, by the server's clock, a file of this mtime was last written (negative for
  // a time set in the future, as `touch -d` or `cp -p` from a fast clock can).
  ageOf(mtimeMs: number): number {
    const now = this.now();
    return now === undefined ? UNKNOWN_AGE : now - mtimeMs;
  }
}
