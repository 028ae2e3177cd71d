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
//   Pause    a wait that its owner can cut short (a retry's delay, trouble waited out);
//            clearing the timers ends a wait under way, and a worker that leaves may still
//            wait out trouble while it puts its jobs back.

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

export class Pause implements Clearable {
  private handle: NodeJS.Timeout | undefined;
  private resolve: (() => void) | undefined;
  private readonly end = (): void => {
    if (this.handle !== undefined) clearTimeout(this.handle);
    this.handle = undefined;
    const resolve = this.resolve;
    this.resolve = undefined;
    resolve?.();
  };

  // Waits `ms`, or less if cut short; one wait at a time.
  wait(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    this.end();
    return new Promise<void>((resolve) => {
      this.resolve = resolve;
      this.handle = setTimeout(this.end, ms);
    });
  }

  // Ends the wait now, if there is one.
  cutShort(): void {
    this.end();
  }

  clear(): void {
    this.end();
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
