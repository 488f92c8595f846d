import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--lang=en-US',
];

/**
 * Chromium for the browser tests, never downloaded at run time: Debian's when it is installed, otherwise the
 * build that ships inside the @sparticuz/chromium npm package (unpacked to the temp folder on first use), so
 * `npm install && npm test` passes on a machine with only Node.js.
 */
export async function launchChromium(): Promise<Browser> {
  if (existsSync(DEBIAN_CHROMIUM)) return chromium.launch({ executablePath: DEBIAN_CHROMIUM, args: FLAGS });
  let packaged: { executablePath: () => Promise<string>; args: string[] };
  try {
    packaged = (await import('@sparticuz/chromium')).default;
  } catch (error) {
    throw new Error(
      `no Chromium: ${DEBIAN_CHROMIUM} is missing and @sparticuz/chromium did not load (${(error as Error).message}); run npm install, or apt-get install chromium`,
    );
  }
  return chromium.launch({
    executablePath: await packaged.executablePath(),
    args: [...packaged.args, ...FLAGS],
  });
}
