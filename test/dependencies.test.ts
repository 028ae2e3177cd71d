// Every dependency earns its place (README, "Dependencies"): each runtime dependency in
// package.json is imported by src/, and src/ imports no package that is not one (a
// devDependency is not installed with fjd).
import fs from 'node:fs';
import path from 'node:path';
import {expect, it} from 'vitest';
import {REPO} from './helpers/paths.js';

interface Manifest {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as Manifest;

// The package each import of src/ names, by file: `from 'x'`, `from '@s/x/y'`, `import('x')`.
function packagesImported(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const files = fs
    .readdirSync(path.join(REPO, 'src'), {recursive: true, encoding: 'utf8'})
    .filter((f) => f.endsWith('.ts'));
  for (const file of files) {
    const text = fs.readFileSync(path.join(REPO, 'src', file), 'utf8');
    for (const match of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^import\s+)'([^'.][^']*)'/gm)) {
      const specifier = match[1] ?? '';
      if (specifier.startsWith('node:')) continue;
      const parts = specifier.split('/');
      const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? '');
      found.set(name, [...(found.get(name) ?? []), `src/${file}`]);
    }
  }
  return found;
}

it('every runtime dependency is imported by src/', () => {
  const imported = packagesImported();
  const unused = Object.keys(manifest.dependencies ?? {}).filter((name) => !imported.has(name));
  expect(unused, 'dependencies that nothing in src/ imports: remove them, or move them to devDependencies').toEqual([]);
});

it('src/ imports only runtime dependencies', () => {
  const runtime = Object.keys(manifest.dependencies ?? {});
  const undeclared = [...packagesImported()]
    .filter(([name]) => !runtime.includes(name))
    .map(([name, files]) => `${name} (${files.join(', ')})`);
  expect(undeclared, 'packages src/ imports that are not in dependencies').toEqual([]);
});
