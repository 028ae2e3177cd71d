// `fjd pause` and `fjd resume`: hold and release the queue for every dispatcher of the home
// (home/pause.ts); jobs already handed out run on.
import {Command} from 'commander';
import {ensureHome} from '../../home/layout.js';
import {pauseQueue, resumeQueue, type PauseNote} from '../../home/pause.js';
import {EXIT, groupSharedFrom, groupSharedOption, homeFrom, homeOption, say} from '../common.js';

interface PauseOptions {
  home?: string;
  groupShared?: boolean;
}

// "by vm:4242, since 2026-12-01T17:02:11.000Z", as far as the note says.
function noteWords(note: PauseNote, prefix = ''): string {
  const parts = [note.by === '' ? '' : `${prefix}by ${note.by}`, note.pausedAt === '' ? '' : `since ${note.pausedAt}`];
  const said = parts.filter((part) => part !== '').join(', ');
  return said === '' ? '' : ` (${said})`;
}

export function pauseCommand(): Command {
  return new Command('pause')
    .description('hold the queue: no dispatcher, on any host, hands out a job until fjd resume; running jobs go on')
    .addOption(homeOption())
    .addOption(groupSharedOption())
    .addHelpText(
      'after',
      `
The pause is the file .fjd/paused in the home: every dispatcher sees it within its
rescan interval (at once on this host), and one started later waits until it is gone.

Exit status: 0 when the queue is paused (or was already), 3 if fjd could not work.

Examples:
  fjd pause
  fjd pause && vi sim.py && fjd resume`,
    )
    .action((options: PauseOptions) => {
      const paths = ensureHome(homeFrom(options), {groupShared: groupSharedFrom(options)});
      const {note, already} = pauseQueue(paths);
      if (already) say(`The queue was paused already${noteWords(note)}; "fjd resume" releases it.`);
      else say('Paused the queue: no job is handed out until "fjd resume"; jobs already handed out run on.');
      process.exitCode = EXIT.ok;
    });
}

export function resumeCommand(): Command {
  return new Command('resume')
    .description('release the queue held by fjd pause: dispatchers hand out jobs again')
    .addOption(homeOption())
    .addOption(groupSharedOption())
    .addHelpText(
      'after',
      `
Exit status: 0 when the queue is not paused (or was not), 3 if fjd could not work.

Examples:
  fjd resume`,
    )
    .action((options: PauseOptions) => {
      const paths = ensureHome(homeFrom(options), {groupShared: groupSharedFrom(options)});
      const note = resumeQueue(paths);
      if (note === undefined) say('The queue was not paused.');
      else say(`Resumed the queue${noteWords(note, 'paused ')}: dispatchers hand out jobs again.`);
      process.exitCode = EXIT.ok;
    });
}
