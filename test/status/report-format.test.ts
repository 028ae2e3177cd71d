// The formats of `fjd report` (src/status/report-format.ts, joblog.ts, report.ts), driven with
// rows made here: CSV quoting as RFC 4180 has it, TSV escapes, JSON lines, the table's widths,
// GNU parallel's joblog fields, and the columns of the first rows when there are many.
import {expect, it} from 'vitest';
import {csvLine, jsonLine, tableLine, tableWidths, tsvLine, MAX_TABLE_WIDTH} from '../../src/status/report-format.js';
import {joblogHeader, joblogLine, signalNumber} from '../../src/status/joblog.js';
import {formatRows, LOOKAHEAD} from '../../src/status/report.js';
import type {ReportRow} from '../../src/status/report-rows.js';

function row(id: string, more: Partial<ReportRow> = {}): ReportRow {
  return {
    id,
    name: id,
    state: 'finished',
    attempt: null,
    attempts: 1,
    exitCode: 0,
    signal: null,
    reason: null,
    host: 'vm',
    startedAt: '2026-12-01T10:00:00.250Z',
    endedAt: '2026-12-01T10:00:01.750Z',
    durationMs: 1500,
    command: ['/bin/sh', 'run.sh', 'a b'],
    file: `done/${id}`,
    params: new Map(),
    ...more,
  };
}

const lines = (rows: ReportRow[], format: 'csv' | 'tsv' | 'json' | 'table' | 'joblog', warn = (_: string) => {}) =>
  [...formatRows(rows, {format, allAttempts: false, warn})].join('');

it('CSV quotes a field with a comma, a quote, CR or LF, doubles its quotes, and ends lines in CRLF', () => {
  expect(csvLine(['plain', 'a,b', 'say "hi"', 'two\nlines', 'cr\r', ''])).toBe(
    'plain,"a,b","say ""hi""","two\nlines","cr\r",\r\n',
  );
});

it('TSV writes a tab, newline, CR and backslash in a field as \\t, \\n, \\r and \\\\', () => {
  expect(tsvLine(['a\tb', 'c\nd', 'e\rf', 'g\\h', 'plain'])).toBe('a\\tb\tc\\nd\te\\rf\tg\\\\h\tplain\n');
});

it('JSON lines: one object a line, with every [params] key and nulls where nothing is known', () => {
  const line = jsonLine(
    row('j1', {params: new Map([['seed', '3']]), state: 'failed', exitCode: null, signal: 'SIGKILL'}),
  );
  expect(line.endsWith('\n')).toBe(true);
  expect(line.slice(0, -1)).not.toContain('\n');
  expect(JSON.parse(line)).toMatchObject({
    id: 'j1',
    state: 'failed',
    exitCode: null,
    signal: 'SIGKILL',
    params: {seed: '3'},
  });
});

it('the table pads each column to its widest cell, cuts a cell past the widest allowed, and keeps cells on one line', () => {
  const long = 'x'.repeat(MAX_TABLE_WIDTH + 10);
  const widths = tableWidths(
    ['id', 'reason'],
    [
      ['a', long],
      ['bbbb', 'two\nlines'],
    ],
  );
  expect(widths).toEqual([4, MAX_TABLE_WIDTH]);
  expect(tableLine(['a', long], widths)).toBe(`a     ${'x'.repeat(MAX_TABLE_WIDTH - 1)}…\n`);
  expect(tableLine(['bbbb', 'two\nlines'], widths)).toBe('bbbb  two lines\n');
});

