// The names in .fjd/priority/ (the overrides of `fjd prioritize`, home/priority.ts), known from
// a listing taken once the directory is watched and kept up to date from its events, so that a
// job with no override costs no open of a file that is not there, nor an unlink of one, on its
// way out (two round trips per job on NFS). Without working events (the dispatcher polls),
// every name may have one: each job's override is looked for, as before.
import fs from 'node:fs';
import type {HomePaths} from '../home/layout.js';
import {priorityPath} from '../home/paths.js';

export class PriorityNames {
  private readonly names = new Set<string>();
  private listed = false;
  private polling = false;

  constructor(private readonly paths: HomePaths) {}

  // A watch of the dispatcher failed: it rescans instead, and events may not come.
  stopTrusting(): void {
    this.polling = true;
  }

  // Lists the directory; called once its watch is set up, and when an event has no name.
  list(): void {
    this.names.clear();
    try {
      for (const name of fs.readdirSync(this.paths.priority)) this.names.add(name);
      this.listed = true;
    } catch {
      // Not there, or unreadable for now: every name may have an override.
      this.listed = false;
    }
  }

  // An event of the directory: the name's override was written or removed.
  changed(name: string | undefined): void {
    if (name === undefined) return this.list();
    if (fs.existsSync(priorityPath(this.paths, name))) this.names.add(name);
    else this.names.delete(name);
  }

  // Whether the job `name` may have an override.
  has(name: string): boolean {
    return !this.listed || this.polling || this.names.has(name);
  }

  // Its override was removed (the job was handed out).
  dropped(name: string): void {
    this.names.delete(name);
  }
}
