// At the per-user inotify instance limit every watch fails with EMFILE and fjd finds changes by
// rescanning alone. It must say so in words that name the limit and the sysctl that raises
// it, and `fjd status` must show which processes poll. The limit is not really exhausted
// (other tests share the machine's instances): FJD_WATCH_FAULT=EMFILE makes every watch of
// a process fail as it would there.
import fs from 'node:fs';
import path from 'node:path';
import {expect, it} from 'vitest';
import {makeHome} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {statusOf} from '../helpers/status.js';
import {STATUS_SCHEMA, schemaProblems, shownByHand} from '../helpers/status-schema.js';
import {waitUntil} from '../helpers/wait.js';
import {hireOneSlotWorkers} from '../helpers/hire.js';

const AT_LIMIT = {FJD_WATCH_FAULT: 'EMFILE'};

function instanceLimit(): string {
  try {
    return fs.readFileSync('/proc/sys/fs/inotify/max_user_instances', 'utf8').trim();
  } catch {
    return '';
  }
}

it('says which limit was reached and how to raise it, and fjd status shows who polls', async () => {
  const home = makeHome('inotify');
  const limit = instanceLimit();
  const now = limit === '' ? '' : ` = ${limit}`;
  const raised = Math.max(1024, Number(limit || 0) * 2);
  const reason = `EMFILE: the inotify instance limit is reached (fs.inotify.max_user_instances${now}); raise it with: sudo sysctl fs.inotify.max_user_instances=${raised}`;
  home.job('held', `[control]\nexecutable = ${fixture('hold.sh')}\n`);
  home.job('quick', `[control]\nexecutable = ${fixture('mark.sh')}\n`);
  for (const hired of await hireOneSlotWorkers(home, 2, [], {env: AT_LIMIT})) expect(hired.exitCode).toBe(0);
  const dispatcher = home.start('dispatcher', [], {env: AT_LIMIT});
  await waitUntil(() => fs.existsSync(path.join(home.dir, 'started-held')), 20_000, 'the held job to start');

  // Every polling process is listed, the dispatcher (noted at its next rescan) and both workers.
  await waitUntil(
    async () => (await statusOf(home)).polling.length === 3,
    10_000,
    'fjd status to list three polling processes',
  );
  const status = await statusOf(home);
  expect(
    schemaProblems(status, STATUS_SCHEMA).filter(
      (p) => !p.startsWith('slurmJobs[]') && !p.startsWith('limits[]') && !shownByHand(p),
    ),
  ).toEqual([]);
  const workers = status.workers.map((w) => w.id).sort();
  expect(status.polling).toEqual([
    {
      process: 'dispatcher',
      worker: null,
      host: expect.any(String) as string,
      pid: expect.any(Number) as number,
      reason,
    },
    ...workers.map((id) => ({
      process: 'worker',
      worker: id,
      host: expect.any(String) as string,
      pid: status.workers.find((w) => w.id === id)?.pid,
      reason,
    })),
  ]);
  const dispatcherPid = status.polling[0]?.pid ?? 0;
  const text = (await home.run('fjd', ['status'])).stdout;
  expect(text).toContain(
    `Polling: inotify could not be used, so these find changes by rescanning, a little later:\n  the dispatcher (pid ${dispatcherPid} on ${status.polling[0]?.host ?? ''}) and workers ${workers.join(', ')}: ${reason}\n`,
  );

  fs.writeFileSync(path.join(home.dir, 'release'), '');
  const result = await dispatcher.result;
  expect(result.exitCode, result.stdout + result.stderr).toBe(0);
  // Said once, not once per directory.
  expect(result.stderr).toBe(
    `dispatcher: warning: cannot watch ${home.dir}/jobqueue (EMFILE: too many open files): ${reason.replace(/^EMFILE: /, '')}. Until then this dispatcher rescans every 1s instead of being told of changes (fjd status shows it)\n`,
  );
  for (const w of status.workers) {
    expect(home.read(w.log ?? '')).toContain(
      `cannot watch its directories (EMFILE: too many open files): ${reason.replace(/^EMFILE: /, '')}. Until then this worker looks for jobs on its timer (every 1s; every 5s after 10s without a job) instead of being told\n`,
    );
  }
  // The dispatcher has gone; the workers still poll.
  const after = await statusOf(home);
  expect(after.polling.map((p) => p.worker)).toEqual(workers);
  expect(home.ls('done')).toEqual(['held', 'quick']);
});
