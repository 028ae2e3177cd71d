// Handing jobs to a worker the way a dispatcher does, with files alone: the record first
// (state assigned, with the job's request), then the job file renamed into the worker's pod.
// For tests of a worker without a dispatcher deciding what goes where.
import fs from 'node:fs';
import path from 'node:path';
import {newRecord} from '../../src/home/record.js';
import {DEFAULT_REQUEST, type Request} from '../../src/job/resources.js';
import {waitUntil} from './wait.js';

let handedOut = 0;

export function handOut(home: string, worker: string, name: string, text: string, request?: Partial<Request>): void {
  const records = path.join(home, '.fjd', 'records');
  fs.mkdirSync(records, {recursive: true});
  const assignedAt = new Date(Date.now() + handedOut++).toISOString();
  const record = {
    ...newRecord(name, name),
    state: 'assigned',
    assignedAt,
    worker,
    request: request === undefined ? null : {...DEFAULT_REQUEST, ...request},
  };
  fs.writeFileSync(path.join(records, `${name}.json`), `${JSON.stringify(record)}\n`);
  const staged = path.join(home, '.fjd', 'tmp', `hand-out-${name}`);
  fs.mkdirSync(path.dirname(staged), {recursive: true});
  fs.writeFileSync(staged, text);
  fs.renameSync(staged, path.join(home, '.fjd', 'workers', worker, 'pod', name));
}

// The id of the one worker that has announced itself in `home`.
export async function announcedWorker(home: string): Promise<string> {
  const queue = path.join(home, 'workerqueue');
  let id: string | undefined;
  await waitUntil(
    () => {
      id = fs.existsSync(queue) ? fs.readdirSync(queue).find((name) => !name.startsWith('.')) : undefined;
      return id !== undefined;
    },
    15_000,
    'a worker to announce itself',
  );
  return id ?? '';
}

// One job's marks (test/fixtures/slot-mark.sh): when it started and ended, and what it saw.
export interface Marks {
  start: number;
  end: number | undefined;
  seen: Record<string, string>;
}

export function readMarks(home: string): Map<string, Marks> {
  const marks = new Map<string, Marks>();
  const file = path.join(home, 'marks.txt');
  if (!fs.existsSync(file)) return marks;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const [name, what, at, ...rest] = line.split(' ');
    if (name === undefined || at === undefined) continue;
    const time = Number(BigInt(at) / 1_000_000n);
    if (what === 'start') {
      const seen = Object.fromEntries(rest.map((pair) => pair.split('=') as [string, string]));
      marks.set(name, {start: time, end: undefined, seen});
    } else if (what === 'end') {
      const mark = marks.get(name);
      if (mark !== undefined) mark.end = time;
    }
  }
  return marks;
}

// The most of `weight` that the jobs of `marks` held at any one moment.
export function peak(marks: Map<string, Marks>, weight: (name: string) => number): number {
  const events: [number, number][] = [];
  for (const [name, mark] of marks) {
    events.push([mark.start, weight(name)], [mark.end ?? Infinity, -weight(name)]);
  }
  // Ends before starts at the same moment: a slot freed and taken again is not an overlap.
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  for (const [, delta] of events) most = Math.max(most, (now += delta));
  return most;
}
