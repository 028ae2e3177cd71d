// Reading every record of a home one at a time, for a report of them all: which ids have a
// record in .fjd/records/ (names only, from one listing), and each record, or what is wrong
// with it (cannot be read, not JSON, not a record) so that the reader can say which file.
// readRecord (record.ts) serves everything that only needs to know whether a record is there.
import fs from 'node:fs';
import {errnoCode} from '../errors.js';
import type {HomePaths} from './layout.js';
import {listDir, readJsonAfresh} from './atomic.js';
import {recordIdOf, recordPath} from './paths.js';
import type {JobRecord} from './record.js';

// The ids that have a record, in no particular order. Hidden names are not records.
export function recordIds(paths: HomePaths): string[] {
  const ids: string[] = [];
  for (const name of listDir(paths.records)) {
    const id = name.startsWith('.') ? undefined : recordIdOf(name);
    if (id !== undefined) ids.push(id);
  }
  return ids;
}

export type RecordRead = {record: JobRecord} | {record: undefined; file: string; problem: string};

// Whether parsed JSON has the fields every record has.
function isRecord(value: unknown): value is JobRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Partial<JobRecord>;
  return typeof record.id === 'string' && typeof record.name === 'string' && Array.isArray(record.attempts);
}

// One job's record, or the file and why it cannot be used. A record that reads cut short is
// read again afresh, as readRecord does.
export function readRecordOrProblem(paths: HomePaths, id: string): RecordRead {
  const file = recordPath(paths, id);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    return {record: undefined, file, problem: `cannot read it (${errnoCode(error) ?? String(error)})`};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = readJsonAfresh<unknown>(paths.tmp, file);
    if (parsed === undefined) return {record: undefined, file, problem: 'it is not valid JSON'};
  }
  if (!isRecord(parsed)) return {record: undefined, file, problem: 'it is not a job record (no id, name or attempts)'};
  return {record: parsed};
}
