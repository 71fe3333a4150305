/**
 * Deviations in the app, on assets/ceremonies/minimal.yaml, every device in its own browser context
 * and every message over the camera path: a step retried after the room decided to repeat it, a
 * witness enrolling late, a device replaced, a suspension resumed, an abort, and the auditor's account of a retried, a
 * late-join, a suspended and an aborted session (bundles of `keywitness demo`). Each session the
 * app plays audits with zero findings; the new screens are checked with axe-core and photographed.
 */
import { readdirSync, readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { runDemo } from '../../../src/cli/demo-command.js';
import { auditSession } from '../../../src/core/audit/verdict.js';
import { checkEvidence } from '../../../src/core/evidence/checks.js';
import { decodeBundle, decodeReceipt } from '../../../src/core/session/files.js';
import { installCryptoEngine } from '../../../src/node/crypto-engine.js';
import { film } from '../../support/app/camera.js';
import { SCREENSHOTS, startApp, type AppHarness, type Device } from './fixtures.js';
import {
  carryBack,
  confirm,
  enrol,
  openSession,
  pass,
  projectorShot,
  shot,
  show,
  signStep,
} from './deviations-flow.js';

test.describe.configure({ mode: 'serial' });
let app: AppHarness;
const work = mkdtempSync(join(tmpdir(), 'kw-deviations-'));
test.beforeAll(async () => {
  app = await startApp();
});
test.afterAll(async () => {
  await app?.close();
});

/** Close, attest on each device, export receipts and the bundle; core's audit of them has zero findings. */
async function closeAndAudit(C: Device, witnesses: readonly [Device, string][]): Promise<void> {
  await C.page.getByRole('button', { name: /^Close the session/ }).click();
  await show(
    C,
    witnesses.map(([d]) => d),
    'participant-attest',
  );
  const receipts: string[] = [];
  for (const [P, name] of witnesses) {
    await P.page.getByRole('radio', { name: /I agree/ }).check();
    await P.page.getByRole('button', { name: 'Sign my closing attestation' }).click();
    await film(
      P.page,
      [C.page],
      async () =>
        (await C.page.getByTestId('attestations').locator('li', { hasText: name }).allInnerTexts())
          .join('')
          .includes('agrees'),
      { what: `${name}'s attestation` },
    );
    await P.page.getByRole('button', { name: 'Export my receipt…' }).click();
    await expect(P.page.getByTestId('receipt-export')).toBeVisible();
    receipts.push(
      join(
        P.stand.exportDir,
        readdirSync(P.stand.exportDir).find((f) => f.endsWith('receipt.json'))!,
      ),
    );
  }
  await C.page.getByRole('button', { name: /Export the session bundle/ }).click();
  await expect(C.page.getByTestId('export-result')).toBeVisible();
  const bundle = join(
    C.stand.exportDir,
    readdirSync(C.stand.exportDir).find((f) => f.endsWith('.keywitness.json'))!,
  );
  installCryptoEngine();
  const read = (p: string) => new Uint8Array(readFileSync(p));
  const result = await auditSession(
    decodeBundle(read(bundle)),
    receipts.map((r) => decodeReceipt(read(r))),
    { checker: checkEvidence },
  );
  expect(result.findings).toEqual([]);
}

test('a step retried: the failed attempt, the repeat exception and the new attempt, over QR', async () => {
  test.setTimeout(8 * 60_000);
  const C = await app.device('coordinator');
  const W1 = await app.device('W1');
  const W2 = await app.device('W2');
  await openSession(C);
  await enrol(C, W1, 'Wren Witness');
  await enrol(C, W2, 'Wade Witness');
  await C.page.getByRole('button', { name: /Enrolment complete/ }).click();

  // Attempt 1: the bag number is mistyped; both witnesses object.
  await signStep(C, '1', 'TEB-2026-00007');
  await show(C, [W1, W2], 'participant-review', 'statement');
  for (const [P, name] of [
    [W1, 'Wren Witness'],
    [W2, 'Wade Witness'],
  ] as const) {
    await P.page.getByLabel('Or object, saying why').fill('The number typed is not the number on the bag');
    await P.page.getByRole('button', { name: 'Object' }).click();
    await carryBack(C, P, name);
  }
  // The room decides to repeat the step.
  await expect(C.page.getByTestId('exception-panel')).toBeVisible();
  await C.page.getByRole('radio', { name: /Repeat the step/ }).check();
  await C.page.getByLabel(/Exception: what was found/).fill('Mistyped bag number; the step is redone');
  await shot(C.page, '30-coordinator-repeat-exception', 'coordinator: repeat exception', 'exception-panel');
  await C.page.getByRole('button', { name: 'Sign the exception and show it' }).click();
  await show(C, [W1, W2], 'participant-review', 'exception');
  await expect(W1.page.getByTestId('exception-decision')).toContainText('redo this step');
  await shot(W1.page, '31-participant-repeat-exception', 'participant: repeat exception');
  // One witness's confirmation completes what minimal.yaml asks (1 witness): the coordinator then
  // moves on, so the other leaves it unanswered, and nothing they sign is left out of the transcript.
  await confirm(C, W1, 'Wren Witness', '1');
  await pass(W2);

  // Attempt 2 names the repeat exception; the devices accept it as a retry.
  await expect(C.page.getByTestId('step-repeat')).toContainText('repeat step 1');
  await shot(C.page, '32-coordinator-step-repeat', 'coordinator: attempt 2 due');
  await signStep(C, '1');
  await expect(C.page.getByTestId('attempt-history')).toContainText('REPEAT');
  await show(C, [W1, W2], 'participant-review', 'statement');
  await expect(W2.page.getByTestId('retry-statement')).toBeVisible();
  await shot(W2.page, '33-participant-retry-statement', 'participant: retry statement');
  await confirm(C, W2, 'Wade Witness', '1');
  await pass(W1);

  await signStep(C, '2');
  await show(C, [W1, W2], 'participant-review', 'statement');
  await confirm(C, W1, 'Wren Witness', '2');
  await pass(W2);
  await closeAndAudit(C, [
    [W1, 'Wren Witness'],
    [W2, 'Wade Witness'],
  ]);
  for (const d of [C, W1, W2]) expect(d.errors, d.name).toEqual([]);
});

test('a witness enrols late, a device is replaced, each acknowledged by the room; a suspension is resumed', async () => {
  test.setTimeout(8 * 60_000);
  const C = await app.device('coordinator-late');
  const W1 = await app.device('W1-late');
  const W2 = await app.device('W2-late');
  await openSession(C);
  await enrol(C, W1, 'Wren Witness');
  await C.page.getByRole('button', { name: /Enrolment complete/ }).click();
  await signStep(C, '1');
  await show(C, [W1], 'participant-review', 'statement');
  await confirm(C, W1, 'Wren Witness', '1');
  await expect(C.page.getByTestId('room-clock').first()).toContainText('this one');

  // Wade arrives after step 1: the enrolment screen again, then the roster join.
  await C.page.getByRole('button', { name: /Enrol a late participant/ }).click();
  await enrol(C, W2, 'Wade Witness');
  await C.page.getByLabel(/Why they join now/).fill('Arrived after step 1 (train delayed)');
  await shot(C.page, '34-coordinator-late-enrolment', 'coordinator: late enrolment', 'late-enrolment');
  await C.page.getByRole('button', { name: /Sign the join/ }).click();
  await expect(C.page.getByTestId('event-acks')).toHaveAttribute('data-event', 'roster');
  await expect(C.page.getByTestId('message-qr').locator('canvas').first()).toBeVisible();
  await show(C, [W1], 'participant-event');
  await shot(W1.page, '35-participant-roster-change', 'participant: roster change');
  await shot(C.page, '36-coordinator-roster-acks', 'coordinator: roster change for the room');
  await projectorShot(C.page, '37-coordinator-roster-projector', 'coordinator: roster change, projector');
  await W1.page.getByRole('button', { name: 'Confirm the change' }).click();
  await carryBack(C, W1, 'Wren Witness');

  // Wren's laptop fails: her new device enrols as its replacement, and Wade (present) acknowledges it.
  await C.page.getByRole('button', { name: /Enrol a late participant/ }).click();
  const row = C.page.getByTestId('participants').locator('tbody tr', { hasText: 'Wren Witness' });
  await row.getByText('full fingerprint (hex)').click();
  const old = await row.locator('code').innerText();
  const W1b = await app.device('W1-new-late');
  await enrol(C, W1b, 'Wren Witness', old);
  await C.page.getByLabel(/Why the device is replaced/).fill('Laptop failed to boot');
  await C.page.getByRole('button', { name: /Sign the replacement/ }).click();
  await expect(C.page.getByTestId('event-acks')).toHaveAttribute('data-event', 'roster');
  await expect(C.page.getByTestId('message-qr').locator('canvas').first()).toBeVisible();
  await show(C, [W2], 'participant-event');
  // The old device, shown the replacement, says it was replaced and signs nothing more.
  await film(
    C.page,
    [W1.page],
    async () => (await W1.page.getByRole('heading', { name: /This device was replaced/ }).count()) > 0,
    { what: 'the replacement to the old device' },
  );
  await shot(W1.page, '47-participant-replaced', 'participant: replaced device');
  await W2.page.getByRole('button', { name: 'Confirm the change' }).click();
  await carryBack(C, W2, 'Wade Witness');

  // A break: suspended with a reason, then resumed; everyone present confirms the resume.
  await C.page.getByRole('button', { name: 'Suspend the ceremony…' }).click();
  await C.page.getByLabel(/Why the ceremony is suspended/).fill('Fire alarm: the room is evacuated');
  await C.page.getByRole('button', { name: 'Sign the suspension and show it' }).click();
  await expect(C.page.getByTestId('suspended')).toBeVisible();
  await show(C, [W1b, W2], 'suspended-reason');
  await shot(C.page, '38-coordinator-suspended', 'coordinator: suspended');
  await shot(W1b.page, '39-participant-suspended', 'participant: suspended');
  await C.page.getByLabel(/Resume: what changed/).fill('All clear; the same people are back');
  await C.page.getByRole('button', { name: 'Sign the resume and show it' }).click();
  await expect(C.page.getByTestId('event-acks')).toHaveAttribute('data-event', 'resume');
  await expect(C.page.getByTestId('message-qr').locator('canvas').first()).toBeVisible();
  await show(C, [W1b, W2], 'participant-event');
  await shot(W2.page, '40-participant-resume', 'participant: resume');
  for (const [P, name] of [
    [W1b, 'Wren Witness'],
    [W2, 'Wade Witness'],
  ] as const) {
    await P.page.getByRole('button', { name: 'Confirm the resume' }).click();
    await carryBack(C, P, name);
  }

  // Step 2: the newcomer's confirmation counts (and completes it: minimal.yaml asks for 1 witness).
  await signStep(C, '2');
  await show(C, [W1b, W2], 'participant-review', 'statement');
  await confirm(C, W2, 'Wade Witness', '2');
  await pass(W1b);
  await closeAndAudit(C, [
    [W1b, 'Wren Witness'],
    [W2, 'Wade Witness'],
  ]);
  for (const d of [C, W1, W1b, W2]) expect(d.errors, d.name).toEqual([]);
});

test('the ceremony aborted with a reason, acknowledged, and closed as aborted', async () => {
  test.setTimeout(6 * 60_000);
  const C = await app.device('coordinator-abort');
  const W1 = await app.device('W1-abort');
  await openSession(C);
  await enrol(C, W1, 'Wren Witness');
  await C.page.getByRole('button', { name: /Enrolment complete/ }).click();
  await signStep(C, '1');
  await C.page.getByRole('button', { name: 'Abort the ceremony…' }).click();
  await C.page.getByLabel(/Why the ceremony is aborted/).fill('The bag seal is broken: the ceremony is held again');
  await C.page.getByRole('button', { name: 'Sign the abort and show it' }).click();
  await expect(C.page.getByTestId('event-acks')).toHaveAttribute('data-event', 'abort');
  await expect(C.page.getByRole('button', { name: 'Close the session as ABORTED' })).toBeDisabled();
  await expect(C.page.getByTestId('message-qr').locator('canvas').first()).toBeVisible();
  await show(C, [W1], 'participant-event');
  await shot(W1.page, '45-participant-abort', 'participant: abort');
  await W1.page.getByRole('button', { name: 'Confirm the abort' }).click();
  await carryBack(C, W1, 'Wren Witness');
  await expect(C.page.getByRole('button', { name: 'Close the session as ABORTED' })).toBeEnabled();
  await shot(C.page, '46-coordinator-abort-acknowledged', 'coordinator: abort acknowledged');
  await closeAndAudit(C, [[W1, 'Wren Witness']]);
  await expect(C.page.getByTestId('close-screen')).toContainText('ABORTED');
  for (const d of [C, W1]) expect(d.errors, d.name).toEqual([]);
});

test("the auditor's account of attempts, attendance, a suspension and an abort", async () => {
  test.setTimeout(6 * 60_000);
  const quiet = { stdout: () => undefined, stderr: () => undefined, stdoutBytes: () => undefined };
  for (const scenario of ['retry', 'late-join', 'suspend', 'abort']) {
    const out = join(work, scenario);
    await runDemo(['--scenario', scenario, '--out', out], quiet);
    const receipts = readdirSync(out)
      .filter((f) => f.includes('receipt') && f.endsWith('.json'))
      .map((f) => join(out, f));
    const A = await app.device(`auditor-${scenario}`);
    A.stand.willImport(join(out, 'session.keywitness.json'), ...receipts);
    await A.page.getByRole('button', { name: /^Auditor/ }).click();
    await A.page.getByRole('button', { name: 'Open session bundle…' }).click();
    for (let i = 0; i < receipts.length; i++)
      await A.page.getByRole('button', { name: 'Add a participant receipt…' }).click();
    await A.page.getByRole('button', { name: 'Verify' }).click();
    const report = A.page.getByTestId('audit-report');
    await expect(report).toBeVisible({ timeout: 90_000 });
    await expect(report).toHaveAttribute('data-findings', '0');
    const focus =
      scenario === 'retry'
        ? A.page.locator('[data-testid="timeline-step"][data-attempts="2"]').first()
        : scenario === 'late-join'
          ? A.page.getByTestId('attendance-changes')
          : A.page.getByTestId('session-events');
    await expect(focus).toBeVisible();
    if (scenario === 'abort') await expect(A.page.getByTestId('verdict')).toContainText('ABORTED');
    if (scenario === 'suspend') await expect(report).toHaveAttribute('data-outcome', 'complete');
    await shot(
      A.page,
      `4${['retry', 'late-join', 'suspend', 'abort'].indexOf(scenario) + 1}-auditor-${scenario}`,
      `auditor: ${scenario}`,
    );
    await focus.scrollIntoViewIfNeeded();
    await A.page.screenshot({
      path: join(
        SCREENSHOTS,
        `4${['retry', 'late-join', 'suspend', 'abort'].indexOf(scenario) + 1}-auditor-${scenario}-timeline.png`,
      ),
    });
    expect(A.errors).toEqual([]);
  }
});
