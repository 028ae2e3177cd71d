// The page's files: a fixed list served from assets/dashboard/ of the installed package (next
// to dist/), never a path taken from the request. Each is read once and kept.
import fs from 'node:fs';
import {fileURLToPath} from 'node:url';

const DIR = fileURLToPath(new URL('../../assets/dashboard/', import.meta.url));

const TYPES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'dashboard.js': 'text/javascript; charset=utf-8',
  'dashboard.css': 'text/css; charset=utf-8',
};

export interface Asset {
  type: string;
  body: Buffer;
}

const cache = new Map<string, Asset>();

// The asset of this name, if it is one; throws if the package lacks its file.
export function asset(name: string): Asset | undefined {
  const type = TYPES[name];
  if (type === undefined) return undefined;
  let found = cache.get(name);
  if (found === undefined) {
    found = {type, body: fs.readFileSync(`${DIR}${name}`)};
    cache.set(name, found);
  }
  return found;
}

// Where the assets are, for an error that says the package is incomplete.
export const ASSETS_DIR = DIR;
