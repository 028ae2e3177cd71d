// Priority overrides: a priority set with `fjd prioritize` for an open job, without touching its
// file. It is kept in .fjd/priority/NAME with the inode of the job file it is meant for, so that
// it never applies to a later job of the same name; the dispatcher reads it with the job's file
// (dispatcher/ready-queue.ts), and removes it when it hands the job out.
import fs from 'node:fs';
import type {HomePaths} from './layout.js';
import {readJson, unlinkIfPresent, writeFileAtomic} from './atomic.js';
import {priorityPath} from './paths.js';

interface PriorityOverride {
  priority: number;
  ino: number;
  setAt: string;
}

// The priority set for the job file `name` with inode `ino`, if any.
export function priorityOverride(paths: HomePaths, name: string, ino: number): number | undefined {
  const override = readJson<PriorityOverride>(priorityPath(paths, name));
  return override !== undefined && override.ino === ino && Number.isInteger(override.priority)
    ? override.priority
    : undefined;
}

// Sets the priority of the job file jobqueue/NAME, whose inode is `ino`.
export function writePriorityOverride(paths: HomePaths, name: string, ino: number, priority: number): void {
  fs.mkdirSync(paths.priority, {recursive: true, mode: 0o700});
  const override: PriorityOverride = {priority, ino, setAt: new Date().toISOString()};
  writeFileAtomic(paths.tmp, priorityPath(paths, name), `${JSON.stringify(override)}\n`);
}

export function dropPriorityOverride(paths: HomePaths, name: string): void {
  unlinkIfPresent(priorityPath(paths, name));
}
