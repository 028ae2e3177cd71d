// Publishing jobs in jobqueue/ so that nobody ever sees half a job and no queued job is
// replaced. Each job is written complete under a scratch name in .fjd/tmp/ (O_EXCL), given
// its name in jobqueue/ by link(2), which fails rather than replace a file of that name (the
// next numbered name is tried then: `sim~2`), and its scratch name is removed. A submit
// killed between link and unlink leaves a job with two names; the worker that reads it
// recognises the scratch name (src/job/read-job-file.ts) and finishes the submit.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {ioError} from '../errors.js';
import {linkNoClobber, unlinkIfPresent} from '../home/atomic.js';
import type {HomePaths} from '../home/layout.js';
import {MAX_JOB_NAME_BYTES} from '../home/names.js';
import {SUBMIT_SCRATCH_PREFIX} from '../job/read-job-file.js';
import {crashPoint} from '../util/crash-point.js';
import {jobText, type JobSpec} from './job-text.js';

const scratchBase = `${SUBMIT_SCRATCH_PREFIX}${process.pid}-${crypto.randomBytes(6).toString('hex')}`;
let scratchCounter = 0;

// Writes every job, checked first so that a bad one publishes none; returns the names used.
export function publishJobs(paths: HomePaths, specs: JobSpec[], made = new Date()): string[] {
  const texts = specs.map((spec) => jobText(spec, made));
  const names: string[] = [];
  specs.forEach((spec, index) => {
    const scratch = path.join(paths.tmp, `${scratchBase}-${++scratchCounter}`);
    try {
      fs.writeFileSync(scratch, texts[index] ?? '', {flag: 'wx', mode: 0o600});
    } catch (error) {
      unlinkIfPresent(scratch);
      throw ioError('writing a job to', scratch, error, publishedSoFar(names));
    }
    let name: string;
    try {
      name = linkNoClobber(scratch, paths.jobqueue, spec.name, 1, MAX_JOB_NAME_BYTES);
    } catch (error) {
      unlinkIfPresent(scratch);
      throw ioError(`publishing job ${spec.name} in`, paths.jobqueue, error, publishedSoFar(names));
    }
    crashPoint('submit:linked');
    unlinkIfPresent(scratch);
    names.push(name);
  });
  return names;
}

function publishedSoFar(names: string[]): string {
  if (names.length === 0) return 'No job was submitted.';
  return `${names.length} job${names.length === 1 ? ' was' : 's were'} submitted before this one (${names[0] ?? ''} … ${names.at(-1) ?? ''}).`;
}