it("a joblog line has GNU parallel's nine tab-separated fields: epoch start and run time with 3 decimals, signal as a number", () => {
  expect(joblogHeader()).toBe('Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n');
  expect(joblogLine(row('j1'), 1)).toBe("1\tvm\t1796119200.250\t     1.500\t0\t0\t0\t0\t/bin/sh run.sh 'a b'\n");
  const killed = joblogLine(
    row('j2', {state: 'failed', exitCode: null, signal: 'SIGTERM', command: ['sh', '-c', 'a\nb']}),
    7,
  );
  expect(killed.split('\t')).toEqual([
    '7',
    'vm',
    '1796119200.250',
    '     1.500',
    '0',
    '0',
    '0',
    '15',
    "sh -c 'a\0b'\n",
  ]);
  // Failed with neither exit code nor signal (it never started): Exitval -1, no host, no time.
  const never = row('j3', {
    state: 'failed',
    exitCode: null,
    host: null,
    startedAt: null,
    endedAt: null,
    durationMs: null,
    command: null,
  });
  expect(joblogLine(never, 2)).toBe('2\t-\t0.000\t     0.000\t0\t0\t-1\t0\t\n');
  expect(signalNumber('SIGKILL')).toBe(9);
  expect(signalNumber(null)).toBe(0);
});

it('the joblog lists only the rows that have ended, numbered from 1', () => {
  const text = lines([row('a'), row('b', {state: 'running'}), row('c', {state: 'failed', exitCode: 2})], 'joblog');
  expect(text.split('\n').map((l) => l.split('\t').slice(0, 1).concat(l.split('\t').slice(6, 7)))).toEqual([
    ['Seq', 'Exitval'],
    ['1', '0'],
    ['2', '2'],
    [''],
  ]);
});

it('the [params] columns are the keys of the first rows; a key first seen later is left out with a warning (JSON keeps it)', () => {
  const many = Array.from({length: LOOKAHEAD + 2}, (_, i) => row(`j${i}`, {params: new Map([['seed', String(i)]])}));
  many.push(
    row('late', {
      params: new Map([
        ['seed', 'x'],
        ['extra', 'y'],
      ]),
    }),
  );
  const warnings: string[] = [];
  const csv = lines(many, 'csv', (w) => warnings.push(w)).split('\r\n');
  expect(csv[0]).toBe('id,name,state,attempts,exit,signal,reason,host,started,seconds,seed');
  expect(csv[LOOKAHEAD + 1]).toMatch(/^j1000,.*,1000$/);
  expect(csv[LOOKAHEAD + 3]).toMatch(/^late,.*,x$/);
  expect(warnings).toEqual([expect.stringContaining('[params] extra of job late is left out')]);
  expect(JSON.parse(lines([many.at(-1) as ReportRow], 'json'))).toMatchObject({params: {seed: 'x', extra: 'y'}});
});

it('a [params] key named like a job column gets its own column, params.KEY', () => {
  const text = lines(
    [
      row('a', {
        params: new Map([
          ['state', 'cold'],
          ['seed', '1'],
        ]),
      }),
    ],
    'tsv',
  );
  expect(text.split('\n')[0]?.split('\t').slice(-2)).toEqual(['params.state', 'seed']);
  expect(text.split('\n')[1]?.split('\t').slice(-2)).toEqual(['cold', '1']);
});

it('streams: a line is written as soon as its row is read (CSV, TSV and the table after the first rows), never after all of them', () => {
  let pulled = 0;
  // Many more rows than any format needs to see first (a format that reads them all fails).
  function* endless(): Generator<ReportRow> {
    while (pulled < 20 * LOOKAHEAD) yield row(`j${++pulled}`);
  }
  // Three lines: three rows of JSON; the joblog's header and two rows; the header of CSV and of
  // the table, once the first rows have given the columns, and two of those rows.
  for (const [format, read] of [
    ['json', 3],
    ['joblog', 2],
    ['csv', LOOKAHEAD],
    ['table', LOOKAHEAD],
  ] as const) {
    pulled = 0;
    const lines = formatRows(endless(), {format, allAttempts: false, warn: () => {}});
    for (let i = 0; i < 3; i++) lines.next();
    expect([format, pulled]).toEqual([format, read]);
  }
});
