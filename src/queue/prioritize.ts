// `fjd prioritize JOB P`: a new priority for an open job, without touching its file, as an
// override the dispatcher reads with the job's file (src/home/priority.ts).
import fs from 'node:fs';
import path from 'node:path';
import {FjdError} from '../errors.js';
import type {HomePaths} from '../home/layout.js';
import {writePriorityOverride} from '../home/priority.js';

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
  writePriorityOverride(paths, name, ino, priority);
}
