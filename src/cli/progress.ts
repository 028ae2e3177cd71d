// The dispatcher's progress, as a person sees it. On a terminal: one live line, redrawn in
// place (`\r`, the line, erase to its end) at most five times a second, never wider than the
// terminal, so that it neither flickers nor scrolls; any other line first erases it and then
// puts it back. In a log: a plain line every few seconds when something changed.
import type {DispatchProgress} from '../dispatcher/dispatcher.js';

// How the display shows itself: a live line, plain lines, or nothing at all (--quiet).
export type ProgressMode = 'live' | 'plain' | 'off';

// The stream the display writes to; a TTY stream tells its width.
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  mode: ProgressMode;
  color: boolean;
  stream: ProgressStream;
  // Another stream lines may be printed on (stderr): on a terminal it shares the screen.
  other?: ProgressStream;
  counts: () => DispatchProgress;
  // How often a plain line may be printed.
  plainEveryMs?: number;
  now?: () => number;
}

const LIVE_EVERY_MS = 200;
const RATE_WINDOW_MS = 30_000;
const ERASE_LINE = '\x1b[K';
const RED = '\x1b[31m';
const DEFAULT_COLOR = '\x1b[39m';

// A live line on a terminal that can redraw in place; plain lines otherwise (a pipe, a log,
// TERM=dumb); nothing with --quiet.
export function progressMode(
  stream: ProgressStream,
  quiet: boolean,
  env: NodeJS.ProcessEnv = process.env,
): ProgressMode {
  if (quiet) return 'off';
  return stream.isTTY === true && env.TERM !== 'dumb' ? 'live' : 'plain';
}

// Colour only on a terminal, and never when NO_COLOR is set to anything (https://no-color.org).
export function useColor(stream: ProgressStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '') && env.TERM !== 'dumb';
}

// Jobs per second over the last ~30 s, or over the last ten completions when they are
// slower than that, so that hour-long jobs still get a rate. Fed with the count of ended jobs.
export class RateWindow {
  private readonly samples: {at: number; ended: number}[];
  private readonly startedAt: number;

  constructor(now: number) {
    this.startedAt = now;
    this.samples = [{at: now, ended: 0}];
  }

  note(now: number, ended: number): void {
    const last = this.samples.at(-1);
    if (last !== undefined && last.ended === ended) return;
    this.samples.push({at: now, ended});
    // Keep what the window may still need: samples of the last 30 s, and the ten completions.
    while (this.samples.length > 2) {
      const second = this.samples[1];
      if (second === undefined || second.at > now - RATE_WINDOW_MS || ended - second.ended < 10) break;
      this.samples.shift();
    }
  }

  // Jobs per second, or undefined while there is no completion to base it on.
  rate(now: number, ended: number): number | undefined {
    if (ended === 0 || now - this.startedAt < 1000) return undefined;
    let from = Math.max(this.startedAt, now - RATE_WINDOW_MS);
    let base = 0;
    for (const sample of this.samples) if (sample.at <= from) base = sample.ended;
    if (ended - base < 10) {
      // Few completions lately: reach back to the tenth-last one, or to the start.
      let tenth: {at: number; ended: number} | undefined;
      for (const sample of this.samples) if (ended - sample.ended >= 10) tenth = sample;
      if (tenth === undefined) {
        from = this.startedAt;
        base = 0;
      } else if (tenth.at < from) {
        from = tenth.at;
        base = tenth.ended;
      }
    }
    return (ended - base) / ((now - from) / 1000);
  }
}

