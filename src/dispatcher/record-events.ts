// The events of .fjd/records/, taken a batch at a time: the names that came in one turn of the
// event loop are settled once each, after it. A record written in one go (created, then
// written: two events) is read once instead of twice, a round trip per job fewer on NFS; what
// is read is the record as it is after the events, so nothing is missed by waiting the turn.
// The events of a record the dispatcher has just created itself, handing its job out, are its
// own (own-events.ts): reading back what it wrote would tell it nothing.
import {RECORD_SUFFIX} from '../home/paths.js';
import type {Soon, Timers} from '../util/timers.js';
import type {DirEvent} from '../util/watch-dir.js';
import {OwnEvents} from './own-events.js';
import type {SeenRecords} from './seen-records.js';

export class RecordEvents {
  private readonly names = new Set<string>();
  private readonly own = new OwnEvents();
  private readonly soon: Soon;

  constructor(
    // The names told of, for the intake (seen-records.ts).
    private readonly seen: Pick<SeenRecords, 'told'>,
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
  add(name: string | undefined, event: DirEvent = 'rename'): void {
    this.seen.told(name);
    if (name === undefined || this.own.own(event, name)) return;
    this.names.add(name);
    this.soon.ask();
  }

  // The dispatcher has just created the record of job `id` (created, then written: a "rename"
  // event, then a "change"), handing it out; or replaced it (taking over a requeued job's: a
  // "rename"; the "change" then expected is never to come, as the worker only ever renames a
  // record in, and goes at the next forgetOwn).
  created(id: string): void {
    this.own.expect(`${id}${RECORD_SUFFIX}`, ['rename', 'change']);
  }

  // At a rescan, which reads the records of the jobs gone from their pods whatever their events
  // were: what was expected and has not come (no working watch) is forgotten.
  forgetOwn(): void {
    this.own.clear();
  }
}
