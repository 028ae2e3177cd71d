// What the dispatcher's command says of each event of the dispatcher (dispatcher/events.ts):
// the lines, and where each goes. Pure: an event in, lines out; the command prints them and
// does the rest (starting the progress display, running --on-failure).
import type {DispatcherEvent} from '../dispatcher/dispatcher.js';
import {describeLoss} from '../home/worker-loss.js';
import {formatRequest} from '../job/resources.js';
import {haltWords, waitingForWorkers} from './dispatch-summary.js';

// progress: a line that --quiet leaves out; always: one it prints too; warning: one on stderr,
// after the program's name.
export interface EventLine {
  to: 'progress' | 'always' | 'warning';
  text: string;
}

// The lines of one event; `red` colours a word where colour is on.
export function eventLines(event: DispatcherEvent, red: (text: string) => string): EventLine[] {
  const progress = (text: string): EventLine[] => [{to: 'progress', text}];
  const warning = (text: string): EventLine => ({to: 'warning', text});
  switch (event.type) {
    case 'started':
      return progress('Dispatcher started.');
    case 'found':
      return progress(`Found ${event.count} new job${event.count === 1 ? '' : 's'} to dispatch.`);
    case 'waiting-for-workers':
      return progress(waitingForWorkers(event));
    case 'not-a-job':
      return [warning(`warning: jobqueue/${event.name} is ${event.kind}, not a job file; leaving it alone`)];
    case 'job-ended':
      if (event.outcome !== 'failed') return [];
      return [{to: 'always', text: `Job ${event.id} ${red('failed')}: ${event.reason ?? 'unknown reason'}`}];
    case 'job-unfittable':
      return [
        warning(
          `warning: job ${event.name} waits: it ${event.reason}. It runs once a worker that offers that much registers (other jobs that ask for ${formatRequest(event.request)} wait too, without another warning)`,
        ),
      ];
    case 'job-requeued':
      return progress(`Job ${event.id} went back to the queue${event.reason === null ? '' : ` (${event.reason})`}.`);
    case 'worker-lost': {
      const back = event.requeued.length === 0 ? '' : `; its jobs went back to the queue: ${event.requeued.join(', ')}`;
      const failedHere =
        event.failed.length === 0 ? '' : `; failed after too many lost workers: ${event.failed.join(', ')}`;
      // (each job failed here is also told as a job that ended, which runs --on-failure)
      return progress(`Worker ${event.worker} is gone (${describeLoss(event.loss)})${back}${failedHere}.`);
    }
    case 'waiting-for-lock':
      return progress(`Waiting: ${event.message}.`);
    case 'worker-left':
      return [];
    case 'warning':
      return [warning(`warning: ${event.message}`)];
    case 'home-unsafe':
      return [
        warning(`warning: ${event.message}; nothing is moved through it until that is fixed`),
        ...(event.hint === null ? [] : [warning(event.hint)]),
      ];
    case 'home-safe':
      return [warning("the home's directories are safe again; dispatching goes on")];
    case 'paused': {
      const who = [event.by === '' ? '' : `by ${event.by}`, event.pausedAt === '' ? '' : `since ${event.pausedAt}`];
      const said = who.filter((part) => part !== '').join(', ');
      return [
        {
          to: 'always',
          text: `The queue is paused${said === '' ? '' : ` (${said})`}: no job is handed out until "fjd resume"; ${jobsWord(event.open)} waiting, jobs already handed out run on.`,
        },
      ];
    }
    case 'resumed':
      return [{to: 'always', text: `The queue is resumed: dispatching goes on (${jobsWord(event.open)} waiting).`}];
    case 'halting': {
      const out =
        event.handedOut === 0
          ? 'no job is out'
          : event.cause.when === 'now'
            ? `cancelling the ${jobsWord(event.handedOut)} handed out`
            : `waiting for the ${jobsWord(event.handedOut)} handed out`;
      return [
        {
          to: 'always',
          text: `Halting: ${haltWords(event.cause)}. Nothing more is handed out; ${out}; ${jobsWord(event.open)} stay in jobqueue/.`,
        },
      ];
    }
  }
}

function jobsWord(n: number): string {
  return `${n} job${n === 1 ? '' : 's'}`;
}
