// Reading a parameter sweep from CSV, as RFC 4180 writes it: fields separated by commas,
// quoted fields with `""` for a quote and commas or line breaks inside, CRLF or LF line ends,
// an optional UTF-8 byte-order mark. The first row names the keys; each further row is a job.
import {FjdError} from '../errors.js';

export interface CsvRow {
  // The line the row starts on, counting from 1, for error messages.
  line: number;
  fields: string[];
}

export interface CsvTable {
  header: string[];
  rows: CsvRow[];
}

function csvError(source: string, line: number, message: string): FjdError {
  return new FjdError('BAD_PARAMETERS', `${source}, line ${line}: ${message}`, {
    path: source,
    hint: 'The first row names the keys; every further row has one value per key; quote a value with "…" when it holds a comma, a quote ("") or a line break.',
  });
}

// Splits CSV text into rows of fields; blank lines are skipped.
export function parseCsvRows(text: string, source: string): CsvRow[] {
  const input = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rows: CsvRow[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let rowLine = 1;
  // Whether the current row has anything in it yet (a blank line has not).
  let started = false;
  let i = 0;
  const endRow = (): void => {
    fields.push(field);
    // A row of one empty or white field is a blank line.
    if (started && !(fields.length === 1 && field.trim() === '')) rows.push({line: rowLine, fields});
    fields = [];
    field = '';
    started = false;
  };
  while (i < input.length) {
    const ch = input[i];
    if (ch === '"') {
      if (field !== '')
        throw csvError(
          source,
          line,
          'a quote inside an unquoted field (quote the whole field, and write a quote as "")',
        );
      const quoteLine = line;
      started = true;
      i++;
      for (;;) {
        if (i >= input.length) throw csvError(source, quoteLine, 'a quoted field is never closed');
        const c = input[i];
        if (c === '"') {
          if (input[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (c === '\n') line++;
        if (c === '\r' && input[i + 1] !== '\n') line++;
        field += c;
        i++;
      }
      const next = input[i];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
        throw csvError(source, line, 'text after the closing quote of a field (write a quote inside a field as "")');
      }
      continue;
    }
    if (ch === ',') {
      started = true;
      fields.push(field);
      field = '';
      i++;
      continue;
    }
    if (ch === '\r' || ch === '\n') {
      endRow();
      i += ch === '\r' && input[i + 1] === '\n' ? 2 : 1;
      line++;
      rowLine = line;
      continue;
    }
    if (!started) rowLine = line;
    started = true;
    field += ch;
    i++;
  }
  endRow();
  return rows;
}

// Reads a CSV table: its header names the keys, and every row must have one field per key.
export function parseCsv(text: string, source: string): CsvTable {
  const [first, ...rows] = parseCsvRows(text, source);
  if (first === undefined) throw csvError(source, 1, 'the file has no header row (and no jobs)');
  const header = first.fields.map((name) => name.trim());
  const seen = new Map<string, number>();
  header.forEach((name, index) => {
    if (name === '') throw csvError(source, first.line, `column ${index + 1} of the header has no name`);
    const lower = name.toLowerCase();
    const earlier = seen.get(lower);
    if (earlier !== undefined)
      throw csvError(
        source,
        first.line,
        `the header names "${name}" twice (columns ${earlier + 1} and ${index + 1}; keys are case-insensitive)`,
      );
    seen.set(lower, index);
  });
  for (const row of rows) {
    if (row.fields.length !== header.length) {
      throw csvError(
        source,
        row.line,
        `${row.fields.length} field${row.fields.length === 1 ? '' : 's'}, but the header names ${header.length}`,
      );
    }
  }
  return {header, rows};
}
