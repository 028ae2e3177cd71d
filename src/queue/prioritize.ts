// `fjd prioritize JOB P`: a new priority for an open job, without touching its file. It is
// kept in .fjd/priority/NAME with the inode of the job file it is meant for, so that it never
// applies to a later job of the same name; the dispatcher reads it with the job's file, and
// removes it when it hands the job out.
import fs from 'node:fs';
import path from 'node:path';
import {FjdError} from '../errors.js';
import type {HomePaths} from '../home/layout.js';
import {readJson, unlinkIfPresent, writeFileAtomic} from '../home/atomic.js';

interface PriorityOverride {
  priority: number;
  ino: number;
  setAt: string;
}

export function priorityOverridePath(dir: string, name: string): string {
  return path.join(dir, name);
}

// The priority set for the job file `name` with inode `ino`, if any.
export function priorityOverride(dir: string, name: string, ino: number): number | undefined {
  const override = readJson<PriorityOverride>(priorityOverridePath(dir, name));
  return override !== undefined && override.ino === ino && Number.isInteger(override.priority) ? override.priority : undefined;
}

export function dropPriorityOverride(dir: string, name: string): void {
  unlinkIfPresent(priorityOverridePath(dir, name));
}

// Sets the priority of the open job jobqueue/NAME.
export function prioritize(paths: HomePaths, name: string, priority: number): void {
  let ino: number;
  try {
    ino = fs.statSync(path.join(paths.jobqueue, name)).ino;
  } catch {
    throw new FjdError('JOB_NOT_FOUND', `${name} is not waiting in jobqueue/: only open jobs can be given a priority`, {
      hint: 'fjd status lists the open jobs.',
    });
  }
  fs.mkdirSync(paths.priority, {recursive: true, mode: 0o700});
  const override: PriorityOverride = {priority, ino, setAt: new Date().toISOString()};
  writeFileAtomic(paths.tmp, priorityOverridePath(paths.priority, name), `${JSON.stringify(override)}\n`);
}
