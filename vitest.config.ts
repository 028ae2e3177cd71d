import {configDefaults, defineConfig} from 'vitest/config';

// Two suites. `npm test` runs every test but the heavy ones; `npm run test:heavy` (FJD_SUITE=
// heavy) runs those: the soak, the benchmark's counts and scenarios (strace, a dispatch beside
// GNU parallel), and the multi-host tests on real sshd and Slurm. CI runs both (.ci/run).
const HEAVY = ['test/bench/**/*.test.ts', 'test/reliability/soak.test.ts', 'test/remote/**/*.test.ts'];
const heavy = process.env.FJD_SUITE === 'heavy';

export default defineConfig({
  test: {
    include: heavy ? HEAVY : ['test/**/*.test.ts'],
    exclude: heavy ? configDefaults.exclude : [...configDefaults.exclude, ...HEAVY],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    globalSetup: ['test/helpers/global-setup.ts'],
  },
});
