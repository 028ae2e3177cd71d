// A worker's presence in the home: registering (.fjd/workers/W/ with its pod and info.json),
// announcing that it takes jobs (workerqueue/W, there until it stops taking them), renewing its heartbeat, watching its directories,
// and noticing that it was fenced. A worker is fenced when its pod was taken away from a home
// that is there (a dispatcher presumed it lost and recovered its jobs); a pod missing because
// the whole home is away for a moment (renamed away and back, an automounter) is no fence: the
// worker waits for the home, says so once, and goes on (home/presence.ts reads which it is).
import fs from 'node:fs';
import {describeError, errnoCode, ioError} from '../errors.js';
import {overwriteInPlace, unlinkIfPresent, writeFileAtomic} from '../home/atomic.js';
import {relativeToHome} from '../home/layout.js';
import {announcementPath, heartbeatPath, infoPath, podDir, workerDir} from '../home/paths.js';
import {podTakenAway} from '../home/presence.js';
import {notePolling, type WorkerInfo} from '../home/registry.js';
import {formatDuration} from '../util/duration.js';
import {processStartTime} from '../util/host.js';
import {watchDir, type DirEvent, type DirWatch} from '../util/watch-dir.js';
import {watchTrouble, watchTroubleLine} from '../util/watch-trouble.js';
import {tolerate, type WorkerCore} from './core.js';

export interface PresenceHooks {
  // The pod was taken away.
  fenced(): void;
  // `name` changed in the pod (undefined: some name); a job arrives by a rename.
  podChanged(event: DirEvent, name: string | undefined): void;
  // `name` changed in the worker's directory (undefined: some name).
  dirChanged(name: string | undefined): void;
}

export class WorkerPresence {
  // What keeps this worker from recording (ENOSPC…), told in its heartbeat; undefined: nothing.
  trouble: string | undefined;
  private beat = 0;
  private lastBeatAt = 0;
  private isAnnounced = false;
  // Why this worker's watches failed, so that it looks on its timer alone (for fjd status).
  private polling: string | undefined;
  private watches: DirWatch[] = [];

  constructor(
    private readonly core: WorkerCore,
    private readonly hooks: PresenceHooks,
  ) {}

  get announced(): boolean {
    return this.isAnnounced;
  }

  // Whether its watches work: if not, it looks on its timer alone.
  get watching(): boolean {
    return this.polling === undefined && this.watches.length > 0;
  }

  // Makes the worker's directory under the first free id (HOST-PID, then HOST-PID-2 …), its pod,
  // its heartbeat and info.json, watches them, and announces the worker. Throws when the home
  // refuses, leaving nothing behind once the directory is made.
  register(): void {
    const {core} = this;
    const {paths} = core;
    const base = `${core.host}-${process.pid}`;
    for (let n = 1; ; n++) {
      const id = n === 1 ? base : `${base}-${n}`;
      try {
        fs.mkdirSync(workerDir(paths, id), {mode: 0o700});
        core.id = id;
        break;
      } catch (error) {
        if (errnoCode(error) !== 'EEXIST') throw ioError('registering the worker in', paths.workers, error);
      }
    }
    core.summary.id = core.id;
    fs.mkdirSync(podDir(paths, core.id), {mode: 0o700});
    core.guard.add(workerDir(paths, core.id), podDir(paths, core.id));
    this.renewHeartbeat();
    // The pod for jobs; the worker's own directory only for requests (its heartbeat and notes
    // change there all the time, and are no news).
    this.watches = [
      watchDir(
        podDir(paths, core.id),
        (event, name) => this.hooks.podChanged(event, name),
        (error) => this.watchFailed(error),
      ),
      watchDir(
        workerDir(paths, core.id),
        (_event, name) => this.hooks.dirChanged(name),
        (error) => this.watchFailed(error),
      ),
    ];
    const info: WorkerInfo = {
      fjd: 1,
      id: core.id,
      host: core.host,
      pid: process.pid,
      procStart: processStartTime(process.pid),
      startedAt: new Date().toISOString(),
      cwd: core.options.cwd,
      log: core.options.logFile === undefined ? null : relativeToHome(paths, core.options.logFile),
      heartbeatMs: core.heartbeatMs,
      slurmJob: core.options.env.SLURM_JOB_ID ?? null,
      polling: this.polling ?? null,
      capacity: core.capacity,
    };
    // Its info first: a dispatcher that reads the announcement finds it (its pid, its
    // heartbeat, whether it watches).
    writeFileAtomic(paths.tmp, infoPath(paths, core.id), `${JSON.stringify(info, null, 2)}\n`);
    try {
      this.announce();
    } catch (error) {
      fs.rmSync(workerDir(paths, core.id), {recursive: true, force: true});
      throw ioError(
        'announcing the worker in',
        paths.workerqueue,
        error,
        'The workers must be able to write workerqueue/ of the home.',
      );
    }
    this.lastBeatAt = performance.now();
  }

