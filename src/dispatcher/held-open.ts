// A file written in place is complete once it has been left unchanged for the settle time
// (--settle) and no process on this host holds it open for writing any more. A writer that
// holds the file is the one sign of an unfinished file that is certain (it may write more)
// and cheap to see; it lets a writer on this host pause for as long as it likes, where the
// settle time alone would take its file half-written. Writers that close the file between
// pieces, and writers on other hosts, leave no such sign: for them the settle time is the
// rule. The question is asked only of files that have just settled, that is files seen being
// written or found written moments ago: a backlog of old files costs nothing. One look through
// /proc (util/open-for-writing.ts) serves every file that settles soon after it, so a burst
// of files written in place costs a few looks, not one each (10,000 files: about 12).
import fs from 'node:fs';
import {writersIn, type Writer} from '../util/open-for-writing.js';

// How long one look through /proc is trusted: at least LOOK_REUSE_MS, and LOOK_COST_SHARE
// times as long as the look took, so that looking takes at most a tenth of the dispatcher's
// time however many processes this host runs. A writer that opens a file (quiet for the
// settle time already) and writes nothing to it within this time may be missed, as it may be
// just after any look.
const LOOK_REUSE_MS = 100;
const LOOK_COST_SHARE = 10;

export class HeldOpen {
  private readonly dir: string;
  private seen: Map<string, Writer> | undefined;
  private seenUntil = -Infinity;
  // Names found held at the last look at them, so that the wait is told once per file.
  private readonly held = new Set<string>();

  constructor(jobqueue: string) {
    let real = jobqueue;
    try {
      real = fs.realpathSync(jobqueue);
    } catch {
      // jobqueue/ gone for a moment: its path as given still matches unless a link leads to it
    }
    this.dir = real;
  }

  // The process holding jobqueue/NAME open for writing, if one on this host does, and whether
  // it was not found holding it at the last look (the moment to tell the user).
  holder(name: string): {writer: Writer; first: boolean} | undefined {
    const started = performance.now();
    if (started > this.seenUntil) {
      this.seen = writersIn(this.dir);
      const ended = performance.now();
      this.seenUntil = ended + Math.max(LOOK_REUSE_MS, LOOK_COST_SHARE * (ended - started));
    }
    const writer = this.seen?.get(name);
    if (writer === undefined) {
      this.held.delete(name);
      return undefined;
    }
    const first = !this.held.has(name);
    this.held.add(name);
    return {writer, first};
  }
}
