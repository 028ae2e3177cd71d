// `fjd status JOB` as text: one job's whole record, every attempt, and the tail of its stderr.
import path from 'node:path';
import type {HomePaths} from '../home/layout.js';
import {readJson} from '../home/atomic.js';
import type {FoundJob} from '../home/find-job.js';
import {infoPath} from '../home/paths.js';
import type {AttemptRecord} from '../home/record.js';
import type {WorkerInfo} from '../home/registry.js';
import {attemptOutput, lastAttempt, neverRan, tailLines} from './job-output.js';
import {shellQuote} from '../util/shell.js';
import {roughDuration} from './rate.js';
import {waitsFor} from './waits-for.js';
import {whyWaiting, type WaitReason} from './why-waiting.js';

// How many lines of stderr `fjd status JOB` shows.
export const STDERR_TAIL_LINES = 10;

function took(ms: number | null): string {
  if (ms === null) return '?';
  return ms < 1000 ? `${ms} ms` : roughDuration(ms / 1000);
}

function howEnded(a: AttemptRecord): string {
  const how =
    a.signal !== null ? `signal ${a.signal}` : a.exitCode !== null ? `exit code ${a.exitCode}` : 'no exit code';
  const reason = a.reason === null || a.reason === how ? '' : ` (${a.reason})`;
  return `${how}${reason}`;
}

// What holds an open job, in one line; its dependencies have their own (`Waits for:`).
function waitLine(reason: WaitReason): string | undefined {
  switch (reason.kind) {
    case 'dispatcher':
      return 'Waiting: for a dispatcher: none runs on this home (start one with: dispatcher)';
    case 'dependency':
      return undefined;
    case 'limit':
      return reason.limit === 0
        ? `Held:    by the limit of group ${reason.group} (a limit of 0, which never lets it run: raise it with --limit ${reason.group}=N or in the limits file)`
        : `Held:    by the limit of group ${reason.group} (${reason.out} of ${reason.limit} out)`;
    case 'unfittable':
      return `Held:    no worker hired can run it: ${reason.reason} (hire a worker that offers that much, or ask for less in its [control])`;
    case 'resources':
      return `Waiting: for room on a worker: ${reason.reason}`;
    case 'worker': {
      const {workers, busy} = reason;
      if (workers === 0) return 'Waiting: for a worker: none is hired (hire some with: recruiter hire)';
      if (busy === workers)
        return `Waiting: for a worker: ${workers === 1 ? 'the worker is' : `the ${workers} workers are`} busy`;
      return `Waiting: for a worker: of ${workers}, ${busy} ${busy === 1 ? 'is' : 'are'} busy and ${workers - busy} not ready yet`;
    }
  }
}

function attemptLine(a: AttemptRecord): string {
  return `  ${a.attempt}  ${a.outcome}  worker ${a.worker}  host ${a.host ?? '?'}  pid ${a.pid ?? '?'}  started ${a.startedAt}  took ${took(a.durationMs)}  ${howEnded(a)}`;
}

function workerLine(paths: HomePaths, job: FoundJob): string {
  const id = job.worker ?? job.record?.worker ?? null;
  if (id === null) return 'Worker:  none yet';
  const info = readJson<WorkerInfo>(infoPath(paths, id));
  const host = info?.host ?? job.record?.host ?? '?';
  const pid = info?.pid === undefined ? '' : `, pid ${info.pid}`;
  return `Worker:  ${id} (host ${host}${pid})${job.worker === null ? ', the last to hold it' : ''}`;
}

export function formatJob(paths: HomePaths, job: FoundJob, now = Date.now()): string {
  const lines = [`Job:     ${job.name}${job.id === null ? '' : ` (id ${job.id})`}`];
  if (job.others.length > 0)
    lines.push(
      `         (the newest of ${job.others.length + 1} jobs of that name; the others: ${job.others.join(', ')})`,
    );
  lines.push(`State:   ${job.state}`, `File:    ${job.file}`);
  if (job.state === 'open') {
    const deps = waitsFor(paths, job.path);
    if (deps.length > 0) {
      const said = deps.map((d) => `${d.name} (${d.state}${d.any ? ', any ending' : ''})`);
      lines.push(`Waits for: ${said.join(', ')}`);
    }
    for (const reason of whyWaiting(paths, job.path, deps)) {
      const line = waitLine(reason);
      if (line !== undefined) lines.push(line);
    }
  }
  const record = job.record;
  if (record === undefined) {
    lines.push('Record:  none yet (a job gets its record when it is assigned to a worker)');
    return `${lines.join('\n')}\n`;
  }
  if (record.reason !== null && job.state === 'failed') lines.push(`Reason:  ${record.reason}`);
  const unrun = neverRan(job);
  if (unrun !== undefined) {
    lines.push(`Ran:     never: ${unrun}`);
    return `${lines.join('\n')}\n`;
  }
  // Both are recorded when an attempt ends on its worker (not for a lost one).
  const unknown =
    job.state === 'finished' || job.state === 'failed' ? '(none recorded)' : '(recorded when the attempt ends)';
  lines.push(workerLine(paths, job));
  lines.push(`Command: ${record.command === null ? unknown : record.command.map(shellQuote).join(' ')}`);
  lines.push(`Workdir: ${record.workdir ?? unknown}`);
  const attempts = record.attempts.filter((a) => a.attempt !== job.current?.attempt);
  const running = job.current;
  lines.push(`Attempts: ${attempts.length + (running === undefined ? 0 : 1)}`);
  for (const a of attempts) lines.push(attemptLine(a));
  if (running !== undefined) {
    const since = roughDuration(Math.max(0, now - Date.parse(running.startedAt)) / 1000);
    lines.push(
      `  ${running.attempt}  running  worker ${job.worker ?? '?'}  started ${running.startedAt}  running for ${since}`,
    );
  }
  const attempt = lastAttempt(job);
  if (attempt !== null && job.id !== null) {
    const file = attemptOutput(paths, job.id, attempt).stderr;
    const tail = tailLines(file, STDERR_TAIL_LINES);
    const where = path.relative(paths.root, file);
    if (tail.length === 0) lines.push(`Stderr of attempt ${attempt} (${where}): (stderr is empty)`);
    else
      lines.push(
        `Stderr of attempt ${attempt}, last ${STDERR_TAIL_LINES} lines (${where}):`,
        ...tail.map((line) => `  ${line}`),
      );
  }
  return `${lines.join('\n')}\n`;
}
