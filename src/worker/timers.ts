// The worker's timers, all made through one Timers and cleared there in one call when the
// worker stops, so that none fires into a worker that has left or keeps its process alive:
//   OneShot  a timer that fires once and is cleared, or started again, by its owner (the tick,
//            the give-back of waiting jobs, a job's timeout); its callback is made once, and
//            takes what it needs as an argument, so starting one allocates nothing of its own;
//   Soon     a callback run once in the next turn of the event loop however often it is asked
//            in this one (a step, a look at the requests);
//   Pause    a wait that its owner can cut short (a retry's delay, trouble waited out).
// (src/util/timers.ts is the dispatcher's; the two are to be merged.)

interface Clearable {
  clear(): void;
}

export class OneShot<T = void> implements Clearable {
  private handle: NodeJS.Timeout | undefined;
  private readonly ring = (arg: T): void => {
    this.handle = undefined;
    this.fire(arg);
  };

  constructor(private readonly fire: (arg: T) => void) {}

  // Fires `fire(arg)` in `ms`, instead of whatever this timer was set to do.
  start(ms: number, arg: T): void {
    this.clear();
    this.handle = setTimeout(this.ring, ms, arg);
  }

  clear(): void {
    if (this.handle === undefined) return;
    clearTimeout(this.handle);
    this.handle = undefined;
  }
}

export class Soon implements Clearable {
  private queued: NodeJS.Immediate | undefined;
  private readonly ring = (): void => {
    this.queued = undefined;
    this.fire();
  };

  constructor(private readonly fire: () => void) {}

  ask(): void {
    this.queued ??= setImmediate(this.ring);
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

  oneShot<T = void>(fire: (arg: T) => void): OneShot<T> {
    return this.add(new OneShot(fire));
  }

  soon(fire: () => void): Soon {
    return this.add(new Soon(fire));
  }

  pause(): Pause {
    return this.add(new Pause());
  }

  clearAll(): void {
    for (const timer of this.all) timer.clear();
  }

  private add<T extends Clearable>(timer: T): T {
    this.all.push(timer);
    return timer;
  }
}
