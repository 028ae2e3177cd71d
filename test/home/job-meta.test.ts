// What the dispatcher reads of every job for scheduling, read from job files in a temporary
// directory: the request ([control] cpus, memory, gpus) beside the priority, group and
// dependencies, and the one request object shared by every job that asks for nothing more.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {readJobMeta} from '../../src/home/job-meta.js';
import {DEFAULT_REQUEST} from '../../src/job/resources.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fjd-job-meta-'));
});
afterEach(() => {
  fs.rmSync(dir, {recursive: true, force: true});
});

function meta(name: string, text: string) {
  fs.writeFileSync(path.join(dir, name), text);
  const read = readJobMeta(dir, name);
  if (read === undefined) throw new Error(`readJobMeta found no ${name}`);
  return read;
}

describe('the request in a job meta', () => {
  it('is the one shared default for every job that asks for nothing, read or not', () => {
    const plain = meta('plain', '[control]\nexecutable = sim\n[params]\nalpha = 1\n');
    const ranked = meta('ranked', '[control]\nexecutable = sim\npriority = 3\n');
    const one = meta('one', '[control]\nexecutable = sim\ncpus = 1\n');
    expect(plain.request).toBe(DEFAULT_REQUEST);
    expect(ranked.request).toBe(DEFAULT_REQUEST);
    expect(ranked.priority).toBe(3);
    expect(one.request).toBe(DEFAULT_REQUEST);
    expect(DEFAULT_REQUEST).toEqual({cpus: 1, memoryBytes: 0, gpus: 0});
  });

  it('carries cpus, memory and gpus, read in the same parse as the other scheduling keys', () => {
    const job = meta(
      'big',
      '[control]\nexecutable = sim\ncpus = 4\nmemory = 8G\ngpus = 2\npriority = -1\ngroup = gpu\nafter = prep\n',
    );
    expect(job).toMatchObject({
      request: {cpus: 4, memoryBytes: 8 * 1024 ** 3, gpus: 2},
      priority: -1,
      group: 'gpu',
      after: ['prep'],
    });
    expect(meta('fjd', '[fjd]\nexecutable = sim\nGPUs: 1\n').request).toEqual({cpus: 1, memoryBytes: 0, gpus: 1});
  });

  it("keeps the default when the words appear only in the job's own sections or values", () => {
    const job = meta(
      'params',
      '[control]\nexecutable = /data/group7/memory-test --after\n[params]\ncpus = 64\nmemory = lots\ngpus = 8\n',
    );
    expect(job.request).toBe(DEFAULT_REQUEST);
    expect(job.group).toBeUndefined();
  });

  it('gives a job whose request can never be valid the defaults, for the worker to fail it with its reason', () => {
    const cases: [string, string][] = [
      ['zero', 'cpus = 0'],
      ['many', 'gpus = many'],
      ['lots', 'memory = lots'],
    ];
    for (const [name, line] of cases) {
      const job = meta(name, `[control]\nexecutable = sim\npriority = 5\n${line}\n`);
      expect(job.request, name).toBe(DEFAULT_REQUEST);
      expect(job.priority, name).toBe(0);
    }
  });
});
