// The report CSV the dashboard links to: a row per job of the home, its id, name, state,
// reason and host from its record. A stand-in until `fjd report` (issue 17) lands, whose CSV
// the link should then give.
import fs from 'node:fs';
import type {HomePaths} from '../home/layout.js';
import {recordIdOf} from '../home/paths.js';
import {readRecord} from '../home/record.js';

function field(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function* reportCsv(paths: HomePaths): Generator<string> {
  yield 'id,name,state,exit,reason,host\n';
  let names: string[];
  try {
    names = fs.readdirSync(paths.records).sort();
  } catch {
    return;
  }
  for (const name of names) {
    const id = recordIdOf(name);
    const record = id === undefined ? undefined : readRecord(paths, id);
    if (record === undefined) continue;
    yield `${[record.id, record.name, record.state, record.exitCode, record.reason, record.host].map(field).join(',')}\n`;
  }
}
