// The events the dispatcher's own moves cause in a directory it watches, expected so that they
// are not looked into: its rename of a job out of jobqueue/ (one "rename" event), its creation
// of a job's record in .fjd/records/ (a "rename", then a "change" as it is written). Looking
// into one costs a round trip on NFS (a stat that finds nothing, a read of the record just
// written) and tells nothing new. One watch's events come in the order they happened, so the
// first events of a name after the dispatcher's move are its own: what comes after them (a
// new file of that name, the worker's record) is still looked into. Should an event be taken
// for the dispatcher's own when it was not (the kernel's queue overflowed and dropped events),
// the rescans still see what changed. Expectations go when forgotten (the rescan's listing
// sees anything they could hide), so that without a working watch they do not pile up.
import type {DirEvent} from '../util/watch-dir.js';

export class OwnEvents {
  private readonly expected = new Map<string, DirEvent[]>();

  // The dispatcher's own move will cause these events of `name`, in this order.
  expect(name: string, events: DirEvent[]): void {
    this.expected.set(name, [...(this.expected.get(name) ?? []), ...events]);
  }

  // Whether this event of `name` is the next one the dispatcher's own move causes (and so
  // says nothing new); it is then no longer expected.
  own(event: DirEvent, name: string | undefined): boolean {
    if (name === undefined) return false;
    const events = this.expected.get(name);
    if (events === undefined) return false;
    const at = events.indexOf(event);
    if (at === -1) return false;
    events.splice(at, 1);
    if (events.length === 0) this.expected.delete(name);
    return true;
  }

  clear(): void {
    this.expected.clear();
  }
}
