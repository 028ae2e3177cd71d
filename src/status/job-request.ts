// What an open job asks of its worker, read from its file for `fjd status JOB`: the cpus,
// memory and gpus of its [control] (or [fjd]) section, or of [DEFAULT], as the dispatcher
// reads them. Only those keys are read, so a file with another problem still tells them.
import fs from 'node:fs';
import {decodeJobText, parseIni} from '../job/job-file.js';
import {DEFAULT_REQUEST, parseRequest, type Request} from '../job/resources.js';

const REQUEST_KEYS = ['cpus', 'memory', 'gpus'];

// The job's request; the default when the file cannot be read or its request is not valid
// (the dispatcher fails such a job, saying why).
export function jobRequest(file: string): Request {
  try {
    const document = parseIni(decodeJobText(fs.readFileSync(file)));
    const section = [...document.sections].find(([name]) => ['control', 'fjd'].includes(name.toLowerCase()))?.[1];
    const values = new Map<string, string>();
    for (const key of REQUEST_KEYS) {
      const value = section?.get(key) ?? document.defaults.get(key);
      if (value !== undefined) values.set(key, value);
    }
    return parseRequest(values);
  } catch {
    return {...DEFAULT_REQUEST};
  }
}
