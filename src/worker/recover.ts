// Cleaning up after a worker that died without leaving (killed, crashed): whatever is in its
// pod goes back to jobqueue/ (or, if its outcome was already recorded, on to done/ or
// failed/), its announcement is withdrawn and its directory removed. Only ever called for a
// worker known to be dead, so nothing races with it but the dispatcher, which it informs.
import fs from 'node:fs';
import path from 'node:path';
import type {HomePaths} from '../home/layout.js';
import {listDir, moveNoClobber, unlinkIfPresent} from '../home/atomic.js';
import {announcementPath, podDir, requeueJob, terminalDir, workerDir} from '../home/transitions.js';
import {isTerminal, newRecord, readRecord, writeRecord} from '../job/record.js';

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
      if (isTerminal(record.state) && (record.state === 'finished' || record.state === 'failed')) {
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
