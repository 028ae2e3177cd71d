// What `recruiter hire` says, in one vocabulary: a worker is a process; its slots are how
// many jobs it runs at once. Also the options that pass a worker's capacity on (--cpus,
// --memory, --gpus, with the meanings of `worker --help`), as worker arguments. Pure.
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import type {HostOutcome} from '../recruiter/remote.js';
import {gpuIds, memorySize} from './common.js';

export const slotsWord = (n: number): string => `${n} slot${n === 1 ? '' : 's'}`;

// "Hired a worker with 4 slots on node-a."
export function hiredLine(slots: number, host: string): string {
  return `Hired a worker with ${slotsWord(slots)} on ${host}.`;
}

// The capacity a hire passes on to its worker, as given (each checked as `worker` checks it).
export interface CapacityArgs {
  cpus?: number;
  memory?: string;
  gpus?: string;
}

// --memory: checked as `worker` checks it, passed on as written.
export function memoryArg(value: string): string {
  memorySize('--memory')(value);
  return value.trim();
}

// --gpus: checked as `worker` checks it, passed on as a plain list (`none` for none).
export function gpusArg(value: string): string {
  const ids = gpuIds('--gpus')(value);
  return ids.length === 0 ? 'none' : ids.join(',');
}

export function capacityArgs(options: CapacityArgs): string[] {
  const args: string[] = [];
  if (options.cpus !== undefined) args.push('--cpus', String(options.cpus));
  if (options.memory !== undefined) args.push('--memory', options.memory);
  if (options.gpus !== undefined) args.push('--gpus', options.gpus);
  return args;
}

// How hiring went on each host: a line for each host hired on, and warnings (without the
// program's name) for the ones that failed and what to do about them.
export function hostsReport(outcomes: HostOutcome[], home: string): {said: string[]; warned: string[]} {
  const said = outcomes.filter((o) => o.ok).map((o) => hiredLine(o.slots, o.host.name));
  const failed = outcomes.filter((o) => !o.ok);
  if (failed.length === 0) return {said, warned: []};
  const warned = failed.map((o) => `${o.host.name}: could not hire: ${(o.error ?? '').replaceAll('\n', '\n  ')}`);
  warned.push(`${failed.length} of ${outcomes.length} hosts failed; the others keep their workers.`);
  const first = failed[0]?.host.name ?? 'HOST';
  const install = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
  warned.push(
    `check that \`ssh ${first} true\` works without a password prompt, and that ${first} has fjd at ${install} and the home at ${home};`,
    'then hire on those hosts again with --hosts FILE, a hosts file that lists only them',
  );
  return {said, warned};
}

// What a hire says of the home's workers of an earlier fjd, which run beside the new ones.
export function earlierWorkersNote(ids: string[], program: string): string {
  const named = ids.length > 3 ? `${ids.slice(0, 3).join(', ')} and ${ids.length - 3} more` : ids.join(', ');
  const they =
    ids.length === 1
      ? `1 worker of an earlier fjd (${named}), which runs`
      : `${ids.length} workers of an earlier fjd (${named}), which run`;
  return `note: this home also has ${they} one job at a time beside the new one; to have only new workers, run ${program} fire --wait, then hire again`;
}
