// The pod, .fjd/workers/W/pod/: which jobs a dispatcher has put in this worker's hands, and in
// what order it handed them out, the order they run in. Renaming a job into the pod sets its
// ctime, so that order survives whatever the names are; two handed out within one tick of the
// filesystem's clock are told apart by their records (the dispatcher's assignedAt is strictly
// increasing), and the name settles the rest.
import fs from 'node:fs';
import path from 'node:path';
import type {HomePaths} from '../home/layout.js';
import {listDir} from '../home/atomic.js';
import {podDir} from '../home/paths.js';
import {readRecord} from '../home/record.js';

// The jobs in one worker's pod, first handed out first. It remembers the ctime of each job it
// has seen, so that a look at a pod of many jobs costs one listing and a stat of each new one.
export class PodOrder {
  private readonly ctimeNs = new Map<string, bigint>();

  constructor(
    private readonly paths: HomePaths,
    private readonly workerId: string,
  ) {}

  jobs(): string[] {
    const pod = podDir(this.paths, this.workerId);
    const names = listDir(pod).filter((name) => !name.startsWith('.'));
    const known = this.ctimeNs;
    if (known.size > 0) {
      const present = new Set(names);
      for (const name of known.keys()) if (!present.has(name)) known.delete(name);
    }
    if (names.length < 2) return names;
    for (const name of names) {
      if (known.has(name)) continue;
      try {
        known.set(name, fs.lstatSync(path.join(pod, name), {bigint: true}).ctimeNs);
      } catch {
        known.set(name, 0n);
      }
    }
    return handOutOrder(names, known, (name) => readRecord(this.paths, name)?.assignedAt ?? '');
  }
}

// Sorts `names` (in place, and returns them) by ctime, then by `assignedAt` (read only for
// names whose ctimes tie, once each), then by name. A name with no ctime counts as the oldest.
export function handOutOrder(
  names: string[],
  ctimeNs: ReadonlyMap<string, bigint>,
  assignedAt: (name: string) => string,
): string[] {
  const assigned = new Map<string, string>();
  return names.sort((a, b) => {
    const d = (ctimeNs.get(a) ?? 0n) - (ctimeNs.get(b) ?? 0n);
    if (d !== 0n) return d < 0n ? -1 : 1;
    let x = assigned.get(a);
    if (x === undefined) assigned.set(a, (x = assignedAt(a)));
    let y = assigned.get(b);
    if (y === undefined) assigned.set(b, (y = assignedAt(b)));
    if (x !== y) return x < y ? -1 : 1;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}
