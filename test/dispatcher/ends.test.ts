// How a rescan learns that jobs have left their worker, driven directly over a temporary home:
// from one listing of each busy worker's pod, reading only the records of the jobs gone from
// it (not one record per job handed out, which at 1,024 slots would be 1,024 reads a rescan).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, expect, it, vi} from 'vitest';
import {makeParts} from '../../src/dispatcher/parts.js';
import {ensureHome} from '../../src/home/layout.js';
import {infoPath, podDir, workerDir} from '../../src/home/paths.js';
import {assignJob, leavePod} from '../../src/home/transitions.js';
import {hostName, processStartTime} from '../../src/util/host.js';

const roots: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const root of roots.splice(0)) fs.rmSync(root, {recursive: true, force: true});
});

// A home with worker w1 (4 slots) holding the jobs `names`, handed out, and the dispatcher's
// parts over it; `records` gathers the names of the records read from then on.
function busyHome(names: string[]): {
  paths: ReturnType<typeof ensureHome>;
  parts: ReturnType<typeof makeParts>;
  worker: string;
  ids: string[];
  reads: string[];
  end(id: string, durationMs?: number): void;
} {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fjd-ends-'));
  roots.push(root);
  const paths = ensureHome(path.join(root, 'home'));
  const worker = 'w1';
  fs.mkdirSync(podDir(paths, worker), {recursive: true});
  const info = {fjd: 1, id: worker, host: hostName(), pid: process.pid, procStart: processStartTime(process.pid)};
  fs.writeFileSync(
    infoPath(paths, worker),
    JSON.stringify({...info, heartbeatMs: 5000, capacity: {slots: 4, cpus: 4, memoryBytes: null, gpus: []}}),
  );
  const ids: string[] = [];
  for (const name of names) {
    fs.writeFileSync(path.join(paths.jobqueue, name), '[control]\nexecutable = true\n');
    const assignment = assignJob(paths, name, worker, hostName());
    if (assignment === undefined) throw new Error(`${name} was not assigned`);
    ids.push(assignment.id);
  }
  const parts = makeParts(
    paths,
    {home: paths.root, watch: true, rescanMs: 1000, leaseMs: 30_000},
    {
      run: (action) => action(),
      pump: () => undefined,
      maybeFinish: () => undefined,
      emit: () => undefined,
      look: () => true,
      watching: () => true,
    },
  );
  parts.pool.load();
  // The worker ends a job as it does: its record written, the file out of the pod.
  const end = (id: string, durationMs = 5): void => {
    const record = JSON.parse(fs.readFileSync(path.join(paths.records, `${id}.json`), 'utf8'));
    leavePod(paths, podDir(paths, worker), {...record, state: 'finished', exitCode: 0, durationMs});
  };
  const reads: string[] = [];
  const readFileSync = fs.readFileSync.bind(fs);
  vi.spyOn(fs, 'readFileSync').mockImplementation(((file: fs.PathOrFileDescriptor, options?: unknown) => {
    if (String(file).startsWith(paths.records)) reads.push(path.basename(String(file)));
    return readFileSync(file, options as BufferEncoding);
  }) as typeof fs.readFileSync);
  return {paths, parts, worker, ids, reads, end};
}

it('a rescan lists each busy pod once and reads the records of the jobs gone from it alone', () => {
  const {paths, parts, worker, reads, end} = busyHome(['a', 'b', 'c', 'd']);
  expect(parts.pool.handedOut()).toBe(4);
  end('a');
  end('c');
  reads.length = 0;
  parts.ends.settleFromPods();
  expect(reads.sort()).toEqual(['a.json', 'c.json']);
  expect(parts.ledger.summary.finished).toBe(2);
  expect(parts.pool.handedOut()).toBe(2);
  expect([...(parts.pool.get(worker)?.inflight.keys() ?? [])].sort()).toEqual(['b', 'd']);
  // What the two left free again: 2 of its 4 cpus are with b and d.
  expect(parts.pool.get(worker)?.free).toMatchObject({slots: 2, cpus: 2});
  expect(fs.existsSync(workerDir(paths, worker))).toBe(true);
});

it('a job seen landing in done/ has finished: its record is not read when its record comes', () => {
  const {parts, worker, reads, end} = busyHome(['a', 'b']);
  for (const id of ['a', 'b']) parts.landings.handedOut(id);
  end('a');
  reads.length = 0;
  // The event of done/a, then (a turn later) that of its record.
  parts.landings.onEvent('a');
  expect(parts.ends.recordChanged('a.json')).toBe(true);
  expect(reads).toEqual([]);
  expect(parts.ledger.summary.finished).toBe(1);
  expect([...(parts.pool.get(worker)?.inflight.keys() ?? [])]).toEqual(['b']);
  // A short job: its worker takes one in advance, as when the record said how long it ran.
  expect(parts.pool.get(worker)?.lastDurationMs).toBeLessThan(1000);
  // A job whose landing was not seen is settled from its record, as before.
  end('b');
  reads.length = 0;
  expect(parts.ends.recordChanged('b.json')).toBe(true);
  expect(reads).toEqual(['b.json']);
  expect(parts.ledger.summary.finished).toBe(2);
});

it('a job that landed a second or more after its hand-out has its record read for how long it ran', () => {
  const {parts, worker, reads, end} = busyHome(['a']);
  const now = vi.spyOn(performance, 'now').mockReturnValue(10_000);
  parts.landings.handedOut('a');
  end('a', 300);
  reads.length = 0;
  now.mockReturnValue(11_500);
  parts.landings.onEvent('a');
  parts.ends.recordChanged('a.json');
  expect(reads).toEqual(['a.json']);
  expect(parts.ledger.summary.finished).toBe(1);
  expect(parts.pool.get(worker)?.lastDurationMs).toBe(300);
});
