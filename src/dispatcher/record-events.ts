// The events of .fjd/records/, taken a batch at a time: the names that came in one turn of the
// event loop are settled once each, after it. A record written in one go (created, then
// written: two events) is read once instead of twice, a round trip per job fewer on NFS; what
// is read is the record as it is after the events, so nothing is missed by waiting the turn.
import type {Soon, Timers} from '../util/timers.js';

export class RecordEvents {
  private readonly names = new Set<string>();
  private readonly soon: Soon;

  constructor(
    timers: Timers,
    // Runs an action as every action of the dispatcher runs (its guard).
    run: (action: () => void) => void,
    // Settles the record `name`; whether it was of a job handed out (ends.ts: recordChanged).
    settle: (name: string) => boolean,
    // Hands out what the ends freed.
    pump: () => void,
  ) {
    this.soon = timers.soon(() =>
      run(() => {
        let changed = false;
        for (const name of this.names) {
          this.names.delete(name);
          if (settle(name)) changed = true;
        }
        if (changed) pump();
      }),
    );
  }

  // An event of the directory, for the file `name` (none: an event that names no file).
  add(name: string | undefined): void {
    if (name === undefined) return;
    this.names.add(name);
    this.soon.ask();
  }
}