  // Stops watching the worker's directories.
  close(): void {
    for (const watch of this.watches) watch.close();
  }

  // Renews the heartbeat if one is due (it rides on the worker's tick).
  beatIfDue(): void {
    if (performance.now() - this.lastBeatAt < this.core.heartbeatMs - 50) return;
    this.lastBeatAt = performance.now();
    this.heartbeat();
  }

  // Renews the heartbeat: its content changes every time, which is all a dispatcher on any
  // host compares (never clocks). A worker whose pod was taken away was presumed dead: it stops.
  heartbeat(): void {
    if (this.core.state.name === 'stopped') return;
    const pod = podDir(this.core.paths, this.core.id);
    if ((this.core.home.gone || !fs.existsSync(pod)) && !this.podThere(pod)) return;
    try {
      this.renewHeartbeat();
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT' || this.podThere(pod)) {
        this.core.log(`cannot renew the heartbeat (${errnoCode(error) ?? describeError(error)}); trying again`);
      }
    }
  }

  announce(): void {
    if (this.isAnnounced) return;
    const {core} = this;
    const body = JSON.stringify({fjd: 1, id: core.id, host: core.host, pid: process.pid, at: new Date().toISOString()});
    writeFileAtomic(core.paths.tmp, announcementPath(core.paths, core.id), `${body}\n`);
    this.isAnnounced = true;
  }

  unannounce(): void {
    if (!this.isAnnounced) return;
    unlinkIfPresent(announcementPath(this.core.paths, this.core.id));
    this.isAnnounced = false;
  }

  // Whether the pod is there after all. If not, it was taken away (fenced: the worker leaves),
  // or the home is gone for a moment (the worker waits, and says so once).
  private podThere(pod: string): boolean {
    if (podTakenAway(pod)) {
      this.hooks.fenced();
      return false;
    }
    return this.core.home.check() && fs.existsSync(pod);
  }

  // The beat, and what keeps this worker from recording (ENOSPC…) or "ok". Fixed width and
  // written in place, so it goes on beating on a full disk and tells the trouble there.
  private renewHeartbeat(): void {
    this.beat++;
    const line = `${String(this.beat).padStart(15, '0')} ${(this.trouble ?? 'ok').padEnd(15)}`;
    overwriteInPlace(heartbeatPath(this.core.paths, this.core.id), `${line}\n`);
  }

  // A watch failed (the inotify limit): say so once, and note it in info.json for fjd status.
  private watchFailed(error: unknown): void {
    if (this.polling !== undefined) return;
    const {core} = this;
    const trouble = watchTrouble(error);
    const reason = watchTroubleLine(trouble);
    this.polling = reason;
    core.log(
      `cannot watch its directories (${trouble.error}): ${trouble.what}${trouble.fix === undefined ? '' : `; ${trouble.fix}`}. Until then this worker looks for jobs on its timer (every ${formatDuration(Math.min(core.tickMs, core.heartbeatMs))}; every ${formatDuration(core.heartbeatMs)} after 10s without a job) instead of being told`,
    );
    const registered = core.state.name === 'working';
    if (registered)
      tolerate(core, 'note in info.json that this worker polls', () => notePolling(core.paths, core.id, reason));
  }
}
