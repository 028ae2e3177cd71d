// Timers made through one Timers, which clears them all in one call when their owner (the
// dispatcher, a worker) stops, and starts none after that: no timer fires into a process part
// that has ended, nor keeps the process alive.
//   OneShot  one timer with a fixed callback that is given an argument: `start` (again) or
//            `soon` (unless pending). The callback is made once, so starting one allocates
//            only Node's timer (the tick, a job's timeout, the next rescan);
//   Keyed    one timer per key with a fixed callback that is given the key (a job file being
//            watched until it settles), for any number of keys;
//   Soon     a callback run once in the next turn of the event loop however often it is asked
//            in this one (a worker's step, a look at its requests);
//   Pause    waits that their owner can cut short, all or by key (a job's retry delay, trouble
//            waited out); clearing the timers ends the waits under way, and a worker that
//            leaves may still wait out trouble while it puts its jobs back.

interface Clearable {
  clear(): void;
}

export class OneShot<T = void> implements Clearable {
  private handle: NodeJS.Timeout | undefined;
  private readonly ring = (arg: T): void => {
    this.handle = undefined;
    this.fire(arg);
  };

  constructor(
    private readonly fire: (arg: T) => void,
    private readonly closed: () => boolean,
  ) {}

  get pending(): boolean {
    return this.handle !== undefined;
  }

  // Fires `fire(arg)` in `ms`, instead of when (and with what) it was to fire.
  start(ms: number, arg: T): void {
    this.clear();
    if (!this.closed()) this.handle = setTimeout(this.ring, ms, arg);
  }

  // Fires in `ms`, unless it is to fire already.
  soon(ms: number, arg: T): void {
    if (this.handle === undefined && !this.closed()) this.handle = setTimeout(this.ring, ms, arg);
  }

  clear(): void {
    if (this.handle === undefined) return;
    clearTimeout(this.handle);
    this.handle = undefined;
  }
}

export class Keyed<K> implements Clearable {
  private readonly handles = new Map<K, NodeJS.Timeout>();
  private readonly ring = (key: K): void => {
    this.handles.delete(key);
    this.fire(key);
  };

  constructor(
    private readonly fire: (key: K) => void,
    private readonly closed: () => boolean,
  ) {}

  // Fires for `key` in `ms`, instead of when it was to fire for it.
  start(key: K, ms: number): void {
    this.cancel(key);
    if (!this.closed()) this.handles.set(key, setTimeout(this.ring, ms, key));
  }

  cancel(key: K): void {
    const handle = this.handles.get(key);
    if (handle === undefined) return;
    clearTimeout(handle);
    this.handles.delete(key);
  }

  clear(): void {
    for (const handle of this.handles.values()) clearTimeout(handle);
    this.handles.clear();
  }
}

export class Soon implements Clearable {
  private queued: NodeJS.Immediate | undefined;
  private readonly ring = (): void => {
    this.queued = undefined;
    this.fire();
  };

  constructor(
    private readonly fire: () => void,
    private readonly closed: () => boolean,
  ) {}

  ask(): void {
    if (!this.closed()) this.queued ??= setImmediate(this.ring);
  }

  clear(): void {
    if (this.queued === undefined) return;
    clearImmediate(this.queued);
    this.queued = undefined;
  }
}

// Waits that can be cut short: any number at once, each under a key (a job's id), cut short
// all together (a worker told to stop now) or by their key (that job cancelled). A wait may
// start after clearAll (a worker's last recording waits out a full disk as it leaves).
interface Waiting {
  key: string | undefined;
  handle: NodeJS.Timeout;
  resolve: () => void;
}

export class Pause implements Clearable {
  private readonly waits = new Set<Waiting>();

  // Waits `ms`, or less if cut short (for all, or for `key`).
  wait(ms: number, key?: string): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const entry: Waiting = {key, handle: setTimeout(() => this.end(entry), ms), resolve};
      this.waits.add(entry);
    });
  }

  // Ends the waits now: every one, or those under `key`.
  cutShort(key?: string): void {
    for (const entry of [...this.waits]) if (key === undefined || entry.key === key) this.end(entry);
  }

  clear(): void {
    this.cutShort();
  }

  private end(entry: Waiting): void {
    if (!this.waits.delete(entry)) return;
    clearTimeout(entry.handle);
    entry.resolve();
  }
}

export class Timers {
  private readonly all: Clearable[] = [];
  private stopped = false;
  private readonly isStopped = (): boolean => this.stopped;

  oneShot<T = void>(fire: (arg: T) => void): OneShot<T> {
    return this.add(new OneShot(fire, this.isStopped));
  }

  keyed<K>(fire: (key: K) => void): Keyed<K> {
    return this.add(new Keyed(fire, this.isStopped));
  }

  soon(fire: () => void): Soon {
    return this.add(new Soon(fire, this.isStopped));
  }

  pause(): Pause {
    return this.add(new Pause());
  }

  // Clears every timer made here; none starts after this (a Pause may: see above).
  clearAll(): void {
    this.stopped = true;
    for (const timer of this.all) timer.clear();
  }

  private add<T extends Clearable>(timer: T): T {
    this.all.push(timer);
    return timer;
  }
}
