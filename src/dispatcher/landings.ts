// Jobs seen landing in done/: a worker leaving a pod links the job file into done/ (step 2 of
// home/transitions.ts: leavePod) before it renames the final record in (step 3), so the event
// of done/ID, seen before the record's, says that the job finished; its record need not be
// read (a round trip per job on NFS). Only for a job handed out for its first attempt: no file
// of its id can have been in done/ before (a job in done/ has a final record, and the record
// of this one was new), so no event of an earlier file there can pass for its landing. How
// long it took from its hand-out to its landing is no less than it ran, which is what deciding
// whether its worker takes jobs in advance needs (packing.ts). A job whose landing was not
// seen (another host's worker; no watch) is settled from its record, as before.

export class Landings {
  // The jobs handed out for their first attempt: when (performance.now()).
  private readonly handedOutAt = new Map<string, number>();
  // The jobs seen landing in done/: how long after their hand-out.
  private readonly landed = new Map<string, number>();

  constructor(private readonly clock: () => number = () => performance.now()) {}

  // Job `id` was handed out for its first attempt.
  handedOut(id: string): void {
    this.handedOutAt.set(id, this.clock());
  }

  // An event of done/ for `name`.
  onEvent(name: string | undefined): void {
    if (name === undefined) return;
    const at = this.handedOutAt.get(name);
    if (at === undefined) return;
    this.handedOutAt.delete(name);
    this.landed.set(name, this.clock() - at);
  }

  // Whether job `id` was seen landing in done/, and if so how long after its hand-out; either
  // way it is no longer followed here (it is being settled).
  take(id: string): number | undefined {
    const ms = this.landed.get(id);
    this.landed.delete(id);
    this.handedOutAt.delete(id);
    return ms;
  }
}
