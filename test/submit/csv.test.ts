import {describe, expect, it} from 'vitest';
import {errorOf} from '../helpers/errors.js';
import {parseCsv, parseCsvRows} from '../../src/submit/csv.js';

describe('CSV parameter files (RFC 4180)', () => {
  it('reads a header and rows, with LF or CRLF line ends and a byte-order mark', () => {
    const lf = parseCsv('alpha,seed\n0.1,1\n0.2,2\n', 'sweep.csv');
    expect(lf.header).toEqual(['alpha', 'seed']);
    expect(lf.rows).toEqual([
      {line: 2, fields: ['0.1', '1']},
      {line: 3, fields: ['0.2', '2']},
    ]);
    expect(parseCsv('\ufeffalpha,seed\r\n0.1,1\r\n0.2,2', 'sweep.csv')).toEqual(lf);
  });

  it('reads quoted fields with commas, "" quotes and line breaks inside', () => {
    const rows = parseCsvRows('a,b\n"x, y","say ""hi"""\n"two\nlines",\n', 'f.csv');
    expect(rows.map((row) => row.fields)).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
      ['two\nlines', ''],
    ]);
    expect(rows.map((row) => row.line)).toEqual([1, 2, 3]);
  });

  it('skips blank lines, and counts them in the line numbers', () => {
    const table = parseCsv('a,b\n\n1,2\r\n\r\n3,4\n\n', 'f.csv');
    expect(table.rows).toEqual([
      {line: 3, fields: ['1', '2']},
      {line: 5, fields: ['3', '4']},
    ]);
  });

  it('reads a header without rows as no jobs', () => {
    expect(parseCsv('a,b\n', 'f.csv').rows).toEqual([]);
  });

  it.each([
    ['a row with too few fields', 'a,b\n1,2\n3\n', /f\.csv, line 3: 1 field, but the header names 2/],
    ['a row with too many fields', 'a,b\n1,2,3\n', /line 2: 3 fields, but the header names 2/],
    ['an empty header name', 'a,,c\n1,2,3\n', /line 1: column 2 of the header has no name/],
    ['a duplicate header name', 'a,b,A\n1,2,3\n', /line 1: the header names "A" twice/],
    ['an unterminated quote', 'a,b\n1,"2\n3,4\n', /line 2: a quoted field is never closed/],
    ['text after a closing quote', 'a,b\n"1"x,2\n', /line 2: text after the closing quote/],
    ['a quote inside an unquoted field', 'a,b\n1x"y,2\n', /line 2: a quote inside an unquoted field/],
    ['an empty file', '', /line 1: the file has no header row/],
  ])('refuses %s, naming the file and line', (_what, text, message) => {
    const error = errorOf(() => parseCsv(text, 'f.csv'));
    expect(error.code).toBe('BAD_PARAMETERS');
    expect(error.message).toMatch(message);
  });
});
