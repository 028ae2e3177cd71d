// `recruiter fire` / `fjd fire`: ask this home's workers to leave, on every host: the request
// is a file in the shared home, so no ssh is needed.
import {Command} from 'commander';
import {checkHome} from '../../home/layout.js';
import {fireWorkers, type FireResult} from '../../recruiter/fire.js';
import {cancelSlurmJobs} from '../../slurm/scancel.js';
import {listSlurmRecords, slurmSlots} from '../../slurm/record.js';
import {formatDuration} from '../../util/duration.js';
import {hostName} from '../../util/host.js';
import {EXIT, durationOption, groupSharedFrom, groupSharedOption, homeFrom, homeOption, say, warn} from '../common.js';

export function fireCommand(program = 'recruiter'): Command {
  return new Command('fire')
    .description(
      'stop the worker processes: idle ones at once, busy ones after their running jobs (or now, with --now); cancel the Slurm jobs of hire --slurm',
    )
    .addOption(homeOption())
    .option('--now', 'stop running jobs (their process groups) and put them back in jobqueue/')
    .option('--wait', "wait until busy workers (Slurm's too) have finished their running jobs and left")
    .addOption(groupSharedOption())
    .addOption(durationOption('--timeout <duration>', 'how long to wait for workers to leave', 60_000))
    .addHelpText(
      'after',
      '\nExamples:\n  recruiter fire\n  recruiter fire --now\n  fjd fire --wait --home /shared/run1',
    )
    .action(async (options: {home?: string; now?: boolean; wait?: boolean; timeout: number; groupShared?: boolean}) => {
      const home = homeFrom(options);
      const paths = checkHome(home, {groupShared: groupSharedFrom(options)});
      // The workers of the Slurm jobs about to be cancelled stop now (unless --wait), so that
      // they put their jobs back themselves before Slurm signals them.
      const slurmJobs = new Set(
        listSlurmRecords(paths)
          .filter((r) => r.cancelledAt === null)
          .map((r) => r.job),
      );
      const result = await fireWorkers({
        home,
        groupShared: groupSharedFrom(options),
        now: options.now === true,
        wait: options.wait === true,
        timeoutMs: options.timeout,
        nowFor: options.wait === true ? undefined : (info) => slurmJobs.has(info.slurmJob ?? ''),
      });
      say(firedSentence(result, options.timeout));
      for (const lost of result.lost) {
        const back = lost.requeued.length === 0 ? '' : `; put back in jobqueue/: ${lost.requeued.join(', ')}`;
        // (jobs that lost too many workers went to failed/, with their reason)
        say(`Worker ${lost.id} was no longer running${back}.`);
      }
      const slurm = cancelSlurmJobs(paths, process.env);
      for (const record of slurm.cancelled) {
        const slots = slurmSlots(record);
        say(`Cancelled Slurm job ${record.job} (${slots} slot${slots === 1 ? '' : 's'}).`);
      }
      for (const {record, problem} of slurm.failed) {
        warn(program, `could not cancel Slurm job ${record.job}: ${problem}`);
        warn(program, `cancel it yourself with: scancel ${record.job}`);
        process.exitCode = EXIT.error;
      }
      if (result.remaining.length > 0) {
        const named = result.remaining.map((id) => `${id} (${result.hosts[id] ?? 'host unknown'})`);
        warn(program, `these workers did not leave within ${options.timeout / 1000} s: ${named.join(', ')}`);
        warn(program, 'run the command again later; their logs are in .fjd/logs/ of the home');
        if (result.remaining.some((id) => result.hosts[id] !== hostName())) {
          warn(
            program,
            'a worker of another host that is frozen, or whose host is down, cannot see the request; a dispatcher recovers its jobs once its heartbeat lease runs out',
          );
        }
        process.exitCode = EXIT.error;
        return;
      }
      process.exitCode ??= EXIT.ok;
    });
}

// "2 on node-a, 1 on node-b" when some of the workers ran on other hosts; else nothing.
function perHost(ids: string[], hosts: Record<string, string | null>): string {
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(hosts[id] ?? '?', (counts.get(hosts[id] ?? '?') ?? 0) + 1);
  if ([...counts.keys()].every((host) => host === hostName())) return '';
  return [...counts.keys()]
    .sort()
    .map((host) => `${counts.get(host) ?? 0} on ${host}`)
    .join(', ');
}

// One sentence for every worker told to leave: how many (and their slots, when some worker
// has more than one), how many have left, and how many leave after their jobs or did not leave
// in time, such as "Fired 2 workers (5 slots): 1 has left, 1 leaves after its jobs (vm-7:
// sim3 sim4); use --now …". Workers found dead are told apart.
function firedSentence(result: FireResult, timeoutMs: number): string {
  const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
  const told = [...result.stopped, ...result.draining.map((d) => d.id), ...result.remaining];
  const hosts = perHost(told, result.hosts);
  const slots = told.reduce((sum, id) => sum + (result.slots[id] ?? 1), 0);
  const ofSlots = slots === told.length ? '' : ` (${plural(slots, 'slot', 'slots')})`;
  const fired = `Fired ${plural(told.length, 'worker', 'workers')}${ofSlots}`;
  if (result.draining.length === 0 && result.remaining.length === 0)
    return `${fired}${hosts === '' ? '' : `: ${hosts}`}.`;
  const parts = result.stopped.length === 0 ? [] : [plural(result.stopped.length, 'has left', 'have left')];
  const draining = result.draining.length;
  if (draining > 0) {
    const jobs = result.draining.map((d) => `${d.id}: ${d.jobs.join(' ')}`).join('; ');
    const what = result.draining.some((d) => d.jobs.length > 1) ? 'jobs' : 'job';
    parts.push(`${plural(draining, `leaves after its ${what}`, `leave after their ${what}`)} (${jobs})`);
  }
  if (result.remaining.length > 0)
    parts.push(`${result.remaining.length} did not leave within ${formatDuration(timeoutMs)}`);
  const advice = draining === 0 ? '' : `; use --now to stop ${draining === 1 ? 'it' : 'them'} now, or --wait to wait`;
  return `${fired}${hosts === '' ? '' : ` (${hosts})`}: ${parts.join(', ')}${advice}.`;
}
