// Lint: the recommended JavaScript and typescript-eslint rules, type-aware for src/ and test/,
// and the layers of src/ (README, "Architecture"), checked by no-restricted-imports.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// ---- the layers of src/ -------------------------------------------------------------------
// Each module (a folder of src/, or a file at its top) may import the modules listed for it,
// and itself. The bottom is the ground; cli/ and index.ts, on top, may import anything.
const GROUND = ['util', 'errors', 'version'];
const PARTS = ['dispatcher', 'worker', 'recruiter', 'slurm', 'queue', 'submit', 'status', 'dashboard'];
const MODULES = [...GROUND, 'job', 'home', 'run', ...PARTS, 'cli', 'index'];
const MAY_IMPORT = {
  util: GROUND,
  errors: GROUND,
  version: GROUND,
  // Reading and parsing job files, the command plan.
  job: GROUND,
  // The protocol: every path, name, transition, record and request of the home.
  home: [...GROUND, 'job'],
  // Running processes: a job's command, the hooks.
  run: [...GROUND, 'job'],
  ...Object.fromEntries(PARTS.map((part) => [part, [...GROUND, 'job', 'home', 'run']])),
};
// The only edges between parts, one way each.
const EDGES = {
  // fjd status shows the Slurm jobs of the home with their state from squeue.
  status: ['slurm'],
};
// Edges for types alone (import type).
const TYPE_EDGES = {
  // A Slurm hire takes the local hire's options (HireOptions), less its wait.
  slurm: ['recruiter'],
};

// An import of any of `modules`, from a file at the top of src/ (`./x`) or in a folder (`../x`).
function importOf(modules, top) {
  return `^${top ? '\\./' : '(?:\\.\\./)+'}(?:${modules.join('|')})(?:/|\\.js$)`;
}

function layerRule(module) {
  const top = !['util', 'job', 'home', 'run', ...PARTS].includes(module);
  const allowed = new Set([module, ...MAY_IMPORT[module], ...(EDGES[module] ?? [])]);
  const typesOnly = TYPE_EDGES[module] ?? [];
  const forbidden = MODULES.filter((m) => !allowed.has(m) && !typesOnly.includes(m));
  const others = [...allowed].filter((m) => m !== module).join(', ') || 'nothing of fjd';
  const types = typesOnly.length > 0 ? ` (and types of ${typesOnly.join(', ')})` : '';
  const says = `src/${module}${top ? '.ts' : '/'} may import only ${others}${types}: move what both need down a layer (README, "Architecture")`;
  const patterns = [{regex: importOf(forbidden, top), message: says}];
  if (typesOnly.length > 0) patterns.push({regex: importOf(typesOnly, top), allowTypeImports: true, message: says});
  return {
    files: [top ? `src/${module}.ts` : `src/${module}/**/*.ts`],
    rules: {'no-restricted-imports': ['error', {patterns}]},
  };
}

export default tseslint.config(
  {ignores: ['dist/', 'node_modules/', 'coverage/', 'example/jobqueue/', 'example/data/']},
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {parserOptions: {projectService: true, tsconfigRootDir: import.meta.dirname}},
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', caughtErrors: 'none'}],
      'no-console': 'off',
    },
  },
  ...Object.keys(MAY_IMPORT).map(layerRule),
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: Object.fromEntries(
        [
          'process',
          'console',
          'performance',
          'setTimeout',
          'clearTimeout',
          'setInterval',
          'clearInterval',
          'Buffer',
          'URL',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
  // The dashboard's page runs in a browser.
  {
    files: ['assets/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: Object.fromEntries(['document', 'fetch', 'setTimeout', 'performance'].map((name) => [name, 'readonly'])),
    },
  },
);
