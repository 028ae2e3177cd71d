// Finding a job by its name (src/home/find-job.ts) through its own ids, NAME, NAME~2, NAME~3 …,
// without listing .fjd/records/: the newest of a name, the others, and a gap in its ids.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, expect, it} from 'vitest';
import {ensureHome, type HomePaths} from '../../src/home/layout.js';
import {findJob} from '../../src/home/find-job.js';
import {endedFile} from '../../src/home/paths.js';
import {newRecord, writeRecord} from '../../src/home/record.js';

let paths: HomePaths;

beforeEach(() => {
  paths = ensureHome(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fjd-unit-')), 'home'));
});

afterEach(() => {
  fs.rmSync(path.dirname(paths.root), {recursive: true, force: true});
});

// A job of the name `name` that finished under the id `id`: its record and its file in done/.
function finished(name: string, id: string): void {
  writeRecord(paths, {...newRecord(id, name), state: 'finished', file: endedFile('finished', id)});
  fs.writeFileSync(path.join(paths.done, id), '[control]\nexecutable = true\n');
}

it('a name finds its newest job, and names the others, newest first', () => {
  finished('sim.ini', 'sim.ini');
  finished('sim.ini', 'sim~2.ini');
  finished('sim.ini', 'sim~3.ini');
  // Another name, whose id looks like one of them, is not one of them.
  finished('sim~4.ini', 'sim~4.ini');
  const job = findJob(paths, 'sim.ini');
  expect(job?.id).toBe('sim~3.ini');
  expect(job?.state).toBe('finished');
  expect(job?.file).toBe('done/sim~3.ini');
  expect(job?.others).toEqual(['sim~2.ini', 'sim.ini']);
});

it('a missing id between two of a name (a record removed by hand) does not hide the later one', () => {
  finished('x', 'x');
  finished('x', 'x~3');
  expect(findJob(paths, 'x')).toMatchObject({id: 'x~3', others: ['x']});
  // An id named as such is found whatever the name's other ids are.
  expect(findJob(paths, 'x~3')?.id).toBe('x~3');
  expect(findJob(paths, 'nothing')).toBeUndefined();
});
