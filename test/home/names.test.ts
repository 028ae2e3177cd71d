import {describe, expect, it} from 'vitest';
import {escapeNonUtf8, jobNameProblem, MAX_ID_BYTES, MAX_JOB_NAME_BYTES, NAME_MAX_BYTES, numberedName, recordableName, truncateBytes} from '../../src/home/names.js';

const bytes = (text: string): number => Buffer.byteLength(text);

describe('how long a name may be', () => {
  it('leaves room for every name derived from an id, and for ~N on the longest job name', () => {
    // .ID.record, ID.json, cancel.ID, ID.N.out with a 10-digit attempt number.
    for (const suffix of ['..record', '.json', 'cancel.', '.1234567890.out']) expect(MAX_ID_BYTES + suffix.length).toBeLessThanOrEqual(NAME_MAX_BYTES);
    expect(bytes(numberedName('x'.repeat(MAX_JOB_NAME_BYTES), 99_999_999_999_999))).toBeLessThanOrEqual(MAX_ID_BYTES);
    expect(numberedName('x'.repeat(MAX_JOB_NAME_BYTES), 99_999_999_999_999)).toBe(`${'x'.repeat(MAX_JOB_NAME_BYTES)}~99999999999999`);
  });

  it('refuses a job name longer than the limit, counted in bytes', () => {
    expect(jobNameProblem('x'.repeat(MAX_JOB_NAME_BYTES))).toBeUndefined();
    expect(jobNameProblem('x'.repeat(MAX_JOB_NAME_BYTES + 1))).toBe(`the job's name has 225 bytes, more than the 224 a job name may have`);
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
