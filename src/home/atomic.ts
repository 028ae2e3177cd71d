// The filesystem primitives every state change is built from. Only two are atomic on both
// local disks and NFS: rename(2) within one filesystem (which silently replaces its target)
// and link(2) (which fails with EEXIST when its target exists). Files become visible under
// their final name complete, and nothing that ends a job's life is ever overwritten.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {errnoCode} from '../errors.js';
import {MAX_ID_BYTES, numberedName} from './names.js';
import {crashPoint} from '../util/crash-point.js';

// A name for a scratch file that no other process on any host will choose: a random part
// drawn once per process, and a counter.
const scratchBase = `${process.pid}-${crypto.randomBytes(6).toString('hex')}`;
let scratchCounter = 0;
export function scratchName(prefix = 'w'): string {
  return `.${prefix}-${scratchBase}-${++scratchCounter}.tmp`;
}

// Writes `data` to `target` so that readers see the old content or the new, never a part:
// write to a scratch file in `tmpDir` (same filesystem), then rename over the target.
export function writeFileAtomic(tmpDir: string, target: string, data: string | Buffer): void {
  const scratch = path.join(tmpDir, scratchName());
  try {
    fs.writeFileSync(scratch, data, {mode: 0o600});
    fs.renameSync(scratch, target);
  } catch (error) {
    try {
      fs.unlinkSync(scratch);
    } catch {
      // the scratch file was never created, or is already gone
    }
    throw error;
  }
}

// Creates `target` with `data` only if no file of that name exists; returns false if one did.
// O_EXCL creation is a commit-once primitive on local disks and NFS v3+.
export function createExclusive(target: string, data: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(target, 'wx', 0o600);
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false;
    throw error;
  }
  crashPoint('create:opened');
  try {
    fs.writeSync(fd, data);
  } catch (error) {
    // Never leave a half-created reservation behind (a full disk, for instance).
    fs.closeSync(fd);
    unlinkIfPresent(target);
    throw error;
  }
  fs.closeSync(fd);
  return true;
}

const LINK_UNSUPPORTED = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK']);

// Gives `source` the name `target` unless that name is taken; returns false if it is.
// Uses link(2); where the filesystem has no hard links, reserves the name with O_EXCL and
// renames over the reservation. A failed link whose target now is our file (an NFS reply
// lost and retransmitted) counts as success.
function linkExclusive(source: fs.PathLike, target: string): boolean {
  try {
    fs.linkSync(source, target);
    return true;
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'EEXIST') {
      if (sameFile(source, target)) return true;
      return false;
    }
    if (code !== undefined && LINK_UNSUPPORTED.has(code)) {
      if (!createExclusive(target, '')) return false;
      fs.renameSync(source, target);
      return true;
    }
    throw error;
  }
}

// Gives `source` a second name in `dir`: `name`, or `stem~2.ext`, `stem~3.ext`… if that name is
// taken, never replacing an existing file. Returns the name it got. If `source` is already
// there (an earlier, interrupted move), that name is the answer. A numbered name has at most
// `maxBytes` (names.ts: an id's limit, or a job name's for jobqueue/). `source` may be bytes,
// for a file whose name is not UTF-8.
export function linkNoClobber(
  source: fs.PathLike,
  dir: string,
  name: string,
  firstNumber = 1,
  maxBytes = MAX_ID_BYTES,
): string {
  for (let n = firstNumber; ; n++) {
    const candidate = numberedName(name, n, maxBytes);
    if (linkExclusive(source, path.join(dir, candidate))) return candidate;
    if (n > 100000) throw new Error(`no free name for ${name} in ${dir}`);
  }
}

// Moves `source` into `dir` like linkNoClobber, then removes the old name. A crash in between
// leaves the file in both places (which a repeated call resolves), never in none.
export function moveNoClobber(
  source: string,
  dir: string,
  name: string,
  firstNumber = 1,
  maxBytes = MAX_ID_BYTES,
): string {
  const got = linkNoClobber(source, dir, name, firstNumber, maxBytes);
  unlinkIfPresent(source);
  return got;
}

// Whether two paths name the same file.
export function sameFile(a: fs.PathLike, b: fs.PathLike): boolean {
  try {
    const sa = fs.lstatSync(a);
    const sb = fs.lstatSync(b);
    return sa.ino === sb.ino && sa.dev === sb.dev;
  } catch {
    return false;
  }
}

// Overwrites a small file in place, allocating nothing new when it exists: what a heartbeat
// needs, since it must go on beating when the disk is full. Readers only compare contents.
export function overwriteInPlace(file: string, data: string): void {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r+');
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
    fd = fs.openSync(file, 'w', 0o600);
  }
  try {
    fs.writeSync(fd, data, 0);
  } finally {
    fs.closeSync(fd);
  }
}

// Reads and parses a JSON file; undefined if it is missing or not (yet) valid JSON.
export function readJson<T>(file: string): T | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

// Reads a JSON file that read short or unparsable once more, through a new name (a hard link
// in `tmpDir`). A mount that caches attributes without close-to-open consistency (FUSE with
// attr_timeout, NFS mounted nocto) keeps the old size of a file that another host replaced,
// and cuts its content there until the cache expires; a name never looked up before is
// looked up afresh. undefined when the file is gone, or still not whole JSON.
export function readJsonAfresh<T>(tmpDir: string, file: string): T | undefined {
  const alias = path.join(tmpDir, scratchName('r'));
  try {
    fs.linkSync(file, alias);
  } catch {
    return undefined;
  }
  try {
    return readJson<T>(alias);
  } finally {
    unlinkIfPresent(alias);
  }
}

// Removes a file, ignoring that it is already gone.
export function unlinkIfPresent(file: fs.PathLike): boolean {
  try {
    fs.unlinkSync(file);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return false;
    throw error;
  }
}

// Whether a directory entry of this name is there (of any type; a symbolic link is not followed).
export function entryExists(file: fs.PathLike): boolean {
  try {
    fs.lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

// Lists a directory, treating a missing one as empty.
export function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return [];
    throw error;
  }
}