// 1234567 → "1,234,567".
export function thousands(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

// Jobs per second as people read them: "412", "3.5", "0.02".
export function formatRate(rate: number): string {
  if (rate >= 100) return thousands(rate);
  if (rate >= 10) return rate.toFixed(0);
  if (rate >= 1) return rate.toFixed(1);
  return rate.toPrecision(1);
}

// A time left: "21 s", "3 min 32 s", "2 h 5 min", "3 d 4 h".
export function formatEta(ms: number): string {
  const s = Math.ceil(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}

interface Figures {
  done: string;
  total: string;
  running: string;
  failed: string;
  failedCount: number;
  rate: string;
  eta: string;
}

function figures(counts: DispatchProgress, rate: number | undefined): Figures {
  const total = counts.finished + counts.failed + counts.assigned + counts.open;
  const left = counts.assigned + counts.open;
  return {
    done: thousands(counts.finished),
    total: thousands(total),
    running: thousands(counts.running),
    failed: thousands(counts.failed),
    failedCount: counts.failed,
    rate: rate === undefined ? '--' : formatRate(rate),
    eta: counts.held ?? (rate === undefined || rate <= 0 ? '--' : formatEta((left / rate) * 1000)),
  };
}

// The plain line for a log: "Progress: 1,234/10,000 done, 2 running, 3 failed, 412 jobs/s, ETA 21 s."
export function plainLine(counts: DispatchProgress, rate: number | undefined): string {
  const f = figures(counts, rate);
  return `Progress: ${f.done}/${f.total} done, ${f.running} running, ${f.failed} failed, ${f.rate} jobs/s, ETA ${f.eta}.`;
}

// The live line in at most `width` columns: in full, else in short words, else cut; the
// failed count in red when there are failures.
export function liveLine(counts: DispatchProgress, rate: number | undefined, width: number, color: boolean): string {
  const f = figures(counts, rate);
  let parts = [
    `${f.done}/${f.total} done`,
    `${f.running} running`,
    `${f.failed} failed`,
    `${f.rate} jobs/s`,
    `ETA ${f.eta}`,
  ];
  if (parts.join(' · ').length > width)
    parts = [`${f.done}/${f.total}`, `${f.running} run`, `${f.failed} failed`, `${f.rate}/s`, `ETA ${f.eta}`];
  let line = parts.join(' · ');
  if (line.length > width) line = line.slice(0, Math.max(0, width));
  if (!color || f.failedCount === 0) return line;
  // Colour the failed count only where it survived the cut whole.
  const failed = parts[2] ?? '';
  const at = parts.slice(0, 2).join(' · ').length + ' · '.length;
  if (at + failed.length > line.length) return line;
  return `${line.slice(0, at)}${RED}${failed}${DEFAULT_COLOR}${line.slice(at + failed.length)}`;
}

// The display: start() it, print other lines through line(), stop() it before the summary.
export class ProgressDisplay {
  readonly mode: ProgressMode;
  private readonly options: ProgressOptions;
  private readonly now: () => number;
  private readonly rate: RateWindow;
  private timer: NodeJS.Timeout | undefined;
  // What the live line shows now ('' when it is not on the screen).
  private shown = '';
  private lastPlain = '';
  private lastPlainAt: number;

  constructor(options: ProgressOptions) {
    this.options = options;
    this.mode = options.mode;
    this.now = options.now ?? (() => performance.now());
    this.rate = new RateWindow(this.now());
    this.lastPlainAt = this.now();
  }

  start(): void {
    if (this.mode === 'off' || this.timer !== undefined) return;
    this.timer = setInterval(() => this.tick(), LIVE_EVERY_MS);
    this.timer.unref();
  }

  // Prints a whole line (to stderr with `toOther`), keeping the live line below it.
  line(text: string, toOther = false): void {
    const {stream, other} = this.options;
    const target = toOther && other !== undefined ? other : stream;
    if (this.shown === '') {
      target.write(`${text}\n`);
      return;
    }
    // The line below it shows the counts as they are now (a failure just counted, say).
    this.shown = this.render(this.options.counts());
    if (target === stream) {
      stream.write(`\r${ERASE_LINE}${text}\n${this.shown}${ERASE_LINE}`);
      return;
    }
    // Another stream on the same screen: take the live line away first, then put it back.
    const shared = target.isTTY === true;
    if (shared) stream.write(`\r${ERASE_LINE}`);
    target.write(`${text}\n`);
    if (shared) stream.write(`${this.shown}${ERASE_LINE}`);
  }

  // Whether failures may be shown in red.
  get color(): boolean {
    return this.options.color;
  }

  // Takes the live line off the screen and stops redrawing; the summary follows.
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    if (this.shown !== '') this.options.stream.write(`\r${ERASE_LINE}`);
    this.shown = '';
  }

  private tick(): void {
    const now = this.now();
    const counts = this.options.counts();
    const ended = counts.finished + counts.failed;
    this.rate.note(now, ended);
    const rate = this.rate.rate(now, ended);
    if (this.mode === 'live') {
      const text = this.render(counts);
      if (text === this.shown) return;
      this.shown = text;
      this.options.stream.write(`\r${text}${ERASE_LINE}`);
      return;
    }
    const every = this.options.plainEveryMs ?? 5000;
    if (now - this.lastPlainAt < every) return;
    // Printed when a count changed, not for a rate that drifts.
    const key = JSON.stringify(counts);
    if (key === this.lastPlain) return;
    this.lastPlain = key;
    this.lastPlainAt = now;
    this.options.stream.write(`${plainLine(counts, rate)}\n`);
  }

  private render(counts: DispatchProgress): string {
    const rate = this.rate.rate(this.now(), counts.finished + counts.failed);
    return liveLine(counts, rate, this.width() - 1, this.options.color);
  }

  private width(): number {
    const columns = this.options.stream.columns;
    if (columns !== undefined && columns > 0) return columns;
    const fromEnv = Number(process.env.COLUMNS);
    return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 80;
  }
}
