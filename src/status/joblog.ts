// GNU parallel's --joblog format, exactly as parallel writes it (its print_joblog), so that
// whatever reads a joblog reads fjd's: a header line, then a line per job that has ended, the
// fields separated by tabs: Seq, Host, Starttime (seconds since the epoch, 3 decimals),
// JobRuntime (seconds, 3 decimals, right-aligned in 10 characters), Send and Receive (bytes
// transferred; fjd transfers none: 0), Exitval, Signal (a number, 0 for none), Command (its
// newlines written as NUL bytes, as parallel does). A job that failed without an exit code or a
// signal (it could not start, it was lost) has Exitval -1, so that `parallel --resume-failed`
// counts it failed.
import os from 'node:os';
import {shellQuote} from '../util/shell.js';
import type {ReportRow} from './report-rows.js';

export const JOBLOG_HEADER = [
  'Seq',
  'Host',
  'Starttime',
  'JobRuntime',
  'Send',
  'Receive',
  'Exitval',
  'Signal',
  'Command',
];

// A signal's number by its name (SIGTERM → 15); 0 for none, or one this system does not know.
export function signalNumber(signal: string | null): number {
  if (signal === null) return 0;
  const signals = os.constants.signals as Record<string, number | undefined>;
  return signals[signal] ?? signals[`SIG${signal}`] ?? 0;
}

function epochSeconds(iso: string | null): number {
  const ms = iso === null ? NaN : Date.parse(iso);
  return Number.isFinite(ms) ? ms / 1000 : 0;
}

function exitval(row: ReportRow): number {
  if (row.exitCode !== null) return row.exitCode;
  if (row.signal !== null || row.state === 'finished') return 0;
  return -1;
}

export function joblogHeader(): string {
  return `${JOBLOG_HEADER.join('\t')}\n`;
}

// The joblog line of a row that has ended; `seq` is its number in the log, from 1.
export function joblogLine(row: ReportRow, seq: number): string {
  const command = (row.command ?? []).map(shellQuote).join(' ').replace(/\n/g, '\0');
  const runtime = (row.durationMs ?? 0) / 1000;
  return `${[
    String(seq),
    row.host === null || row.host === '' ? '-' : row.host.replace(/\s/g, '_'),
    epochSeconds(row.startedAt ?? row.endedAt).toFixed(3),
    runtime.toFixed(3).padStart(10),
    '0',
    '0',
    String(exitval(row)),
    String(signalNumber(row.signal)),
    command,
  ].join('\t')}\n`;
}
