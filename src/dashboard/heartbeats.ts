// How long ago each worker of the home last beat: the age of the mtime of its heartbeat file,
// by worker id (a worker that has not beaten yet is absent). On another host's view of the
// home the mtime is the file server's clock, so an age there is up to a heartbeat off.
import fs from 'node:fs';
import type {HomePaths} from '../home/layout.js';
import {heartbeatPath} from '../home/paths.js';

export function heartbeatAges(paths: HomePaths, now: number): Record<string, number> {
  const ages: Record<string, number> = {};
  let ids: string[];
  try {
    ids = fs.readdirSync(paths.workers);
  } catch {
    return ages;
  }
  for (const id of ids) {
    const stat = fs.statSync(heartbeatPath(paths, id), {throwIfNoEntry: false});
    if (stat !== undefined) ages[id] = Math.max(0, now - stat.mtimeMs);
  }
  return ages;
}
