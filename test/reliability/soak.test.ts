// Fault injection at random moments: SIGKILL of workers and of the dispatcher while a thousand
// short jobs run on worker processes of two slots each, workers re-hired and the dispatcher
// restarted as they die. Every job must end exactly once, and a job may only have run twice if
// the worker process running it was killed: a killed process may cost as many second runs as
// it ran jobs, and the test prints how many there were.
import fs from 'node:fs';
import {setTimeout as pause} from 'node:timers/promises';
import {expect, it} from 'vitest';
import {makeHome, type Started} from '../helpers/home.js';
import {fixture} from '../helpers/fixtures.js';
import {isRunning, signalIfAlive} from '../helpers/processes.js';
import {statusOf} from '../helpers/status.js';

const JOBS = Number(process.env.FJD_SOAK_JOBS ?? 1000);
const KILLS = Number(process.env.FJD_SOAK_KILLS ?? 30);
// Worker processes, and the slots of each.
const WORKERS = 3;
const SLOTS = 2;

interface Attempt {
  worker: string;
  outcome: string;
  endedAt: string | null;
}

it(`survives ${KILLS} random SIGKILLs of workers and the dispatcher over ${JOBS} jobs`, async () => {
  const home = makeHome('soak');
  const names = Array.from({length: JOBS}, (_, i) => `job-${String(i).padStart(5, '0')}`);
  for (const id of names) home.job(id, `[control]\nexecutable = ${fixture('short-job.sh')}\n[params]\nid = ${id}\n`);
  const hire = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) await home.run('recruiter', ['hire', String(SLOTS), '--heartbeat', '200ms']);
  };
  const dispatch = (): Started =>
    home.start('dispatcher', ['--lease', '3s', '--heartbeat', '200ms', '--max-attempts', '10']);
  await hire(WORKERS);
  let dispatcher = dispatch();
  const killedAt = new Map<string, number>();
  let workerKills = 0;
  // How many jobs the killed worker processes held (running, or in their pods) just before.
  let heldAtKills = 0;
  let dispatcherKills = 0;
  const started = Date.now();
  const finished = (): number => home.ls('done').length + home.ls('failed').length;

  // The pauses below only spread the kills over the run at random moments.
  while (workerKills + dispatcherKills < KILLS && finished() < JOBS) {
    await pause(100 + Math.random() * 300);
    if (Math.random() < 0.25) {
      const pid = processOf(home.dir, 'dispatcher');
      if (pid !== undefined) {
        signalIfAlive(pid, 'SIGKILL');
        dispatcherKills++;
        await dispatcher.result;
        dispatcher = dispatch();
      }
    } else {
      const busy = (await statusOf(home)).workers.filter((w) => w.state === 'busy' && isRunning(w.pid));
      const victim = busy[Math.floor(Math.random() * busy.length)];
      if (victim !== undefined) {
        signalIfAlive(victim.pid, 'SIGKILL');
        heldAtKills += victim.running.length + victim.assigned.length;
        killedAt.set(victim.id, Date.now());
        workerKills++;
      }
    }
    const alive = (await statusOf(home)).workers.filter(
      (w) => w.state !== 'lost' && w.pid !== null && isRunning(w.pid),
    ).length;
    await hire(WORKERS - alive);
  }
  const result = await dispatcher.result;
  expect(result.exitCode, result.stdout.slice(-2000) + result.stderr).toBe(0);

  // Every job ended exactly once, under its own name, with its record.
  expect(home.ls('failed')).toEqual([]);
  const done = home.ls('done');
  const strays = done.filter((n) => !names.includes(n));
  const explain = strays.map((n) => {
    const base = n.replace(/~\d+$/, '');
    const read = (id: string): string => {
      try {
        return home.read(`.fjd/records/${id}.json`);
      } catch {
        return 'no record';
      }
    };
    return `${n}: ${read(n)}\n${base}: ${read(base)}`;
  });
  expect(strays, `unexpected names in done/:\n${explain.join('\n')}`).toEqual([]);
  expect(done).toEqual(names);
  expect(home.ls('jobqueue')).toEqual([]);
  const runs = new Map<string, number>();
  for (const id of home.read('ids.txt').split('\n').filter(Boolean)) runs.set(id, (runs.get(id) ?? 0) + 1);
  let duplicates = 0;
  let recoveries = 0;
  const recoverSeconds: number[] = [];
  for (const id of names) {
    const record = home.record(id) as {state: string; attempts: Attempt[]};
    expect(record.state, id).toBe('finished');
    const lost = record.attempts.filter((a) => a.outcome === 'lost');
    recoveries += lost.length;
    for (const attempt of lost) {
      const killed = killedAt.get(attempt.worker);
      if (killed !== undefined && attempt.endedAt !== null)
        recoverSeconds.push((Date.parse(attempt.endedAt) - killed) / 1000);
    }
    const count = runs.get(id) ?? 0;
    expect(count, `${id} never ran`).toBeGreaterThanOrEqual(1);
    // A second run only where a worker running the job was lost.
    expect(
      count - 1,
      `${id} ran ${count} times with ${lost.length} lost workers: ${JSON.stringify(record)}`,
    ).toBeLessThanOrEqual(lost.length);
    duplicates += count - 1;
  }
  recoverSeconds.sort((a, b) => a - b);
  const median = recoverSeconds[Math.floor(recoverSeconds.length / 2)] ?? 0;
  const worst = recoverSeconds.at(-1) ?? 0;
  console.log(
    `soak: ${JOBS} jobs in ${((Date.now() - started) / 1000).toFixed(1)} s; kills: ${workerKills} workers, ${dispatcherKills} dispatchers; ` +
      `recoveries: ${recoveries}; duplicate executions: ${duplicates} (the killed workers of ${SLOTS} slots held ${heldAtKills} jobs just before); seconds to recover: median ${median.toFixed(2)}, max ${worst.toFixed(2)}`,
  );
  expect(workerKills + dispatcherKills).toBeGreaterThan(0);
  await home.run('recruiter', ['fire']);
});

function processOf(home: string, bin: string): number | undefined {
  // The dispatcher is the one whose command line names bin/dispatcher and whose FJD_HOME is the home.
  for (const entry of fs.readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const command = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
      if (command.includes(`bin/${bin}`) && environ.includes(`FJD_HOME=${home}\0`) && isRunning(pid)) return pid;
    } catch {
      // gone
    }
  }
  return undefined;
}
