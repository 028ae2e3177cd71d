// `fjd report`: the rows of a home (report-rows.ts) written in a format (report-format.ts,
// joblog.ts), streamed a line at a time so that memory stays bounded however many jobs the
// home holds. CSV, TSV and the table need their columns before the first line: the [params]
// keys are those of the first LOOKAHEAD rows (held until then), and so are the table's
// widths; a key first seen later is left out of those formats, with a warning (JSON lines
// carry every key).
import type {HomePaths} from '../home/layout.js';
import {joblogHeader, joblogLine} from './joblog.js';
import {
  cells,
  columnsFor,
  csvLine,
  jsonLine,
  tableLine,
  tableWidths,
  tsvLine,
  type Columns,
  type ReportFormat,
} from './report-format.js';
import {ENDED_STATES, reportRows, type ReportRow, type RowState} from './report-rows.js';

export const LOOKAHEAD = 1000;

export interface ReportOptions {
  format: ReportFormat;
  allAttempts: boolean;
  states?: ReadonlySet<RowState>;
  warn: (message: string) => void;
}

// The [params] keys of these rows, in the order they first appear.
function paramKeys(rows: ReportRow[]): string[] {
  const keys = new Set<string>();
  for (const row of rows) for (const key of row.params.keys()) keys.add(key);
  return [...keys];
}

// The lines of the report of a home, each ending in its newline.
export function* reportLines(paths: HomePaths, options: ReportOptions): Generator<string> {
  yield* formatRows(reportRows(paths, options), options);
}

// The lines of a report of these rows.
export function* formatRows(rows: Iterable<ReportRow>, options: Omit<ReportOptions, 'states'>): Generator<string> {
  if (options.format === 'json') {
    for (const row of rows) yield jsonLine(row);
    return;
  }
  if (options.format === 'joblog') {
    yield joblogHeader();
    let seq = 0;
    for (const row of rows) if (ENDED_STATES.has(row.state)) yield joblogLine(row, ++seq);
    return;
  }
  const iterator = rows[Symbol.iterator]();
  const first: ReportRow[] = [];
  for (let next = iterator.next(); ; next = iterator.next()) {
    if (next.done === true) break;
    first.push(next.value);
    if (first.length === LOOKAHEAD) break;
  }
  const columns = columnsFor(paramKeys(first), options.allAttempts);
  const left = new Set<string>();
  const lineOf = lineWriter(options.format, columns, first);
  yield lineOf(columns.headings);
  for (const row of first) yield lineOf(cells(row, columns));
  const known = new Set(columns.params);
  for (let next = iterator.next(); next.done !== true; next = iterator.next()) {
    const row = next.value;
    for (const key of row.params.keys()) {
      if (known.has(key) || left.has(key)) continue;
      left.add(key);
      options.warn(
        `[params] ${key} of job ${row.id ?? row.name} is left out: the columns are the keys of the first ${LOOKAHEAD} jobs (--format json shows every key)`,
      );
    }
    yield lineOf(cells(row, columns));
  }
}

function lineWriter(format: ReportFormat, columns: Columns, first: ReportRow[]): (fields: string[]) => string {
  if (format === 'csv') return csvLine;
  if (format === 'tsv') return tsvLine;
  const widths = tableWidths(
    columns.headings,
    first.map((row) => cells(row, columns)),
  );
  return (fields) => tableLine(fields, widths);
}
