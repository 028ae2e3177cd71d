// Announcements: workerqueue/W, which worker W writes to say that it takes jobs, and removes
// when it stops taking them (home/transitions.ts). W is ready while its announcement is there:
// told by the events of workerqueue/'s watch (one name each: the file is looked at, there or
// gone) and by listings of it (at the start, and at every rescan: a ready worker it does not
// list is ready no more). The pool holds what is learnt (pool.ts).
import type {HomePaths} from '../home/layout.js';
import {listDir, readJson} from '../home/atomic.js';
import {isIgnoredName} from '../home/names.js';
import {announcementPath} from '../home/paths.js';
import type {WorkerPool} from './pool.js';

export class Announcements {
  constructor(
    private readonly paths: HomePaths,
    private readonly pool: WorkerPool,
  ) {}

  // An event of workerqueue/'s watch (no name: the watch lost track, so list it).
  onEvent(name: string | undefined): void {
    if (name === undefined) this.scan();
    else this.seen(name);
  }

  // Lists workerqueue/: the workers it lists are ready, and those it does not are not.
  scan(): void {
    const listed = new Set<string>();
    for (const id of listDir(this.paths.workerqueue)) {
      listed.add(id);
      // A worker known to be ready is not read again.
      if (this.pool.get(id)?.ready !== true) this.seen(id);
    }
    for (const worker of this.pool.all()) if (worker.ready && !listed.has(worker.id)) this.pool.unready(worker);
  }

  // Whether W's announcement is there, and so whether W may be given jobs.
  private seen(id: string): void {
    if (isIgnoredName(id)) return;
    const announcement = readJson<{host?: string; pid?: number}>(announcementPath(this.paths, id));
    if (announcement === undefined) {
      const worker = this.pool.get(id);
      if (worker !== undefined) this.pool.unready(worker);
      return;
    }
    const worker = this.pool.worker(id);
    worker.host ??= announcement.host;
    worker.pid ??= announcement.pid;
    this.pool.ready(worker);
  }
}
