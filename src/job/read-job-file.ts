// Reading a job file that anyone able to write into the home might have put there. A shared
// home is a way to run code as its owner, so, as OpenSSH's StrictModes and cron do, a job
// file is only read if it is a regular file (not a symbolic link, FIFO or device), has one
// name (no hard link elsewhere), belongs to the user running the worker, and cannot be
// written by others (nor by its group, unless the home is meant to be group-shared).
// The checks are made on the open file itself, so the file cannot be swapped in between.
// One second name is forgiven: the scratch name of a `fjd submit` killed between publishing
// the job (link) and removing its scratch name (unlink). That name, `submit-…` in the home's
// .fjd/tmp/, is removed here, which finishes the interrupted submit.
import fs from 'node:fs';
import path from 'node:path';
import {FjdError, errnoCode} from '../errors.js';
import {isTransientFsError} from '../util/transient.js';
import {MAX_JOB_FILE_BYTES} from './job-file.js';

export interface ReadJobOptions {
  groupShared: boolean;
  // The home's .fjd/tmp/, where an interrupted submit may have left the job's scratch name.
  tmpDir?: string;
}

// The prefix of the scratch names `fjd submit` writes jobs under before publishing them.
export const SUBMIT_SCRATCH_PREFIX = 'submit-';

// Removes the scratch name an interrupted submit left for this file; true if there was one.
function finishInterruptedSubmit(stat: fs.Stats, tmpDir: string | undefined): boolean {
  if (tmpDir === undefined) return false;
  let names: string[];
  try {
    names = fs.readdirSync(tmpDir);
  } catch {
    return false;
  }
  for (const name of names) {
    if (!name.startsWith(SUBMIT_SCRATCH_PREFIX)) continue;
    const scratch = path.join(tmpDir, name);
    try {
      const other = fs.lstatSync(scratch);
      if (other.ino !== stat.ino || other.dev !== stat.dev) continue;
      fs.unlinkSync(scratch);
      return true;
    } catch {
      // gone meanwhile, or not ours to remove: keep looking
    }
  }
  return false;
}

// Reads an open file to its end, `size` bytes expected (its fstat): readFileSync(fd) would stat
// it again, a second round trip on NFS. A file that grew past the limit meanwhile is refused.
function readAll(fd: number, size: number): Buffer {
  let buffer = Buffer.allocUnsafe(size + 1);
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      if (length > MAX_JOB_FILE_BYTES) {
        throw new FjdError('JOB_TOO_LARGE', `the job file grew past the ${MAX_JOB_FILE_BYTES} bytes allowed`);
      }
      const larger = Buffer.allocUnsafe(Math.min(buffer.length * 2, MAX_JOB_FILE_BYTES + 1));
      buffer.copy(larger, 0, 0, length);
      buffer = larger;
    }
    const got = fs.readSync(fd, buffer, length, buffer.length - length, null);
    if (got === 0) return buffer.subarray(0, length);
    length += got;
  }
}

function mode(stat: fs.Stats): string {
  return `mode ${(stat.mode & 0o7777).toString(8).padStart(4, '0')}`;
}

export function readJobFile(file: string, options: ReadJobOptions): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ELOOP')
      throw new FjdError('JOB_NOT_REGULAR', 'the job file is a symbolic link; fjd runs only regular files');
    if (isTransientFsError(code)) throw error;
    throw new FjdError('JOB_UNREADABLE', `cannot read the job file (${code ?? String(error)})`, {cause: error});
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile())
      throw new FjdError('JOB_NOT_REGULAR', 'the job is not a regular file (a FIFO, socket or device)');
    const links = stat.nlink === 2 && finishInterruptedSubmit(stat, options.tmpDir) ? 1 : stat.nlink;
    if (links > 1) {
      throw new FjdError('JOB_UNTRUSTED', `the job file has ${links} hard links; fjd runs only files with one name`);
    }
    const uid = process.getuid?.();
    if (uid !== undefined && stat.uid !== uid) {
      throw new FjdError(
        'JOB_UNTRUSTED',
        `the job file belongs to uid ${stat.uid}, not to the worker's user (uid ${uid})`,
      );
    }
    if ((stat.mode & 0o002) !== 0) {
      throw new FjdError(
        'JOB_UNTRUSTED',
        `the job file is writable by others (${mode(stat)}); remove that with chmod o-w`,
      );
    }
    if ((stat.mode & 0o020) !== 0 && !options.groupShared) {
      throw new FjdError(
        'JOB_UNTRUSTED',
        `the job file is writable by its group (${mode(stat)}); remove that with chmod g-w, or start the workers with --group-shared`,
      );
    }
    if (stat.size > MAX_JOB_FILE_BYTES) {
      throw new FjdError(
        'JOB_TOO_LARGE',
        `the job file has ${stat.size} bytes, more than the ${MAX_JOB_FILE_BYTES} allowed`,
        {
          hint: 'Keep job files small: put large inputs in files that the job reads.',
        },
      );
    }
    try {
      return readAll(fd, stat.size);
    } catch (error) {
      if (isTransientFsError(errnoCode(error))) throw error;
      throw new FjdError('JOB_UNREADABLE', `cannot read the job file (${errnoCode(error) ?? String(error)})`, {
        cause: error,
      });
    }
  } finally {
    fs.closeSync(fd);
  }
}
