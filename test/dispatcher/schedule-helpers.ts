// What the scheduling tests (order, limits, dependencies) share: jobs that note their start
// and end in the home's marks.txt (test/fixtures/mark.sh), dropped one submission time apart,
// and what the marks say: the order jobs started in, how many of a set ran at once.
import fs from 'node:fs';
import path from 'node:path';
import type {TestHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {waitUntil} from '../helpers/wait.js';

export interface Mark {
  name: string;
  kind: 'start' | 'end';
  ns: bigint;
}

export function marks(home: TestHome): Mark[] {
  let text = '';
  try {
    text = home.read('marks.txt');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [name = '', kind = '', ns = '0'] = line.split(' ');
      return {name, kind: kind as Mark['kind'], ns: BigInt(ns)};
    });
}

// Drops a job, then waits until the filesystem's clock (which moves in ticks of a few ms) has
// moved past its ctime, so that each job has its own submission time.
export function dropInTurn(home: TestHome, name: string, text: string): void {
  const file = home.job(name, text);
  const submitted = fs.statSync(file, {bigint: true}).ctimeNs;
  const probe = path.join(home.dir, '.clock');
  for (let tries = 0; tries < 100_000; tries++) {
    fs.writeFileSync(probe, '');
    if (fs.statSync(probe, {bigint: true}).ctimeNs > submitted) return;
  }
  throw new Error('the filesystem clock did not move');
}

// Until the filesystem's clock is more than the dispatcher's settle time (1 s) past the jobs
// dropped so far.
export async function settled(home: TestHome): Promise<void> {
  const newest = Math.max(
    ...home.ls('jobqueue').map((name) => fs.statSync(path.join(home.dir, 'jobqueue', name)).mtimeMs),
  );
  const probe = path.join(home.dir, '.clock');
  await waitUntil(
    () => {
      fs.writeFileSync(probe, '');
      return fs.statSync(probe).mtimeMs - newest > 1100;
    },
    10_000,
    'the jobs to be older than the settle time',
  );
}

export const startOrder = (home: TestHome): string[] =>
  marks(home)
    .filter((m) => m.kind === 'start')
    .map((m) => m.name);

// The most jobs of `names` that ran at the same moment, from their markers.
export function mostAtOnce(home: TestHome, names: Set<string>): number {
  const events = marks(home)
    .filter((m) => names.has(m.name))
    .sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : a.kind === 'end' ? -1 : 1));
  let now = 0;
  let most = 0;
  for (const event of events) {
    now += event.kind === 'start' ? 1 : -1;
    most = Math.max(most, now);
  }
  return most;
}

// A job that notes its start and end, holding for `seconds`, exiting with `code`.
export function markJob(control: Record<string, string | number> = {}, seconds = '-', code = 0): string {
  const lines = Object.entries(control).map(([key, value]) => `${key} = ${value}`);
  return `[control]\nexecutable = ${fixture('mark.sh')} ${seconds} ${code}\npass_job_file = no\n${lines.join('\n')}\n`;
}
