// The reservation that keeps a big job from starving behind a stream of small ones. Jobs are
// paired in line order; the first job of a pairing that fits no worker's free capacity now,
// but fits some worker's whole capacity, reserves one such worker (packing.ts: reservable,
// the one with most free): from there on in that pairing, and in every later one in which it
// is still the first to wait, no job behind it is handed to that worker, which drains until
// the reserved job fits it (or another worker has room for it first). Jobs ahead of it in
// line (a higher priority that came later) are not kept from the worker. Its cost: a reserved
// worker idles what it has free while it drains, since without run-time estimates nothing
// can be known to end in time (no backfill).
export class Reservation<W> {
  // The job (by name) that holds the reservation, and its worker.
  private job: string | undefined;
  private worker: W | undefined;
  // Whether the reserved job has come up in this pairing: from then on its worker is barred.
  private barring = false;

  // A pairing begins: the reservation holds again once its job comes up (or another's does).
  begin(): void {
    this.barring = false;
  }

  // Whether the first job of this pairing to wait has come up (and reserved a worker, or
  // found none to reserve).
  get made(): boolean {
    return this.barring;
  }

  // The worker reserved for `job` so far, if it holds the reservation.
  heldBy(job: string): W | undefined {
    return this.job === job ? this.worker : undefined;
  }

  // `job` is the first job of this pairing to wait: it reserves `worker` (undefined: none
  // could ever run it now).
  reserve(job: string, worker: W | undefined): void {
    this.job = job;
    this.worker = worker;
    this.barring = true;
  }

  // The worker that a job of this name may not be handed to now.
  barredFor(job: string): W | undefined {
    return this.barring && job !== this.job ? this.worker : undefined;
  }

  // The worker barred to every job but the reserved one, in this pairing so far.
  get barred(): W | undefined {
    return this.barring ? this.worker : undefined;
  }

  // A job was handed out; the reservation ends if it was the reserved one.
  handedOut(job: string): void {
    if (job !== this.job) return;
    this.job = undefined;
    this.worker = undefined;
  }

  // The worker has gone: it holds no reservation any more.
  forget(worker: W): void {
    if (this.worker === worker) this.worker = undefined;
  }
}
