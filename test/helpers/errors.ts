// The FjdError code an action throws, or undefined when it throws nothing.
import {FjdError} from '../../src/errors.js';

export function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof FjdError) return error.code;
    throw error;
  }
  return undefined;
}
