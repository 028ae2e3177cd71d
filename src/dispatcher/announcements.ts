// Announcements: workerqueue/W, which worker W writes to say that it takes jobs. What the
// dispatcher learns from them, from the events of workerqueue/'s watch (one name each) and
// from listings of it (at the start, and at every rescan): which workers are ready, and what
// each has finished before it announced itself. The pool holds what is learnt (pool.ts).
import type {HomePaths} from '../home/layout.js';
import {listDir, readJson} from '../home/atomic.js';
import {isIgnoredName} from '../home/names.js';
import {announcementPath} from '../home/paths.js';
import type {Ends} from './ends.js';
import type {WorkerPool, WorkerState} from './pool.js';

export class Announcements {
  constructor(
    private readonly paths: HomePaths,
    private readonly pool: WorkerPool,
    private readonly ends: Ends,
  ) {}

  // An event of workerqueue/'s watch (no name: the watch lost track, so list it).
  onEvent(name: string | undefined): void {
    if (name === undefined) this.scan();
    else this.seen(name);
  }

  // Lists workerqueue/ and takes note of every announcement in it.
  scan(): void {
    for (const id of listDir(this.paths.workerqueue)) this.seen(id);
  }

  // A worker announced itself: it has finished what it was given before.
  private seen(id: string): void {
    const worker = this.announced(id);
    if (worker !== undefined) this.ends.settleAll(worker);
  }

  // workerqueue/W exists (or existed): W is there to take jobs, and has finished what it was
  // given before it announced itself. The worker, or undefined if it has no announcement.
  private announced(id: string): WorkerState | undefined {
    if (isIgnoredName(id)) return undefined;
    const announcement = readJson<{host?: string; pid?: number}>(announcementPath(this.paths, id));
    if (announcement === undefined) return undefined;
    const worker = this.pool.worker(id);
    worker.host ??= announcement.host;
    worker.pid ??= announcement.pid;
    this.pool.ready(worker);
    return worker;
  }
}
