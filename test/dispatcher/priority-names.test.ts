// The dispatcher knows which jobs have a priority override (.fjd/priority/) from a listing at
// its start and the directory's events (dispatcher/priority-names.ts), not from an open per job:
// an override written before it started counts, and is removed when its job is handed out.
import {expect, it} from 'vitest';
import {makeHome} from '../helpers/home.js';

it('a priority set before the dispatcher starts puts the job first, and is gone once the job is handed out', async () => {
  const home = makeHome('priority-names');
  for (const name of ['a', 'b', 'c', 'd']) home.job(name, '[control]\nexecutable = true\n');
  const set = await home.run('fjd', ['prioritize', 'd', '5']);
  expect(set.exitCode, set.stderr).toBe(0);
  expect(home.ls('.fjd/priority')).toEqual(['d']);
  await home.run('recruiter', ['hire', '1']);
  const result = await home.run('dispatcher', ['--quiet', '--fire-when-done']);
  expect(result.exitCode, result.stderr).toBe(0);
  expect(home.ls('done').sort()).toEqual(['a', 'b', 'c', 'd']);
  const assigned = ['a', 'b', 'c', 'd'].sort(
    (x, y) => Date.parse(String(home.record(x).assignedAt)) - Date.parse(String(home.record(y).assignedAt)),
  );
  expect(assigned[0]).toBe('d');
  expect(home.ls('.fjd/priority')).toEqual([]);
});
