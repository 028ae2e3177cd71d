// One-shot timers made through one Timers, which clears them all in one call when their owner
// stops, and starts none after that: no timer fires into a dispatcher that has ended, nor keeps
// its process alive.
//   OneShot  one timer with a fixed callback: `start` (again) or `soon` (unless pending);
//   Keyed    one timer per key with a fixed callback that is given the key (a job file being
//            watched until it settles), for any number of keys.
// A callback is made once, when the timer is made: starting one allocates only Node's timer.

interface Clearable {
  clear(): void;
}

export class OneShot implements Clearable {
  private handle: NodeJS.Timeout | undefined;
  private readonly ring = (): void => {
    this.handle = undefined;
    this.fire();
  };

  constructor(
    private readonly fire: () => void,
    private readonly closed: () => boolean,
  ) {}

  get pending(): boolean {
    return this.handle !== undefined;
  }

  // Fires in `ms`, instead of when it was to fire.
  start(ms: number): void {
    this.clear();
    if (!this.closed()) this.handle = setTimeout(this.ring, ms);
  }

  // Fires in `ms`, unless it is to fire already.
  soon(ms: number): void {
    if (this.handle === undefined && !this.closed()) this.handle = setTimeout(this.ring, ms);
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

export class Timers {
  private readonly all: Clearable[] = [];
  private stopped = false;
  private readonly isStopped = (): boolean => this.stopped;

  oneShot(fire: () => void): OneShot {
    return this.add(new OneShot(fire, this.isStopped));
  }

  keyed<K>(fire: (key: K) => void): Keyed<K> {
    return this.add(new Keyed(fire, this.isStopped));
  }

  // Clears every timer made here; none starts after this.
  clearAll(): void {
    this.stopped = true;
    for (const timer of this.all) timer.clear();
  }

  private add<T extends Clearable>(timer: T): T {
    this.all.push(timer);
    return timer;
  }
}
