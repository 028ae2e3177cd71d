import {describe, expect, it} from 'vitest';
import {
  dependencyKeys,
  escapeNonUtf8,
  idNumber,
  jobNameProblem,
  MAX_ID_BYTES,
  MAX_JOB_NAME_BYTES,
  NAME_MAX_BYTES,
  numberedName,
  parseId,
  recordableName,
  truncateBytes,
} from '../../src/home/names.js';

const bytes = (text: string): number => Buffer.byteLength(text);

describe('how long a name may be', () => {
  it('leaves room for every name derived from an id, and for ~N on the longest job name', () => {
    // .ID.record, ID.json, cancel.ID, ID.N.out with a 10-digit attempt number.
    for (const suffix of ['..record', '.json', 'cancel.', '.1234567890.out'])
      expect(MAX_ID_BYTES + suffix.length).toBeLessThanOrEqual(NAME_MAX_BYTES);
    expect(bytes(numberedName('x'.repeat(MAX_JOB_NAME_BYTES), 99_999_999_999_999))).toBeLessThanOrEqual(MAX_ID_BYTES);
    expect(numberedName('x'.repeat(MAX_JOB_NAME_BYTES), 99_999_999_999_999)).toBe(
      `${'x'.repeat(MAX_JOB_NAME_BYTES)}~99999999999999`,
    );
  });

  it('refuses a job name longer than the limit, counted in bytes', () => {
    expect(jobNameProblem('x'.repeat(MAX_JOB_NAME_BYTES))).toBeUndefined();
    expect(jobNameProblem('x'.repeat(MAX_JOB_NAME_BYTES + 1))).toBe(
      `the job's name has 225 bytes, more than the 224 a job name may have`,
    );
    // 113 two-byte characters are 226 bytes.
    expect(jobNameProblem('é'.repeat(113))).toMatch(/^the job's name has 226 bytes/);
  });

  it('never numbers a name beyond the limit: the end of the stem gives way, whole characters only', () => {
    const id = 'a'.repeat(MAX_ID_BYTES);
    expect(numberedName(id, 2)).toBe(`${'a'.repeat(MAX_ID_BYTES - 2)}~2`);
    expect(numberedName(`${'a'.repeat(MAX_ID_BYTES - 4)}.ini`, 12)).toBe(`${'a'.repeat(MAX_ID_BYTES - 7)}~12.ini`);
    const wide = numberedName('é'.repeat(MAX_ID_BYTES / 2), 2);
    expect(bytes(wide)).toBeLessThanOrEqual(MAX_ID_BYTES);
    expect(wide).toMatch(/^é+~2$/);
    // In jobqueue/ the limit is a job name's.
    expect(bytes(numberedName('b'.repeat(MAX_JOB_NAME_BYTES), 2, MAX_JOB_NAME_BYTES))).toBe(MAX_JOB_NAME_BYTES);
    // An extension too long to keep: the whole name is numbered.
    expect(numberedName(`a.${'e'.repeat(MAX_ID_BYTES)}`, 3)).toBe(`a.${'e'.repeat(MAX_ID_BYTES - 4)}~3`);
    expect(truncateBytes('aé', 2)).toBe('a');
  });
});

describe('names fjd cannot use as they are', () => {
  it('escapes each byte that is not UTF-8 as %XX, and keeps the characters that are', () => {
    expect(escapeNonUtf8(Buffer.from([0x6f, 0x64, 0x64, 0x2d, 0xff, 0xfe]))).toBe('odd-%FF%FE');
    expect(escapeNonUtf8(Buffer.from('odd-caf\xe9', 'latin1'))).toBe('odd-caf%E9');
    // A character cut short, an overlong form, and a valid é next to them.
    expect(escapeNonUtf8(Buffer.from([0xc3, 0xa9, 0xe2, 0x82, 0x41, 0xc0, 0xaf]))).toBe('é%E2%82A%C0%AF');
    expect(escapeNonUtf8(Buffer.from('plain é'))).toBe('plain é');
  });

  it('gives a name too long a shorter one that fits, told apart from others by a hash', () => {
    const a = recordableName(Buffer.from(`${'L'.repeat(250)}a`));
    const b = recordableName(Buffer.from(`${'L'.repeat(250)}b`));
    expect(bytes(a)).toBe(MAX_JOB_NAME_BYTES);
    expect(a).toMatch(/^L+-[0-9a-f]{8}$/);
    expect(a).not.toBe(b);
    expect(recordableName(Buffer.from('short'))).toBe('short');
  });
});

// Names as users give them, the odd ones included: a numbered id must parse back to exactly
// the name and number it was made from.
const NAMES = ['job0.ini', 'job0', 'a.tar.gz', '.hidden', 'a.', 'x~2', 'x~2.ini', 'a.b~2', 'sim~10~3.cfg', 'run~1.ini'];

describe('job ids (stem~N.ext)', () => {
  it('parse back to the name and number they were made from, for every name', () => {
    for (const name of NAMES) {
      for (const n of [2, 3, 10, 123]) {
        const id = numberedName(name, n);
        expect(parseId(id), id).toEqual({name, number: n});
        expect(idNumber(name, id), id).toBe(n);
      }
    }
  });

  it('the name itself is number 1 of its name, whatever it looks like', () => {
    for (const name of NAMES) expect(idNumber(name, name)).toBe(1);
  });

  it("an id that is not one of a name's is number 0 of it", () => {
    expect(idNumber('a.ini', 'b~2.ini')).toBe(0);
    expect(idNumber('a.ini', 'a~2.cfg')).toBe(0);
    expect(idNumber('a.ini', 'a.ini~2')).toBe(0);
    expect(idNumber('a', 'a.ini')).toBe(0);
    // numberedName writes no ~1, no ~0 and no leading zero: such names are names of their own.
    for (const id of ['a~1.ini', 'a~0.ini', 'a~02.ini']) {
      expect(idNumber('a.ini', id), id).toBe(0);
      expect(parseId(id), id).toEqual({name: id, number: 1});
    }
  });

  it('a dependency may name a job with or without its extension, and means every job of that name', () => {
    expect(dependencyKeys('prep.ini')).toEqual(['prep.ini', 'prep']);
    expect(dependencyKeys('prep~2.ini')).toEqual(['prep.ini', 'prep']);
    expect(dependencyKeys('prep~12')).toEqual(['prep']);
    expect(dependencyKeys('a.tar~3.gz')).toEqual(['a.tar.gz', 'a.tar']);
    expect(dependencyKeys('x~2~3.ini')).toEqual(['x~2.ini', 'x~2']);
  });
});
