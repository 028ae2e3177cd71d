// A job's output files as the dashboard shows them: named by the job's id alone, never by a
// path. An id that could step out of .fjd/output/ ('..', a slash, encoded or not, a NUL),
// that is no job of this home (it has no record), or whose file is not a regular file (a
// symbolic link, a directory) is not found.
import fs from 'node:fs';
import type {HomePaths} from '../home/layout.js';
import {stderrPath, stdoutPath} from '../home/paths.js';
import {readRecord, type JobRecord} from '../home/record.js';

// The most of a file's end read, and the lines of it shown.
const TAIL_BYTES = 64 * 1024;
export const TAIL_LINES = 200;

// The id given in a URL's path segment (still percent-encoded), if it can be one.
export function idFrom(segment: string): string | undefined {
  let id: string;
  try {
    id = decodeURIComponent(segment);
  } catch {
    return undefined;
  }
  if (id === '' || id.startsWith('.') || /[/\\\0]/.test(id)) return undefined;
  return id;
}

// The record of the job of this id, if the home has it.
export function jobRecord(paths: HomePaths, id: string): JobRecord | undefined {
  const record = readRecord(paths, id);
  return record?.id === id ? record : undefined;
}

// The last lines of one attempt's stdout or stderr (the last attempt without `attempt`), or
// undefined when that is no regular file of the job.
export function outputTail(
  paths: HomePaths,
  record: JobRecord,
  stream: 'stdout' | 'stderr',
  attempt?: number,
): string | undefined {
  const which = attempt ?? record.attempts.at(-1)?.attempt ?? 1;
  const file = (stream === 'stdout' ? stdoutPath : stderrPath)(paths, record.id, which);
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) return undefined;
    const length = Math.min(stat.size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    const read = fs.readSync(fd, buffer, 0, length, stat.size - length);
    const lines = buffer.subarray(0, read).toString('utf8').split('\n');
    if (length < stat.size) lines.shift();
    return lines.slice(-TAIL_LINES - 1).join('\n');
  } finally {
    fs.closeSync(fd);
  }
}
