// The schema of `fjd status --json`, as the README's table documents it: each field's path
// (`jobs[].state` for a field of every element of `jobs`) and the types it may have, written
// as in TypeScript (`string | null`, `"idle" | "busy"`, `1`). Tests check real output against
// it, and check that the README's table says the same.
import fs from 'node:fs';
import path from 'node:path';
import {REPO} from './paths.js';

export type Schema = Record<string, string[]>;

const jobState = ['"open"', '"assigned"', '"running"', '"finished"', '"failed"'];

export const STATUS_SCHEMA: Schema = {
  fjd: ['1'],
  home: ['string'],
  'counts.open': ['number'],
  'counts.assigned': ['number'],
  'counts.running': ['number'],
  'counts.finished': ['number'],
  'counts.failed': ['number'],
  paused: ['null'],
  'paused.pausedAt': ['string'],
  'paused.by': ['string'],
  'jobs[].name': ['string'],
  'jobs[].id': ['string', 'null'],
  'jobs[].state': jobState,
  'jobs[].file': ['string'],
  'jobs[].worker': ['string', 'null'],
  'jobs[].reason': ['string', 'null'],
  'workers[].id': ['string'],
  'workers[].host': ['string', 'null'],
  'workers[].pid': ['number', 'null'],
  'workers[].state': ['"idle"', '"busy"', '"between"', '"lost"', '"starting"'],
  'workers[].job': ['string', 'null'],
  'workers[].jobStartedAt': ['string', 'null'],
  'workers[].jobRunningForMs': ['number', 'null'],
  'workers[].log': ['string', 'null'],
  'workers[].problem': ['string', 'null'],
  'workers[].capacity': ['null'],
  'workers[].capacity.slots': ['number'],
  'workers[].capacity.cpus': ['number'],
  'workers[].capacity.memoryBytes': ['number', 'null'],
  'workers[].capacity.gpus[]': ['string'],
  'workers[].earlierFjd': ['boolean'],
  'workers[].free': ['null'],
  'workers[].free.slots': ['number'],
  'workers[].free.cpus': ['number'],
  'workers[].free.memoryBytes': ['number', 'null'],
  'workers[].free.gpus': ['number'],
  'workers[].running[].slot': ['number'],
  'workers[].running[].job': ['string'],
  'workers[].running[].attempt': ['number'],
  'workers[].running[].startedAt': ['string'],
  'workers[].running[].runningForMs': ['number', 'null'],
  'workers[].running[].request.cpus': ['number'],
  'workers[].running[].request.memoryBytes': ['number'],
  'workers[].running[].request.gpus': ['number'],
  'workers[].running[].gpuIds[]': ['string'],
  'workers[].assigned[]': ['string'],
  'slots.total': ['number'],
  'slots.busy': ['number'],
  'rate.jobsPerSecond': ['number', 'null'],
  'rate.windowSeconds': ['number', 'null'],
  etaSeconds: ['number', 'null'],
  'slurmJobs[].job': ['string'],
  'slurmJobs[].slots': ['number'],
  'slurmJobs[].state': ['string', 'null'],
  'slurmJobs[].nodes': ['string', 'null'],
  'slurmJobs[].ended': ['boolean', 'null'],
  'slurmJobs[].problem': ['string', 'null'],
  'limits[].group': ['string'],
  'limits[].limit': ['number'],
  'limits[].out': ['number'],
  'polling[].process': ['"dispatcher"', '"worker"'],
  'polling[].worker': ['string', 'null'],
  'polling[].host': ['string'],
  'polling[].pid': ['number'],
  'polling[].reason': ['string'],
};

// Fields a short real run does not show (a worker still starting, GPUs, a job assigned and not
// started yet): test/cli/status-slots.test.ts shows each of them, on a home built by hand; a
// paused queue: test/cli/pause.test.ts.
const SHOWN_BY_HAND = [
  'paused.pausedAt',
  'paused.by',
  'workers[].capacity',
  'workers[].free',
  'workers[].capacity.gpus[]',
  'workers[].running[].gpuIds[]',
  'workers[].assigned[]',
];

// Whether a problem of schemaProblems is only that one of those fields did not occur.
export function shownByHand(problem: string): boolean {
  return SHOWN_BY_HAND.some((field) => problem === `${field} did not occur`);
}

function matches(value: unknown, type: string): boolean {
  if (type === 'null') return value === null;
  if (type === 'string' || type === 'number' || type === 'boolean')
    return typeof value === type && (type !== 'number' || Number.isFinite(value));
  return JSON.stringify(value) === type;
}

// Every leaf of `value` with its schema path: [path, value].
export function leaves(value: unknown, at = ''): [string, unknown][] {
  if (Array.isArray(value)) return value.flatMap((item) => leaves(item, `${at}[]`));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => leaves(item, at === '' ? key : `${at}.${key}`));
  }
  return [[at, value]];
}

// What in `value` disagrees with `schema`: undocumented fields, wrong types, and documented
// fields that never occur.
export function schemaProblems(value: unknown, schema: Schema): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [at, leaf] of leaves(value)) {
    seen.add(at);
    const types = schema[at];
    if (types === undefined) problems.push(`${at} is not in the schema`);
    else if (!types.some((type) => matches(leaf, type)))
      problems.push(`${at} = ${JSON.stringify(leaf)} is not ${types.join(' | ')}`);
  }
  for (const at of Object.keys(schema)) if (!seen.has(at)) problems.push(`${at} did not occur`);
  return problems;
}

// The schema table of the README's `fjd status --json` section (rows of `field` | `type`),
// or undefined when it has none.
export function readmeStatusSchema(): Schema | undefined {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const section = /^### `fjd status --json`$([\s\S]*?)^##/m.exec(readme)?.[1] ?? '';
  const rows = [...section.matchAll(/^\| `([\w.[\]]+)` \| `((?:[^`]|\\\|)+)` \|/gm)];
  if (rows.length === 0) return undefined;
  return Object.fromEntries(rows.map((row) => [row[1] ?? '', (row[2] ?? '').split('\\|').map((type) => type.trim())]));
}
