// `fjd status`: counts of jobs by state, and the workers, for people or as JSON.
import {Command} from 'commander';
import {collectStatus} from '../../status/status.js';
import {EXIT, homeFrom, homeOption, say} from '../common.js';

function since(iso: string | null): string {
  if (iso === null) return '';
  const seconds = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  return seconds < 120 ? `${seconds.toFixed(0)} s` : seconds < 7200 ? `${(seconds / 60).toFixed(0)} min` : `${(seconds / 3600).toFixed(1)} h`;
}

export function statusCommand(): Command {
  return new Command('status')
    .description('show how many jobs are open, assigned, running, finished and failed, and the workers')
    .addOption(homeOption())
    .option('--json', 'print everything as JSON (the schema is in the README)')
    .addHelpText('after', '\nExamples:\n  fjd status\n  fjd status --json | jq .counts')
    .action((options: {home?: string; json?: boolean}) => {
      const report = collectStatus(homeFrom(options));
      if (options.json === true) {
        say(JSON.stringify(report, null, 2));
        process.exitCode = EXIT.ok;
        return;
      }
      const c = report.counts;
      say(`Home: ${report.home}`);
      say(`Jobs: ${c.open} open, ${c.assigned} assigned, ${c.running} running, ${c.finished} finished, ${c.failed} failed`);
      if (report.workers.length === 0) say('Workers: none (hire some with: recruiter hire)');
      else say(`Workers: ${report.workers.length}`);
      for (const w of report.workers) {
        const job = w.job === null ? '' : `  ${w.job}${w.jobStartedAt === null ? '' : ` for ${since(w.jobStartedAt)}`}`;
        const problem = w.problem === null ? '' : `  (cannot record: ${w.problem})`;
        say(`  ${w.id}  ${w.host ?? '?'}  pid ${w.pid ?? '?'}  ${w.state}${job}${problem}`);
      }
      process.exitCode = EXIT.ok;
    });
}
