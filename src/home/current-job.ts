// Which job a worker is running: .fjd/workers/W/current, rewritten in place before every
// attempt starts (so it costs no new file per job). It is what tells, after the worker died,
// that its job had started and must count as an attempt, and what `fjd status` reports as
// running. A job in a pod that `current` does not name has not started.
import fs from 'node:fs';
import type {HomePaths} from './layout.js';
import {readJson} from './atomic.js';
import {currentJobPath} from './paths.js';

export interface CurrentJob {
  id: string;
  attempt: number;
  startedAt: string;
}

export function writeCurrentJob(paths: HomePaths, workerId: string, current: CurrentJob): void {
  const file = currentJobPath(paths, workerId);
  const data = Buffer.from(`${JSON.stringify(current)}\n`);
  let fd: number;
  try {
    fd = fs.openSync(file, 'r+');
  } catch {
    fd = fs.openSync(file, 'w', 0o600);
  }
  try {
    fs.writeSync(fd, data, 0, data.length, 0);
    fs.ftruncateSync(fd, data.length);
  } finally {
    fs.closeSync(fd);
  }
}

export function readCurrentJob(paths: HomePaths, workerId: string): CurrentJob | undefined {
  return readJson<CurrentJob>(currentJobPath(paths, workerId));
}
