// The group limits in force for this dispatcher (src/home/limits.ts says which are: the home's
// `limits` file, under the --limit flags), read again at every rescan when the file has
// changed, and the warnings about them.
import fs from 'node:fs';
import {mergeLimits, parseLimits} from '../home/limits.js';

export class GroupLimits {
  private limits = new Map<string, number>();
  // The file's mtime, size and inode when it was last read ('none': there was none).
  private stamp = '';

  constructor(
    private readonly file: string,
    private readonly flags: ReadonlyMap<string, number> | undefined,
    private readonly warn: (message: string) => void,
  ) {}

  get(group: string): number | undefined {
    return this.limits.get(group);
  }

  // Reads the limits again: the flags, over the file when it has changed. Returns those of
  // `held` (groups that hold jobs back) whose limit was raised or removed: their jobs may go.
  reload(held: Iterable<string>): string[] {
    let stamp = '';
    let text = '';
    try {
      const stat = fs.statSync(this.file);
      stamp = `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
      if (stamp !== this.stamp) text = fs.readFileSync(this.file, 'utf8');
    } catch {
      stamp = 'none';
    }
    if (stamp === this.stamp) return [];
    this.stamp = stamp;
    let fromFile = new Map<string, number>();
    try {
      fromFile = parseLimits(text, this.file);
    } catch (error) {
      this.warn(
        `${error instanceof Error ? error.message : String(error)}; the limits file is ignored until it is fixed`,
      );
    }
    const before = this.limits;
    this.limits = mergeLimits(fromFile, this.flags);
    for (const message of zeroLimitWarnings(before, this.limits, this.flags, this.file)) this.warn(message);
    const rose: string[] = [];
    for (const group of held) {
      if ((this.limits.get(group) ?? Infinity) > (before.get(group) ?? Infinity) || !this.limits.has(group))
        rose.push(group);
    }
    return rose;
  }
}

// A warning for each group whose limit has become 0, which never lets its jobs run: at the
// dispatcher's start (`before` empty) and whenever the limits file sets one.
function zeroLimitWarnings(
  before: ReadonlyMap<string, number>,
  now: ReadonlyMap<string, number>,
  flags: ReadonlyMap<string, number> | undefined,
  file: string,
): string[] {
  const warnings: string[] = [];
  for (const [group, limit] of now) {
    if (limit !== 0 || before.get(group) === 0) continue;
    const from = flags?.get(group) === 0 ? `--limit ${group}=0` : `the limits file ${file}`;
    warnings.push(`group ${group} has a limit of 0 (${from}): none of its jobs runs until the limit is raised`);
  }
  return warnings;
}
