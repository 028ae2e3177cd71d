// A headless Chromium for the page tests (Debian's `chromium`, or $FJD_CHROMIUM), driven by
// playwright-core, which downloads no browser of its own. Where it cannot start, `why` says
// why and the tests skip.
import {chromium, type Browser} from 'playwright-core';

export const CHROMIUM = process.env.FJD_CHROMIUM ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<{browser: Browser} | {why: string}> {
  try {
    // --no-sandbox: the tests may run as root, where Chromium's sandbox refuses to start.
    return {browser: await chromium.launch({executablePath: CHROMIUM, args: ['--no-sandbox'], timeout: 60_000})};
  } catch (error) {
    const first = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    return {why: `Chromium (${CHROMIUM}) cannot start here: ${first}; install it with .ci/install-engines`};
  }
}
