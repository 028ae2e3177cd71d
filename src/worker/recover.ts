// Cleaning up after a worker that died without leaving (killed, crashed): whatever is in its
// pod goes back to jobqueue/ (or, if its outcome was already recorded, on to done/ or
// failed/), its announcement is withdrawn and its directory removed. Only ever called for a
// worker known to be dead, so nothing races with it but the dispatcher, which it informs.
import fs from 'node:fs';
import path from 'node:path';
import type {HomePaths} from '../home/layout.js';
import {listDir, moveNoClobber, unlinkIfPresent} from '../home/atomic.js';
import {announcementPath, podDir, requeueJob, terminalDir, workerDir} from '../home/transitions.js';
import {newRecord, readRecord, writeRecord} from '../job/record.js';
import {signalGroup} from '../run/kill-tree.js';
import {hostName, processLiveness} from './registry.js';

export interface Recovery {
  requeued: string[];
  completed: string[];
}

export function recoverLostWorker(paths: HomePaths, workerId: string, reason: string): Recovery {
  const recovery: Recovery = {requeued: [], completed: []};
  unlinkIfPresent(announcementPath(paths, workerId));
  const dir = workerDir(paths, workerId);
  for (const pod of [podDir(paths, workerId), path.join(dir, 'pod.closed')]) {
    for (const id of listDir(pod).sort()) {
      const file = path.join(pod, id);
      const record = readRecord(paths, id) ?? newRecord(id, id);
      if (record.state === 'finished' || record.state === 'failed') {
        // The worker recorded the outcome and died before the file moved: finish the move.
        const got = moveNoClobber(file, terminalDir(paths, record.state), id);
        if (record.file !== null && path.basename(record.file) !== got) {
          record.file = path.join(path.basename(terminalDir(paths, record.state)), got);
          writeRecord(paths, record);
        }
        recovery.completed.push(id);
        continue;
      }
      const last = record.attempts.at(-1);
      if (last !== undefined && last.outcome === 'running') {
        // The job may still run without its worker: stop its process group, on this host and
        // only if the process is the very one the worker started.
        if (last.host === hostName() && last.pid !== null && processLiveness(last.pid, last.pidStart ?? null) === 'alive') {
          signalGroup(last.pid, 'SIGKILL');
        }
        last.outcome = 'requeued';
        last.reason = reason;
        last.endedAt = new Date().toISOString();
      }
      requeueJob(paths, file, record, reason);
      recovery.requeued.push(id);
    }
  }
  fs.rmSync(dir, {recursive: true, force: true});
  return recovery;
}
