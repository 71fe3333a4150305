/** Debian's Chromium (never a downloaded browser), headless, quiet on a machine without network. */
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.KEYWITNESS_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-renderer-backgrounding',
  '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows',
];

export function launchChromium(headless = true): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless, args: CHROMIUM_ARGS });
}
