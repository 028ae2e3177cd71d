// The home's directories are part of its trust boundary. fjd moves files between them by name,
// so a directory that is a symbolic link would make it move the files of wherever the link
// points (into the home, or out of it), and a directory that someone else owns or may write
// lets them put such a link there. As OpenSSH's StrictModes has it, every directory fjd uses
// must be a real directory (looked at with lstat), belong to the user running fjd or to root,
// and not be writable by others (nor by its group, unless the home is group-shared). This file
// owns those rules, the check every command makes before it starts, and the looks a dispatcher
// and a worker take again during a run (HomeGuard), so that a link swapped in later is refused
// too. Node has no renameat(2), so moves go by path: what remains is the time between one look
// and the next (see HomeGuard).
import fs from 'node:fs';
import {FjdError} from '../errors.js';

export interface DirectoryRules {
  // Allow directories that their group may write: a home shared by a group.
  groupShared: boolean;
}

function octal(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

function linkTarget(dir: string): string {
  try {
    return fs.readlinkSync(dir);
  } catch {
    return 'somewhere';
  }
}

// What is wrong with `dir` as a directory of the home, or undefined when nothing is. A
// directory that cannot be looked at (missing, or its parent unreadable) is no problem here:
// nothing can be moved through it, and whoever needs it reports that. The home itself may be
// named through a symbolic link (`follow`: the user chose that path); nothing inside may be one.
export function directoryProblem(dir: string, rules: DirectoryRules, follow = false): FjdError | undefined {
  let stat: fs.Stats;
  try {
    stat = follow ? fs.statSync(dir) : fs.lstatSync(dir);
  } catch {
    return undefined;
  }
  if (stat.isSymbolicLink()) {
    return new FjdError(
      'HOME_UNSAFE',
      `${dir} is a symbolic link (to ${linkTarget(dir)}): fjd would move the files of the directory it points to`,
      {
        path: dir,
        hint: `Look at what it points to, then remove the link (rm ${dir}) and let fjd create the directory, or choose another home with --home DIR.`,
      },
    );
  }
  if (!stat.isDirectory()) {
    return new FjdError('HOME_UNUSABLE', `${dir} is not a directory`, {
      path: dir,
      hint: 'Move it aside and let fjd create the directory, or choose another home with --home DIR.',
    });
  }
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid && stat.uid !== 0) {
    return new FjdError(
      'HOME_UNSAFE',
      `${dir} belongs to uid ${stat.uid}, not to the user running fjd (uid ${uid}) nor to root: its owner could replace what is in it, and so choose which files fjd moves`,
      {
        path: dir,
        hint: `Run fjd as uid ${stat.uid}, or use a home of your own with --home DIR (a home shared by a group, with --group-shared, still belongs to one user).`,
      },
    );
  }
  const mode = stat.mode & 0o7777;
  if ((mode & 0o002) !== 0) {
    return new FjdError(
      'HOME_UNSAFE',
      `${dir} is writable by others (mode ${octal(mode)}): anyone could make the workers run their commands`,
      {
        path: dir,
        hint: `Remove that with: chmod o-w ${dir}`,
      },
    );
  }
  if ((mode & 0o020) !== 0 && !rules.groupShared) {
    return new FjdError(
      'HOME_UNSAFE',
      `${dir} is writable by its group (mode ${octal(mode)}): its members could make the workers run their commands`,
      {
        path: dir,
        hint: `Remove that with: chmod g-w ${dir}, or, if the group is meant to share this home, pass --group-shared (or set FJD_GROUP_SHARED=1).`,
      },
    );
  }
  return undefined;
}

// The first problem of the home `root` and its directories `dirs`, or undefined.
export function directoriesProblem(root: string, dirs: readonly string[], rules: DirectoryRules): FjdError | undefined {
  for (const dir of dirs) {
    const problem = directoryProblem(dir, rules, dir === root);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

// The home's directories looked at again during a run, before files are moved through them:
// at most once per `everyMs` (each look is a round trip per directory on NFS), or at once when
// asked for a fresh look (before a listing is used). A change of verdict is told once: the
// problem when one appears, undefined when the directories are safe again.
// How long one look at the home's directories holds while files are moved through them: the
// window between a look and a move. A look stats each directory (about 16 of them), a round
// trip apiece on NFS: every 250 ms, as it was, that cost a worker that ends jobs all the time
// 64 round trips a second, and the dispatcher 60; every second it costs 16 and 15. An NFS
// client answers such a look from its attribute cache for longer than that anyway (acdirmax,
// often 60 s), and only the home's owner can swap a directory of a safe home for a link.
export const GUARD_LOOK_EVERY_MS = 1000;

export class HomeGuard {
  private lookedAt = -Infinity;
  private problem: FjdError | undefined;
  private readonly dirs: string[];
  private readonly toldRefusals = new Set<string>();

  constructor(
    private readonly root: string,
    dirs: readonly string[],
    private readonly rules: DirectoryRules,
    private readonly everyMs: number,
    private readonly tell: (problem: FjdError | undefined) => void,
  ) {
    this.dirs = [...dirs];
  }

  // Looks after these directories as well (a worker's own, once it has made them).
  add(...dirs: string[]): void {
    this.dirs.push(...dirs);
  }

  // The problem that forbids moving files through the home now, or undefined.
  problemNow(fresh = false): FjdError | undefined {
    const now = performance.now();
    if (!fresh && now - this.lookedAt < this.everyMs) return this.problem;
    this.lookedAt = now;
    const problem = directoriesProblem(this.root, this.dirs, this.rules);
    if (problem?.message !== this.problem?.message) this.tell(problem);
    this.problem = problem;
    return problem;
  }

  unsafe(fresh = false): boolean {
    return this.problemNow(fresh) !== undefined;
  }

  // Whether the directories are unsafe, as unsafe(fresh) says; but while nothing is to be
  // moved (`idle`) and the last look found them safe, they are looked at only every
  // `idleEveryMs` (what is moved later is looked at first), so that an idle home costs its
  // file server a few stats a minute, and a tampered one is still told.
  unsafeUnlessIdle(idle: boolean, fresh: boolean, idleEveryMs: number): boolean {
    if (idle && this.problem === undefined && performance.now() - this.lookedAt < idleEveryMs) return false;
    return this.unsafe(fresh);
  }

  // Whether `dir`, one of its directories, is unsafe, looked at afresh by itself (the one just
  // listed: its listing is used only if it is a real directory now), or another is as the last
  // look found. A problem found here stands until the next look at them all finds it gone.
  unsafeDir(dir: string): boolean {
    const problem = directoryProblem(dir, this.rules);
    if (problem === undefined) return this.problem !== undefined;
    if (problem.message !== this.problem?.message) this.tell(problem);
    this.problem = problem;
    return true;
  }

  // Throws the problem, for a caller that waits such trouble out and tries again.
  assertSafe(): void {
    const problem = this.problemNow();
    if (problem !== undefined) throw problem;
  }

  // Tells a problem found elsewhere (a worker's directory, before recovering it) once.
  refused(problem: FjdError): void {
    if (this.toldRefusals.has(problem.message) || this.problem?.message === problem.message) return;
    this.toldRefusals.add(problem.message);
    this.tell(problem);
  }
}

// Whether an error is a problem of the home's directories (as directoryProblem reports one).
export function isHomeProblem(error: unknown): error is FjdError {
  return error instanceof FjdError && (error.code === 'HOME_UNSAFE' || error.code === 'HOME_UNUSABLE');
}
