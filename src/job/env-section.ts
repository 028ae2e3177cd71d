// The [env] section of a job file: environment variables for the job, which the worker sets
// over its own environment (fjd's own per-job variables, FJD_JOB_ID and the rest, are set after
// them, so a job cannot change those). Unlike every other key of a job file, its keys keep the
// case they are written in, as environment variables are case-sensitive; its values are
// interpolated as any section's, but [DEFAULT]'s keys are the job's, not variables.
import {FjdError} from '../errors.js';
import {sectionValues, type IniDocument} from './ini.js';

export const ENV_SECTION = 'env';

// What an environment variable's name may be: letters, digits and _, not starting with a digit.
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isVariableName(name: string): boolean {
  return VARIABLE_NAME.test(name);
}

// The variables of the document's [env] section (any case of the name), {} for none. Throws a
// job's reason for a key that is no variable name, or for [env] twice in different cases.
export function readEnvSection(document: IniDocument): Record<string, string> {
  const present = [...document.sections.keys()].filter((name) => name.toLowerCase() === ENV_SECTION);
  if (present.length === 0) return {};
  if (present.length > 1) {
    throw new FjdError('JOB_SYNTAX', `both ${present.map((n) => `[${n}]`).join(' and ')}: use one [env] section`);
  }
  const name = present[0] ?? ENV_SECTION;
  const section = document.sections.get(name) ?? new Map<string, string>();
  const spelling = document.spellings.get(name);
  const values = sectionValues(section, new Map());
  const env: Record<string, string> = {};
  for (const [key, value] of values) {
    const variable = spelling?.get(key) ?? key;
    if (!isVariableName(variable)) {
      throw new FjdError('JOB_BAD_VALUE', `[${name}] ${variable} is not an environment variable name`, {
        hint: 'Names in [env] are letters, digits and _, not starting with a digit, such as OMP_PROC_BIND.',
      });
    }
    env[variable] = value;
  }
  return env;
}
