// Whether the queue is paused (`fjd pause`: home/pause.ts), as this dispatcher knows it: one
// stat of the pause file at each rescan, and one when its watch of .fjd/ names the file (a
// pause made on this host is seen at once; one made elsewhere, or without a watch, at the
// next rescan). Said once when it is paused (or was, at the start), and once when resumed.
import type {HomePaths} from '../home/layout.js';
import {pauseStamp, readPause} from '../home/pause.js';
import {PAUSE_FILE} from '../home/paths.js';
import type {DispatcherEvent} from './events.js';

export class QueuePause {
  private stamp: string | undefined;
  paused = false;

  constructor(
    private readonly paths: HomePaths,
    private readonly emit: (event: DispatcherEvent) => void,
    // How many jobs wait in jobqueue/, for what is said.
    private readonly open: () => number,
    // Resumed: the jobs may be handed out.
    private readonly resumed: () => void,
  ) {}

  // The watch of .fjd/ saw `name` change.
  onEvent(name: string | undefined): void {
    if (name === PAUSE_FILE) this.look();
  }

  // Looks again: one stat.
  look(): void {
    const stamp = pauseStamp(this.paths);
    if (stamp === this.stamp) return;
    this.stamp = stamp;
    const paused = stamp !== undefined;
    if (paused === this.paused) return;
    this.paused = paused;
    if (!paused) {
      this.emit({type: 'resumed', open: this.open()});
      this.resumed();
      return;
    }
    const note = readPause(this.paths);
    this.emit({type: 'paused', pausedAt: note?.pausedAt ?? '', by: note?.by ?? '', open: this.open()});
  }
}
