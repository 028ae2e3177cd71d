// Why a job that some worker could run waits all the same: no worker has that much free now
// ("needs 4 cpus; at most 2 are free on any worker"). Pure, beside unfittable() of
// job/resources.ts, which says why no worker could run it even idle.
import {formatRequest, shortfall, type Free, type Request} from '../job/resources.js';

// Why `request` fits none of `frees` (what is free on each worker that takes jobs), naming the
// first resource short and the most of it free on any one worker; undefined when one fits, or
// when there is no worker to judge by.
export function notFreeNow(request: Request, frees: readonly Free[]): string | undefined {
  if (frees.length === 0) return undefined;
  if (frees.some((free) => shortfall(request, free) === undefined)) return undefined;
  const most = (pick: (free: Free) => number): number => Math.max(0, ...frees.map(pick));
  const best: Free = {
    slots: most((free) => free.slots),
    cpus: most((free) => free.cpus),
    memoryBytes: frees.some((free) => free.memoryBytes === null) ? null : most((free) => free.memoryBytes ?? 0),
    gpus: most((free) => free.gpus),
  };
  const says = (what: string, have: string): string => {
    if (frees.length === 1) return `the only worker has ${have} free`;
    const one = what === 'memory' || have === '1';
    return `at most ${have} ${one ? 'is' : 'are'} free on any worker`;
  };
  // Each resource is free somewhere, but not all of it on one worker.
  return (
    shortfall(request, best, says) ?? `needs ${formatRequest(request)} on one worker; no worker has all of it free now`
  );
}
