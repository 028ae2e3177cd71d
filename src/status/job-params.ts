// A job's own parameters, for a report: the `[params]` section of its job file as the job
// reads it with configparser (keys lower-cased, [DEFAULT] keys included, %(x)s interpolated).
// The file is only read, never run, so it needs none of the worker's checks of who wrote it;
// it is opened without following a link and read only if it is a regular file of at most the
// size a job file may have.
import fs from 'node:fs';
import {errnoCode} from '../errors.js';
import {decodeJobText, MAX_JOB_FILE_BYTES, parseIni} from '../job/job-file.js';
import {sectionValues} from '../job/ini.js';

export const PARAMS_SECTION = 'params';

export type ParamsRead = {params: Map<string, string>; problem?: undefined} | {params: undefined; problem: string};

function readText(file: string): string {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new Error('it is not a regular file');
    if (stat.size > MAX_JOB_FILE_BYTES) throw new Error(`it has ${stat.size} bytes, more than a job file may have`);
    const buffer = Buffer.alloc(stat.size);
    let length = 0;
    while (length < buffer.length) {
      const got = fs.readSync(fd, buffer, length, buffer.length - length, null);
      if (got === 0) break;
      length += got;
    }
    return decodeJobText(buffer.subarray(0, length));
  } finally {
    fs.closeSync(fd);
  }
}

// The [params] of the job file at `file` (empty when it has none), or why they cannot be read.
export function readParams(file: string): ParamsRead {
  try {
    const document = parseIni(readText(file));
    const section = document.sections.get(PARAMS_SECTION);
    if (section === undefined) return {params: new Map()};
    return {params: sectionValues(section, document.defaults)};
  } catch (error) {
    const code = errnoCode(error);
    const message = error instanceof Error ? error.message : String(error);
    return {params: undefined, problem: code === undefined ? message : `cannot read it (${code})`};
  }
}
