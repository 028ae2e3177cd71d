// The ready queue: the open jobs that may be handed out, in the order they go. A job runs by its
// [control] priority (higher first), then by its submission time (first in, first out), then
// by name. The submission time is the job file's ctime in jobqueue/: set when the file appears
// there (by rename or link), by the file server's clock, and kept by the file itself across
// dispatcher restarts. What holds a job back (its group's limit, its dependencies) the gate
// decides (gate.ts) when the job comes first in line. What the order is taken from, a job
// file's scheduling keys, src/home/job-meta.ts reads.
import type {JobMeta} from '../home/job-meta.js';

// Whether a should be handed out before b.
function before(a: JobMeta, b: JobMeta): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  if (a.submittedMs !== b.submittedMs) return a.submittedMs < b.submittedMs;
  if (a.seq !== b.seq) return a.seq < b.seq;
  return a.name < b.name;
}

// A binary heap of open jobs in the order above. An entry whose job was put in line again
// since (re-prioritised) is stale and skipped: only the newest JobMeta of a name counts.
export class ReadyQueue {
  private heap: JobMeta[] = [];
  private readonly current = new Map<string, JobMeta>();

  get size(): number {
    return this.current.size;
  }

  has(name: string): boolean {
    return this.current.has(name);
  }

  meta(name: string): JobMeta | undefined {
    return this.current.get(name);
  }

  // Adds a job, or puts it in line again with what its file says now.
  push(meta: JobMeta): void {
    const known = this.current.get(meta.name);
    if (known === meta) return;
    meta.version = (known?.version ?? 0) + 1;
    this.current.set(meta.name, meta);
    this.insert(meta);
  }

  // Removes and returns the first job in line.
  pop(): JobMeta | undefined {
    for (;;) {
      const top = this.heap[0];
      if (top === undefined) return undefined;
      this.removeTop();
      if (this.current.get(top.name) !== top) continue;
      this.current.delete(top.name);
      return top;
    }
  }

  private insert(meta: JobMeta): void {
    const heap = this.heap;
    heap.push(meta);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent];
      if (p === undefined || !before(meta, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = meta;
  }

  private removeTop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    const n = heap.length;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let best = -1;
      let bestEntry = last;
      const l = left < n ? heap[left] : undefined;
      if (l !== undefined && before(l, bestEntry)) {
        best = left;
        bestEntry = l;
      }
      const r = right < n ? heap[right] : undefined;
      if (r !== undefined && before(r, bestEntry)) {
        best = right;
        bestEntry = r;
      }
      if (best < 0) break;
      heap[i] = bestEntry;
      i = best;
    }
    heap[i] = last;
  }
}
