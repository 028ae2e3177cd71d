// Entries of jobqueue/ that can never be jobs, and how they leave it: a socket, a device or a
// FIFO, a file nobody can open, a name too long to derive an id from, a name that is not UTF-8.
// Each goes to failed/ with a record that says why, so that one odd entry costs at most itself.
// Only the holder of the dispatcher lock refuses entries (it alone moves files out of
// jobqueue/). The steps, each repeatable after a crash, as a cancel's (cancel-requests.ts):
//   1. reserve an id with the final record (state failed, the reason, the file's place);
//   2. link the entry into failed/ under that id (never over another file);
//   3. unlink it from jobqueue/.
// A crash after 1 leaves a record whose file is not in failed/ yet: refusing the entry again
// finds it by its name and reason, and carries on from there.
//
// Names that are not UTF-8 come out of a listing as strings that no longer name the file, so
// such an entry is handled by its bytes (a Buffer path), and its id is the name with each byte
// that is not UTF-8 written as %XX (names.ts, recordableName).
import fs from 'node:fs';
import path from 'node:path';
import type {HomePaths} from './layout.js';
import {entryExists as exists, linkNoClobber, sameFile, unlinkIfPresent} from './atomic.js';
import {idStem, isIgnoredName, isUtf8Name, jobNameProblem, recordableName} from './names.js';
import {endedFile} from './paths.js';
import {newRecord, reserveRecord, writeRecord, type JobRecord} from './record.js';

export interface RefusedEntry {
  id: string;
  // The name it had in jobqueue/, as text (escaped where it was not UTF-8).
  name: string;
  reason: string;
  // Where it is now, relative to the home.
  file: string;
}

// An entry of jobqueue/ to refuse: its name as listed (bytes where it is not UTF-8).
export interface OddEntry {
  raw: Buffer;
  // The name as a listing of text shows it (Node puts U+FFFD for bytes that are not UTF-8).
  listedAs: string;
  reason: string;
}

// Why an entry of this type cannot be a job, or undefined when it may be one. A directory is
// not refused here (it is no job file at all and is left alone); a symbolic link is failed by
// the worker with its own reason.
export function notAJobReason(stat: fs.Stats): string | undefined {
  if (stat.isFile() || stat.isDirectory() || stat.isSymbolicLink()) return undefined;
  const kind = stat.isSocket()
    ? 'a socket'
    : stat.isFIFO()
      ? 'a FIFO'
      : stat.isCharacterDevice()
        ? 'a character device'
        : stat.isBlockDevice()
          ? 'a block device'
          : 'of an unknown type';
  return `the job is not a regular file (${kind}); fjd runs only regular files`;
}

// The entries of jobqueue/ whose names cannot be jobs' names, from a listing as text: names
// too long, and (listed again as bytes, only when some name shows the replacement character
// U+FFFD that Node puts for bytes that are not UTF-8) names that are not UTF-8. Ignored names
// (hidden, being written) are left out.
export function oddNames(dir: string, names: readonly string[]): OddEntry[] {
  const odd: OddEntry[] = [];
  let lossy = false;
  for (const name of names) {
    if (name.includes('\uFFFD')) lossy = true;
    else if (!isIgnoredName(name)) {
      const problem = jobNameProblem(name);
      if (problem !== undefined) odd.push({raw: Buffer.from(name), listedAs: name, reason: problem});
    }
  }
  if (!lossy) return odd;
  let raws: Buffer[];
  try {
    raws = fs.readdirSync(dir, {encoding: 'buffer'});
  } catch {
    return odd;
  }
  for (const raw of raws) {
    const text = raw.toString('utf8');
    if (!text.includes('\uFFFD') || isIgnoredName(text)) continue;
    if (isUtf8Name(raw)) {
      const problem = jobNameProblem(text);
      if (problem !== undefined) odd.push({raw, listedAs: text, reason: problem});
    } else {
      odd.push({
        raw,
        listedAs: text,
        reason: "the job's name is not valid UTF-8 (its id has %XX for each byte that is not)",
      });
    }
  }
  return odd;
}

// Whether a name from a listing as text is one that oddNames deals with: too long, or not
// really the file's name.
export function isOddName(name: string): boolean {
  return name.includes('\uFFFD') || jobNameProblem(name) !== undefined;
}

// Moves jobqueue/NAME (bytes, or text) into failed/ with a record giving `reason`, in the
// steps above. Names that cannot be ids are given one that can (recordableName); the record
// keeps the name as it was, where it is text. Returns undefined when the entry is gone.
export function refuseEntry(paths: HomePaths, entry: Buffer | string, reason: string): RefusedEntry | undefined {
  const raw = typeof entry === 'string' ? Buffer.from(entry) : entry;
  const text = raw.toString('utf8');
  const base = isUtf8Name(raw) ? idStem(text) : recordableName(raw);
  // The record keeps the name the job was dropped under, when it is text.
  const name = isUtf8Name(raw) ? text : base;
  const source = Buffer.concat([Buffer.from(`${paths.jobqueue}${path.sep}`), raw]);
  if (!exists(source)) return undefined;
  const record = reserve(paths, source, name, base, reason);
  const planned = path.join(paths.root, record.file ?? endedFile('failed', record.id));
  if (!sameFile(source, planned)) {
    const got = linkNoClobber(source, paths.failed, record.id);
    if (endedFile('failed', got) !== record.file) {
      record.file = endedFile('failed', got);
      writeRecord(paths, record);
    }
  }
  unlinkIfPresent(source);
  return {id: record.id, name, reason: record.reason ?? reason, file: record.file ?? endedFile('failed', record.id)};
}

// Reserves an id from `base` (`base`, then `base~2`…) with the final record, or takes over the
// one an interrupted refusal of this entry reserved.
function reserve(paths: HomePaths, source: Buffer, name: string, base: string, reason: string): JobRecord {
  const endedAt = new Date().toISOString();
  const interrupted = (existing: JobRecord): boolean => {
    if (existing.name !== name || existing.state !== 'failed' || existing.reason !== reason || existing.file === null)
      return false;
    const there = path.join(paths.root, existing.file);
    return !exists(there) || sameFile(source, there);
  };
  return reserveRecord(
    paths,
    base,
    1,
    (id): JobRecord => ({...newRecord(id, name), state: 'failed', reason, endedAt, file: endedFile('failed', id)}),
    (existing) => (interrupted(existing) ? existing : undefined),
  );
}
