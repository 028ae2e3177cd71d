// Only one dispatcher acts on a home at a time. The lock is .fjd/dispatcher.lock, created with
// O_EXCL (safe on NFS v3+, unlike flock), naming its owner and renewed with a changing beat.
// A lock whose owner is dead is taken over: on the owner's host by a pid check, from another
// host when its beat has not changed for a whole lease, timed with our own monotonic clock.
// Takeover renames the stale lock away first, so of several dispatchers racing for it, one
// creates the new lock; a dispatcher that finds its lock replaced stops. What the lock holds,
// and reading it (as `fjd status` does too), is src/home/lock-file.ts.
import crypto from 'node:crypto';
import fs from 'node:fs';
import {setTimeout as delay} from 'node:timers/promises';
import {FjdError} from '../errors.js';
import type {HomePaths} from '../home/layout.js';
import {createExclusive, unlinkIfPresent, writeFileAtomic} from '../home/atomic.js';
import {readLock, type LockContent} from '../home/lock-file.js';
import {lockPath, staleLockPath} from '../home/paths.js';
import {hostName, processLiveness, processStartTime} from '../util/host.js';

// How long a lock file may stay unreadable (empty, cut short) before it is taken as stale.
const UNREADABLE_LOCK_MS = 1000;

export class DispatcherLock {
  private constructor(
    private readonly paths: HomePaths,
    private content: LockContent,
  ) {}

  // Takes the lock, or throws DISPATCHER_RUNNING naming the dispatcher that holds it.
  // `onWait` is told when deciding needs watching another host's lock for `leaseMs`.
  // `limits` are its --limit flags, published in the lock.
  static async acquire(
    paths: HomePaths,
    leaseMs: number,
    onWait: (message: string) => void,
    limits?: ReadonlyMap<string, number>,
  ): Promise<DispatcherLock> {
    const file = lockPath(paths);
    const content: LockContent = {
      token: crypto.randomBytes(8).toString('hex'),
      host: hostName(),
      pid: process.pid,
      procStart: processStartTime(process.pid),
      startedAt: new Date().toISOString(),
      beat: 0,
      ...(limits === undefined || limits.size === 0 ? {} : {limits: Object.fromEntries(limits)}),
    };
    let unreadableSince: number | undefined;
    for (let round = 0; round < 1000; round++) {
      if (createExclusive(file, `${JSON.stringify(content)}\n`)) return new DispatcherLock(paths, content);
      const holder = readLock(paths);
      if (holder === undefined) {
        // Being written, or just removed: look again in a moment. A lock that stays unreadable
        // was left by a dispatcher killed while writing it, and is taken away.
        unreadableSince ??= performance.now();
        if (performance.now() - unreadableSince > UNREADABLE_LOCK_MS) {
          const aside = staleLockPath(paths, content.token);
          try {
            fs.renameSync(file, aside);
            unlinkIfPresent(aside);
          } catch {
            // someone else did
          }
          unreadableSince = undefined;
        }
        await delay(20);
        continue;
      }
      unreadableSince = undefined;
      const verdict = await judge(paths, holder, leaseMs, onWait);
      if (verdict === 'changed') continue;
      if (verdict === 'alive') {
        throw new FjdError(
          'DISPATCHER_RUNNING',
          `another dispatcher is working on this home: pid ${holder.pid} on ${holder.host}, since ${holder.startedAt}`,
          {
            path: file,
            hint: 'Only one dispatcher may act on a home at a time. Wait for it to finish, or stop it (Ctrl-C) first.',
          },
        );
      }
      // Take the stale lock away, unless someone else did so first.
      const now = readLock(paths);
      if (now?.token !== holder.token) continue;
      const aside = staleLockPath(paths, content.token);
      try {
        fs.renameSync(file, aside);
      } catch {
        continue;
      }
      unlinkIfPresent(aside);
    }
    throw new FjdError('DISPATCHER_RUNNING', 'could not take the dispatcher lock: it keeps changing hands', {
      path: file,
    });
  }

  // Renews the beat; throws DISPATCHER_LOCK_LOST if another dispatcher has taken over.
  renew(): void {
    const file = lockPath(this.paths);
    const holder = readLock(this.paths);
    if (holder !== undefined && holder.token !== this.content.token) {
      throw new FjdError(
        'DISPATCHER_LOCK_LOST',
        `another dispatcher took over this home (pid ${holder.pid} on ${holder.host})`,
        {
          path: file,
          hint: 'This dispatcher stops; the other one carries on. Nothing is lost.',
        },
      );
    }
    this.content = {...this.content, beat: this.content.beat + 1};
    writeFileAtomic(this.paths.tmp, file, `${JSON.stringify(this.content)}\n`);
  }

  // Notes why this dispatcher rescans instead of watching, for `fjd status`; written with
  // the next renewal (at the next rescan).
  notePolling(reason: string): void {
    this.content = {...this.content, polling: reason};
  }

  release(): void {
    const file = lockPath(this.paths);
    if (readLock(this.paths)?.token === this.content.token) unlinkIfPresent(file);
  }
}

// Whether the holder of a lock is alive, dead (stale lock), or the lock changed hands meanwhile.
async function judge(
  paths: HomePaths,
  holder: LockContent,
  leaseMs: number,
  onWait: (message: string) => void,
): Promise<'alive' | 'stale' | 'changed'> {
  if (holder.host === hostName()) return processLiveness(holder.pid, holder.procStart) === 'dead' ? 'stale' : 'alive';
  onWait(
    `a dispatcher of ${holder.host} (pid ${holder.pid}) holds this home; watching its lock for ${Math.round(leaseMs / 1000)} s to see whether it is alive`,
  );
  const started = performance.now();
  while (performance.now() - started < leaseMs) {
    await delay(Math.min(500, leaseMs / 4));
    const now = readLock(paths);
    if (now === undefined || now.token !== holder.token) return 'changed';
    if (now.beat !== holder.beat) return 'alive';
  }
  return 'stale';
}

// Takes the lock for a moment's work (such as `fjd cancel` withdrawing open jobs) if no live
// dispatcher holds it; never waits for another host's lock to go stale. Returns the lock, or
// undefined when a dispatcher holds it (or may: one on another host).
export async function tryDispatcherLock(paths: HomePaths): Promise<DispatcherLock | undefined> {
  const holder = readLock(paths);
  if (holder !== undefined && (holder.host !== hostName() || processLiveness(holder.pid, holder.procStart) !== 'dead'))
    return undefined;
  try {
    // A full lease: should another host's dispatcher take the lock in the meantime, it is
    // judged as any dispatcher would judge it, never taken from a live owner.
    return await DispatcherLock.acquire(paths, 30_000, () => undefined);
  } catch (error) {
    if (error instanceof FjdError && error.code === 'DISPATCHER_RUNNING') return undefined;
    throw error;
  }
}
