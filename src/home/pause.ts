// Holding the queue: while .fjd/paused is there, no dispatcher hands out a job, on any host;
// jobs already handed out run on. `fjd pause` writes the file (atomically: a reader sees it
// whole or not at all) and `fjd resume` removes it. A file, not a message to one dispatcher,
// so that every dispatcher sees it, one started later too, and a pause outlives them all.
// A dispatcher looks with one stat per rescan (pauseStamp), and reads the note only when
// that stat changes; its watch of .fjd/ tells it sooner of a pause made on its own host.
import fs from 'node:fs';
import type {HomePaths} from './layout.js';
import {readJson, unlinkIfPresent, writeFileAtomic} from './atomic.js';
import {pausePath} from './paths.js';
import {hostName} from '../util/host.js';

// What the pause file says: when and by whom (host:pid) the queue was paused.
export interface PauseNote {
  pausedAt: string;
  by: string;
}

// Pauses the queue; `already`: it was paused (the note says since when), and is left so.
export function pauseQueue(paths: HomePaths, now = new Date()): {note: PauseNote; already: boolean} {
  const there = readPause(paths);
  if (there !== undefined) return {note: there, already: true};
  const note: PauseNote = {pausedAt: now.toISOString(), by: `${hostName()}:${process.pid}`};
  writeFileAtomic(paths.tmp, pausePath(paths), `${JSON.stringify(note)}\n`);
  return {note, already: false};
}

// Resumes the queue: what the removed note said, or undefined when it was not paused.
export function resumeQueue(paths: HomePaths): PauseNote | undefined {
  const note = readPause(paths);
  const removed = unlinkIfPresent(pausePath(paths));
  if (!removed) return undefined;
  return note ?? {pausedAt: '', by: ''};
}

// Whether the queue is paused, and by whom: undefined when not. A file there that cannot be
// read as a note (written by hand: `touch .fjd/paused`) still pauses, with an empty note.
export function readPause(paths: HomePaths): PauseNote | undefined {
  const file = pausePath(paths);
  const note = readJson<Partial<PauseNote>>(file);
  if (note === undefined && !fs.existsSync(file)) return undefined;
  return {
    pausedAt: typeof note?.pausedAt === 'string' ? note.pausedAt : '',
    by: typeof note?.by === 'string' ? note.by : '',
  };
}

// One stat of the pause file: its inode and mtime while it is there, undefined when not. Two
// equal stamps mean nothing changed; a dispatcher reads the note only when its stamp changes.
export function pauseStamp(paths: HomePaths): string | undefined {
  const stat = fs.statSync(pausePath(paths), {throwIfNoEntry: false});
  return stat === undefined ? undefined : `${stat.ino}:${stat.mtimeMs}`;
}
