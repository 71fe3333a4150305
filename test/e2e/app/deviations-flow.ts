/**
 * The moves of the deviation e2e (deviations.spec.ts) on the short script
 * assets/ceremonies/minimal.yaml: open the session, join and enrol a device, prepare and sign a
 * step, answer on a device and carry the answer back, each over the camera path between contexts.
 */
import { join } from 'node:path';
import { expect } from '@playwright/test';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from '../../support/app/build.js';
import { film } from '../../support/app/camera.js';
import { expectAccessible, SCREENSHOTS, type Device } from './fixtures.js';

export const MINIMAL = join(REPO_ROOT, 'assets', 'ceremonies', 'minimal.yaml');
/** softhsm2-util --show-slots output for minimal.yaml's step 2 (`slots`). */
export const SLOTS = join(REPO_ROOT, 'assets', 'ceremonies', 'root-ca-rehearsal', '2.2', 'token_init.txt');
export const BAG = 'TEB-2026-00001';

/** axe on the screen as it is, then a photograph at its viewport (scrolled to `focus` when given). */
export async function shot(page: Page, name: string, where: string, focus?: string): Promise<void> {
  await expectAccessible(page, where);
  if (focus) await page.getByTestId(focus).first().scrollIntoViewIfNeeded();
  else await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** The same screen in projector mode on the room's 1920×1080 projector, then back. */
export async function projectorShot(page: Page, name: string, where: string): Promise<void> {
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.getByRole('button', { name: /Projector mode/ }).click();
  await expect(page.getByTestId('message-qr').locator('canvas').first()).toBeInViewport({ ratio: 1 });
  await shot(page, name, where);
  await page.getByRole('button', { name: /Projector mode/ }).click();
  await page.setViewportSize({ width: 1280, height: 800 });
}

/** The coordinator opens minimal.yaml and creates a rehearsal session. */
export async function openSession(C: Device): Promise<void> {
  C.stand.willImport(MINIMAL);
  await C.page.getByRole('button', { name: /^Coordinator/ }).click();
  await C.page.getByRole('button', { name: 'Open script file…' }).click();
  await C.page.getByLabel('Your name (the ceremony administrator)').fill('Alex Admin');
  await C.page.getByLabel(/compared the script hash/).check();
  await C.page.getByRole('button', { name: /Create rehearsal session/ }).click();
  await expect(C.page.getByRole('heading', { name: /^(Late e|E)nrolment/ })).toBeVisible();
}

/** A witness joins with their own copy of the script, scans the genesis and enrols. */
export async function enrol(C: Device, P: Device, name: string, replaces?: string): Promise<void> {
  P.stand.willImport(MINIMAL);
  await P.page.getByRole('button', { name: /^Witness or custodian/ }).click();
  await P.page.getByLabel('Your name').fill(name);
  await P.page.getByRole('button', { name: 'Open script file…' }).click();
  await P.page.getByLabel('Your role').selectOption('witness');
  await P.page.getByRole('button', { name: /Scan the genesis/ }).click();
  await film(C.page, [P.page], async () => (await P.page.getByTestId('participant-enrol').count()) > 0, {
    what: `genesis to ${name}`,
  });
  if (replaces) {
    await P.page.getByText('This device replaces my earlier device').click();
    await P.page.getByLabel(/earlier device's key fingerprint/).fill(replaces);
  }
  await P.page.getByRole('button', { name: /^Sign my enrolment/ }).click();
  const rows = replaces ? 2 : 1;
  await film(
    P.page,
    [C.page],
    async () => (await C.page.getByTestId('participants').locator('tbody tr', { hasText: name }).count()) >= rows,
    { what: `enrolment of ${name}` },
  );
  await P.page.getByRole('button', { name: /scan the statements/ }).click();
}

/** The coordinator prepares the step due (bag typed as given; the slot listing for step 2) and signs it. */
export async function signStep(C: Device, stepId: string, bag = BAG): Promise<void> {
  await expect(C.page.getByTestId('step-prepare')).toHaveAttribute('data-step', stepId);
  if (stepId === '1') await C.page.locator('#input-bag').fill(bag);
  else {
    C.stand.willImport(SLOTS);
    await C.page.getByTestId('import-slots').getByRole('button', { name: 'Import file…' }).click();
    await expect(C.page.getByTestId('fingerprint-slots')).toBeVisible();
  }
  await C.page.getByRole('button', { name: 'Run the checks' }).click();
  if (bag !== BAG) await C.page.getByLabel(/Issue the statement with 1 failed check/).check();
  await C.page.getByRole('button', { name: 'Sign the statement and show it' }).click();
}

/** Film the coordinator's screen to the devices until each shows `testId` (with `target` when given). */
export async function show(C: Device, devices: readonly Device[], testId: string, target?: string): Promise<void> {
  const sel = `[data-testid="${testId}"]${target ? `[data-target="${target}"]` : ''}`;
  await film(
    C.page,
    devices.map((d) => d.page),
    async () => (await Promise.all(devices.map((d) => d.page.locator(sel).count()))).every((n) => n > 0),
    { what: `${testId} ${target ?? ''} to ${devices.map((d) => d.name).join(', ')}` },
  );
}

/**
 * A device's signed answer is filmed back until the coordinator has recorded it: its status line
 * names the device anew, or the answer completed what was shown and the screen moved on.
 */
export async function carryBack(C: Device, P: Device, name: string): Promise<void> {
  const acks = C.page.locator('[data-testid="step-acks"], [data-testid="event-acks"]');
  const status = async (): Promise<string> => (await C.page.getByTestId('ack-status').allInnerTexts()).join('');
  const before = await status();
  await film(
    P.page,
    [C.page],
    async () => {
      const now = await status();
      return (now !== before && now.includes(name)) || (await acks.count()) === 0;
    },
    { what: `${name}'s answer` },
  );
  await P.page.getByRole('button', { name: /scan the next statement/ }).click();
}

/** A device confirms what it reviews (a statement, an exception) and carries the answer back. */
export async function confirm(C: Device, P: Device, name: string, stepId: string): Promise<void> {
  const review = P.page.getByTestId('participant-review');
  await expect(review).toHaveAttribute('data-step', stepId);
  await review.getByRole('button', { name: /^Confirm / }).click();
  await carryBack(C, P, name);
}

/** A device leaves a review unanswered (the room went on with the quorum) and goes back to scanning. */
export async function pass(P: Device): Promise<void> {
  await P.page.getByRole('button', { name: 'Not answering now: back to scanning' }).click();
  await expect(P.page.getByTestId('participant-listen')).toBeVisible();
}
