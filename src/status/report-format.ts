// How the rows of `fjd report` are written, one line at a time: the columns (the job's, then
// one per [params] key), and the cells as CSV (RFC 4180: a field with a comma, a quote, CR or
// LF is quoted, quotes doubled, lines end in CRLF), TSV (a tab, newline, CR or backslash in a
// field is written \t, \n, \r, \\), JSON lines (one object a line, every [params] key in it)
// and a table for people (columns padded to widths given, a longer cell cut with …).
import type {ReportRow} from './report-rows.js';

export const REPORT_FORMATS = ['table', 'csv', 'tsv', 'json', 'joblog'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

// The job's own columns; `attempt` only when each attempt has a row.
const JOB_COLUMNS = [
  'id',
  'name',
  'state',
  'attempt',
  'attempts',
  'exit',
  'signal',
  'reason',
  'host',
  'started',
  'seconds',
];

export interface Columns {
  // Every column's heading, the job's first.
  headings: string[];
  // The [params] keys, in the order of their columns.
  params: string[];
  allAttempts: boolean;
}

// The columns for these [params] keys: each is named by its key, or `params.KEY` where the
// key is also the name of a job column.
export function columnsFor(params: string[], allAttempts: boolean): Columns {
  const own = JOB_COLUMNS.filter((c) => allAttempts || c !== 'attempt');
  const headings = [...own, ...params.map((key) => (own.includes(key) ? `params.${key}` : key))];
  return {headings, params, allAttempts};
}

function seconds(ms: number | null): string {
  return ms === null ? '' : (ms / 1000).toFixed(3);
}

// A row's cells as text, one per column ('' where nothing is known).
export function cells(row: ReportRow, columns: Columns): string[] {
  const text = (value: string | number | null): string => (value === null ? '' : String(value));
  const own = [
    text(row.id),
    row.name,
    row.state,
    ...(columns.allAttempts ? [text(row.attempt)] : []),
    String(row.attempts),
    text(row.exitCode),
    text(row.signal),
    text(row.reason),
    text(row.host),
    text(row.startedAt),
    seconds(row.durationMs),
  ];
  return [...own, ...columns.params.map((key) => row.params.get(key) ?? '')];
}

export function csvField(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

export function csvLine(fields: string[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

const TSV_ESCAPES: Record<string, string> = {'\t': '\\t', '\n': '\\n', '\r': '\\r', '\\': '\\\\'};

export function tsvLine(fields: string[]): string {
  return `${fields.map((f) => f.replace(/[\t\n\r\\]/g, (c) => TSV_ESCAPES[c] ?? c)).join('\t')}\n`;
}

// A row as one line of JSON, with all its [params].
export function jsonLine(row: ReportRow): string {
  const object = {
    id: row.id,
    name: row.name,
    state: row.state,
    ...(row.attempt === null ? {} : {attempt: row.attempt}),
    attempts: row.attempts,
    exitCode: row.exitCode,
    signal: row.signal,
    reason: row.reason,
    host: row.host,
    startedAt: row.startedAt,
    endedAt: row.endedAt,
    durationMs: row.durationMs,
    file: row.file,
    params: Object.fromEntries(row.params),
  };
  return `${JSON.stringify(object)}\n`;
}

// The widest a table column gets; a longer cell is cut.
export const MAX_TABLE_WIDTH = 40;

// A cell for the table: on one line, at most `width` characters.
function tableCell(cell: string, width: number): string {
  const flat = cell.replace(/[\r\n\t]+/g, ' ');
  return flat.length <= width ? flat : `${flat.slice(0, Math.max(0, width - 1))}…`;
}

// The width of each column for these rows of cells (headings included), at most MAX_TABLE_WIDTH.
export function tableWidths(headings: string[], rows: string[][]): number[] {
  return headings.map((heading, i) =>
    Math.min(
      MAX_TABLE_WIDTH,
      Math.max(heading.length, ...rows.map((r) => (r[i] ?? '').replace(/[\r\n\t]+/g, ' ').length)),
    ),
  );
}

export function tableLine(fields: string[], widths: number[]): string {
  const padded = fields.map((field, i) => {
    const width = widths[i] ?? MAX_TABLE_WIDTH;
    const cell = tableCell(field, width);
    return i === fields.length - 1 ? cell : cell.padEnd(width);
  });
  return `${padded.join('  ').trimEnd()}\n`;
}
