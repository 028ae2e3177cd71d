// The layers of src/ (README, "Architecture") as `npm run lint` enforces them: an import across
// a layer the wrong way, or between parts without a stated edge, is an error.
import fs from 'node:fs';
import path from 'node:path';
import {ESLint} from 'eslint';
import {describe, expect, it} from 'vitest';
import {REPO} from './helpers/paths.js';

// The project's config, with the layer rule alone and no type information: fast, and the same
// verdicts on imports.
const eslint = new ESLint({
  cwd: REPO,
  overrideConfig: {languageOptions: {parserOptions: {projectService: false}}},
  ruleFilter: ({ruleId}) => ruleId === 'no-restricted-imports',
});

// The layer rule's messages for `file` (a file of src/) with the import `line` put on top.
async function layerErrors(file: string, line: string): Promise<string[]> {
  const text = `${line}\n${fs.readFileSync(path.join(REPO, file), 'utf8')}`;
  const [result] = await eslint.lintText(text, {filePath: path.join(REPO, file)});
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const refused: [string, string][] = [
  ['src/util/shell.ts', "import {planCommand} from '../job/command.js';"],
  ['src/errors.ts', "import {homePaths} from './home/layout.js';"],
  ['src/job/command.ts', "import {homePaths} from '../home/layout.js';"],
  ['src/home/names.ts', "import {Worker} from '../worker/worker.js';"],
  ['src/home/names.ts', "import {runJob} from '../run/run-job.js';"],
  ['src/run/hooks.ts', "import {homePaths} from '../home/layout.js';"],
  ['src/queue/retry.ts', "import {ReadyQueue} from '../dispatcher/schedule.js';"],
  ['src/worker/worker.ts', "import {cancelJobs} from '../queue/cancel.js';"],
  ['src/dispatcher/dispatcher.ts', "import {EXIT} from '../cli/common.js';"],
  ['src/dispatcher/dispatcher.ts', "import {Worker} from '../index.js';"],
  // The dashboard gets fjd status's data from cli/, as functions.
  ['src/dashboard/server.ts', "import {collectStatus} from '../status/status.js';"],
  ['src/status/status.ts', "import {startDashboard} from '../dashboard/server.js';"],
  // An edge goes one way only.
  ['src/slurm/status.ts', "import {collectStatus} from '../status/status.js';"],
  // A type-only edge carries no values.
  ['src/slurm/submit.ts', "import {hireWorkers} from '../recruiter/hire.js';"],
];

const allowed: [string, string][] = [
  ['src/util/shell.ts', "import {FjdError} from '../errors.js';"],
  ['src/errors.ts', "import {shellQuote} from './util/shell.js';"],
  ['src/home/names.ts', "import {planCommand} from '../job/command.js';"],
  ['src/queue/retry.ts', "import {findJob} from '../home/find-job.js';"],
  ['src/worker/worker.ts', "import {runHook} from '../run/hooks.js';"],
  ['src/status/status.ts', "import {listSlurmRecords} from '../slurm/record.js';"],
  ['src/slurm/submit.ts', "import type {HireResult} from '../recruiter/hire.js';"],
  ['src/cli/fjd.ts', "import {Dispatcher} from '../dispatcher/dispatcher.js';"],
  ['src/dashboard/output-tail.ts', "import {readRecord} from '../home/record.js';"],
  ['src/index.ts', "import {EXIT} from './cli/common.js';"],
];

describe('the layers of src/', () => {
  it.each(refused)('%s may not: %s', async (file, line) => {
    const errors = await layerErrors(file, line);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('may import only');
  });

  it.each(allowed)('%s may: %s', async (file, line) => {
    expect(await layerErrors(file, line)).toEqual([]);
  });
});
