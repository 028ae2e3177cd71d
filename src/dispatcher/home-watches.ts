// The dispatcher's watches of the home: which directories it watches, and which part each
// event goes to. Watches are hints (they see only this host's changes; util/watch-dir.ts): the
// rescans are the source of truth, and a watch that fails makes the dispatcher poll.
import type {HomePaths} from '../home/layout.js';
import {watchDir, type DirWatch} from '../util/watch-dir.js';
import type {Parts} from './parts.js';

export interface WatchActions {
  // Runs an event's action as every action of the dispatcher runs (its guard).
  guard(action: () => void): void;
  // A watch of `dir` failed.
  failed(dir: string, error: unknown): void;
  // Pairs jobs with workers.
  pump(): void;
  // Carries out the cancel requests.
  cancels(): void;
}

export function watchHome(paths: HomePaths, parts: Parts, actions: WatchActions): DirWatch[] {
  const watch = (dir: string, onEvent: (event: 'rename' | 'change', name: string | undefined) => void): DirWatch =>
    watchDir(
      dir,
      (event, name) => actions.guard(() => onEvent(event, name)),
      (error) => actions.failed(dir, error),
    );
  return [
    watch(paths.jobqueue, (event, name) => parts.intake.onEvent(event, name)),
    watch(paths.workerqueue, (_event, name) => {
      parts.announcements.onEvent(name);
      actions.pump();
    }),
    watch(paths.records, (event, name) => parts.recordEvents.add(name, event)),
    watch(paths.done, (_event, name) => parts.landings.onEvent(name)),
    watch(paths.cancel, () => actions.cancels()),
    watch(paths.internal, (_event, name) => parts.pause.onEvent(name)),
    watch(paths.priority, (_event, name) => {
      parts.priorityNames.changed(name);
      if (parts.intake.reprioritize(name, (job) => parts.holds.waitingMeta(job)?.seq)) actions.pump();
    }),
  ];
}
