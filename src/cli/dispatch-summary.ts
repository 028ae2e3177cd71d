// What the dispatcher's command says in words that are not events of one job: why jobs wait
// with no worker to take them, and the summary at the end of a run. Pure: lines in, lines out.
import type {DispatchSummary} from '../dispatcher/dispatcher.js';
import type {HaltCause} from '../dispatcher/events.js';
import {shellQuote} from '../util/shell.js';

// How many failed jobs the summary names before "and N more".
const FAILED_LISTED = 10;

// Why jobs wait with no worker to take them: hiring is advice only when there is no worker.
export function waitingForWorkers({jobs, workers, busy}: {jobs: number; workers: number; busy: number}): string {
  const waiting = `${jobs} job${jobs === 1 ? ' is' : 's are'} waiting`;
  if (workers === 0) return `${waiting}, but no worker has announced itself. Hire some with: recruiter hire`;
  const go = jobs === 1 ? 'the job goes' : 'the jobs go';
  if (busy === workers && workers === 1) return `${waiting}: the worker is busy; ${go} out when it is free.`;
  if (busy === workers) return `${waiting}: the ${workers} workers are busy; ${go} out as they become free.`;
  if (busy === 0)
    return `${waiting} for ${workers === 1 ? 'the worker, which is' : `the ${workers} workers, which are`} not ready yet; ${go} out as soon as one is.`;
  const notReady = workers - busy;
  return `${waiting}: of the ${workers} workers, ${busy} ${busy === 1 ? 'is' : 'are'} busy and ${notReady} not ready yet; ${go} out as they become free.`;
}

export interface SummaryContext {
  home: string;
  // `fjd run` fires its own workers, so it gives no advice about them.
  firesWorkers: boolean;
  // Whether workers are still registered in the home.
  workersLeft: boolean;
}

// The lines that end a run: how it stopped, its counts (and the home's, when they differ),
// and where to look at the failed jobs.
export function summaryLines(summary: DispatchSummary, context: SummaryContext): string[] {
  const lines: string[] = [];
  if (summary.halted !== null) {
    lines.push(`halted: ${haltWords(summary.halted)}`);
  } else if (summary.interrupted && context.firesWorkers) {
    lines.push('Dispatcher stopped.');
  } else if (summary.interrupted) {
    lines.push(
      'Dispatcher stopped. Jobs already handed out keep running, and queued jobs wait for the next dispatcher.',
    );
    if (context.workersLeft)
      lines.push(`The workers are still there: fire them with "recruiter fire --home ${context.home}".`);
  } else {
    lines.push('No more jobs to dispatch.');
  }
  lines.push(`Finished: ${summary.finished}, failed: ${summary.failed}, wall time ${wallSeconds(summary)} s.`);
  // A resumed run (or one that stopped early) counts only its own ends: the home's totals too.
  const inHome = summary.home;
  if (inHome.finished !== summary.finished || inHome.failed !== summary.failed || inHome.open > 0) {
    lines.push(`In the home: ${inHome.finished} finished, ${inHome.failed} failed, ${inHome.open} still open.`);
  }
  if (summary.halted !== null && inHome.open > 0)
    lines.push(
      `The ${inHome.open === 1 ? 'job' : `${inHome.open} jobs`} left in jobqueue/ wait for a later dispatcher.`,
    );
  if (summary.failedJobs.length > 0) {
    const listed = summary.failedJobs.slice(0, FAILED_LISTED).map((job) => `${job.id} (${job.reason ?? 'unknown'})`);
    const more = summary.failedJobs.length - listed.length;
    lines.push(`Failed jobs: ${listed.join(', ')}${more > 0 ? ` and ${more} more` : ''}.`);
    lines.push('Their files are in failed/, their records in .fjd/records/ and their output in .fjd/output/.');
    const first = shellQuote(summary.failedJobs[0]?.id ?? '');
    lines.push(`See why with: fjd logs ${first}   (and fjd status ${first} for its record)`);
  }
  return lines;
}

// Why a run halted, in words: "3 jobs failed (--halt soon,fail=3)".
export function haltWords(cause: HaltCause): string {
  const failed = cause.rule.endsWith('%')
    ? `${cause.failed} of ${cause.jobs} job${cause.jobs === 1 ? '' : 's'} failed`
    : `${cause.failed} job${cause.failed === 1 ? '' : 's'} failed`;
  return `${failed} (--halt ${cause.rule})`;
}

// The run's wall time in seconds, as the summary and the --on-done hook give it.
export function wallSeconds(summary: DispatchSummary): string {
  return (summary.wallMs / 1000).toFixed(1);
}
