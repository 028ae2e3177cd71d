// The resource request of a control section: cpus, memory and gpus, their defaults and units,
// and the reasons a value that can never be valid gives its job.
import {describe, expect, it} from 'vitest';
import {parseJobText} from '../../src/job/job-file.js';
import {DEFAULT_REQUEST} from '../../src/job/resources.js';
import {errorOf} from '../helpers/errors.js';

const requestOf = (lines: string, section = 'control') =>
  parseJobText(`[${section}]\nexecutable = x\n${lines}\n`).control.request;

describe('the request of [control]: cpus, memory, gpus', () => {
  it('asks for one cpu, no memory in particular and no GPU by default, sharing one request object', () => {
    const one = requestOf('');
    expect(one).toEqual({cpus: 1, memoryBytes: 0, gpus: 0});
    expect(one).toBe(DEFAULT_REQUEST);
    // Asking for exactly the default is the default, too.
    expect(requestOf('cpus = 1\ngpus = 0')).toBe(DEFAULT_REQUEST);
    expect(requestOf('cpus =\nmemory =')).toBe(DEFAULT_REQUEST);
  });

  it.each([
    ['cpus = 4', {cpus: 4, memoryBytes: 0, gpus: 0}],
    ['gpus = 2', {cpus: 1, memoryBytes: 0, gpus: 2}],
    ['memory = 8G', {cpus: 1, memoryBytes: 8 * 1024 ** 3, gpus: 0}],
    ['memory = 512M', {cpus: 1, memoryBytes: 512 * 1024 ** 2, gpus: 0}],
    ['memory = 1.5GB', {cpus: 1, memoryBytes: 1.5 * 1024 ** 3, gpus: 0}],
    ['memory = 2t', {cpus: 1, memoryBytes: 2 * 1024 ** 4, gpus: 0}],
    ['memory = 64K', {cpus: 1, memoryBytes: 64 * 1024, gpus: 0}],
    // A bare number is in megabytes, as in Slurm's --mem.
    ['memory = 100', {cpus: 1, memoryBytes: 100 * 1024 ** 2, gpus: 0}],
    ['CPUS = 8\nMemory: 16GiB\ngpus=1', {cpus: 8, memoryBytes: 16 * 1024 ** 3, gpus: 1}],
  ])('reads %j', (lines, request) => {
    expect(requestOf(lines)).toEqual(request);
  });

  it('interpolates them, and reads them in [fjd] too', () => {
    expect(parseJobText('[DEFAULT]\nn = 3\n[fjd]\nexecutable = x\ncpus = %(n)s\n').control.request).toEqual({
      cpus: 3,
      memoryBytes: 0,
      gpus: 0,
    });
  });

  it("does not take them from [DEFAULT], whose keys are the job's own", () => {
    const job = parseJobText('[DEFAULT]\ncpus = 64\nmemory = lots\ngpus = a100\n[control]\nexecutable = x\n');
    expect(job.control.request).toBe(DEFAULT_REQUEST);
  });

  it.each([
    ['cpus = 0', '[control] cpus = 0 is not a whole number of at least 1', 'Write `cpus = 1`, or leave cpus out (1).'],
    ['cpus = 2.5', '[control] cpus = 2.5 is not a whole number of at least 1', undefined],
    ['cpus = -1', '[control] cpus = -1 is not a whole number of at least 1', undefined],
    [
      'cpus = 99999999999999999999',
      '[control] cpus = 99999999999999999999 is not a whole number of at least 1',
      undefined,
    ],
    [
      'gpus = many',
      '[control] gpus = many is not a whole number of at least 0',
      'Write `gpus = 1`, or leave gpus out (none).',
    ],
    [
      'memory = lots',
      '[control] memory = lots is not a size such as 8G, 512M or 2T',
      'Sizes are in powers of 1024: K, M, G, T (a bare number means megabytes, as in Slurm).',
    ],
    ['memory = -1G', '[control] memory = -1G is not a size such as 8G, 512M or 2T', undefined],
    ['memory = 8 GB of RAM', '[control] memory = 8 GB of RAM is not a size such as 8G, 512M or 2T', undefined],
  ])('refuses %j with its reason', (line, message, hint) => {
    const error = errorOf(() => requestOf(line));
    expect(error.code).toBe('JOB_BAD_VALUE');
    expect(error.message).toBe(message);
    if (hint !== undefined) expect(error.hint).toBe(hint);
  });

  it('names the section as the file does', () => {
    expect(errorOf(() => requestOf('gpus = two', 'fjd')).message).toBe(
      '[fjd] gpus = two is not a whole number of at least 0',
    );
  });
});
