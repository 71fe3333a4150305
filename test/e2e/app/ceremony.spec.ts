/**
 * A full rehearsal of assets/ceremonies/root-ca-rehearsal.yaml, every device in its own browser
 * context with its own storage: the coordinator, two witnesses and three custodians. Every message
 * crosses through the camera path — the scanner of one context reading the QR code rendered by
 * another (see test/support/app/camera.ts for why a camera stand-in and what it keeps faithful).
 * One custodian objects at the key generation; an exception resolves it. The coordinator and a
 * witness are restarted mid-session and resume from their journals. The exported bundle and the
 * five receipts pass `keywitness audit` with zero findings, the auditor screen shows the session
 * verified, and a tampered copy shows the same findings on screen as the CLI. Every screen is
 * checked with axe-core and photographed for docs/screenshots.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Page } from 'playwright-core';
import { decodeMessage } from '../../../src/core/protocol/message.js';
import { decodeBundle, encodeBundle } from '../../../src/core/session/files.js';
import { film, showStill } from '../../support/app/camera.js';
import { REPO_ROOT } from '../../support/app/build.js';
import { EVIDENCE, expectAccessible, SCREENSHOTS, SCRIPT, startApp, type AppHarness, type Device } from './fixtures.js';
import {
  answering,
  challengeAnswer,
  CROSS_STEP_CHECKS,
  EVIDENCE_BY,
  EVIDENCE_FILES,
  independentFingerprint,
  inputsFor,
  OBJECTION,
  PEOPLE,
  script,
  type Who,
} from './ceremony-plan.js';

test.describe.configure({ mode: 'serial' });

let app: AppHarness;
let C: Device;
const P = {} as Record<Who, Device>;
let bundlePath = '';
const receiptPaths: string[] = [];

test.beforeAll(async () => {
  app = await startApp();
});
test.afterAll(async () => {
  await app?.close();
});

const log = (text: string): void => {
  if (process.env.KW_E2E_LOG) console.log(`[${new Date().toISOString().slice(11, 19)}] ${text}`);
};

/** axe on the screen as it is, then a photograph of the window (scrolled to `focus` when given). */
const shot = async (page: Page, name: string, where: string, focus?: string): Promise<void> => {
  await expectAccessible(page, where);
  if (focus) await page.getByTestId(focus).first().scrollIntoViewIfNeeded();
  else await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
};

async function visible(page: Page, testId: string, attrs: Record<string, string> = {}): Promise<boolean> {
  const sel = `[data-testid="${testId}"]${Object.entries(attrs)
    .map(([k, v]) => `[data-${k}="${v}"]`)
    .join('')}`;
  return (await page.locator(sel).count()) > 0;
}

/** The coordinator has recorded `who`'s answer to the current target (or the step moved on). */
async function coordinatorHas(
  who: Who,
  stepId: string,
  column: number,
  decision: 'CONFIRMED' | 'OBJECTED',
): Promise<boolean> {
  const complete = await C.page
    .getByTestId('step-complete')
    .filter({ hasText: `Step ${stepId} is complete` })
    .count();
  if (complete > 0 || (await C.page.getByTestId('close-screen').count()) > 0) return true;
  // allInnerTexts never waits: the row disappears when the step completes.
  const cells = await C.page
    .locator(`[data-testid="quorum"] tr[data-participant="${PEOPLE[who].name}"] td`)
    .allInnerTexts();
  return cells[column]?.includes(decision) === true;
}

test('a full rehearsal over QR between six devices, with an objection resolved by an exception', async () => {
  test.setTimeout(15 * 60_000);
  C = await app.device('coordinator');
  for (const who of Object.keys(PEOPLE) as Who[]) P[who] = await app.device(who);

  // --- Coordinator opens the script and the session.
  C.stand.willImport(SCRIPT);
  await C.page.getByRole('button', { name: /^Coordinator/ }).click();
  await C.page.getByRole('button', { name: 'Open script file…' }).click();
  await expect(C.page.getByTestId('script-hash-hex')).toContainText(
    Buffer.from(script.hash).toString('hex').slice(0, 8),
  );
  await C.page.getByLabel('Your name (the ceremony administrator)').fill('Alex Admin');
  await C.page.getByLabel(/compared the script hash/).check();
  // At 1280×800 the next action is in view with the hash, without scrolling.
  await expect(C.page.getByRole('button', { name: /Create rehearsal session/ })).toBeInViewport();
  await expect(C.page.getByTestId('script-hash')).toBeInViewport();
  await shot(C.page, '03-coordinator-script', 'coordinator: script opened');
  await C.page.getByRole('button', { name: /Create rehearsal session/ }).click();
  await expect(C.page.getByRole('heading', { name: /^Enrolment/ })).toBeVisible();
  await expect(C.page.getByTestId('watermark')).toBeAttached();

  // --- Participants join with their own copy of the script and scan the genesis.
  for (const who of Object.keys(PEOPLE) as Who[]) {
    const { page, stand } = P[who];
    stand.willImport(SCRIPT);
    await page.getByRole('button', { name: /^Witness or custodian/ }).click();
    await page.getByLabel('Your name').fill(PEOPLE[who].name);
    await page.getByRole('button', { name: 'Open script file…' }).click();
    await page.getByLabel('Your role').selectOption(PEOPLE[who].role);
    if (who === 'W1') {
      await expect(page.getByRole('button', { name: /Scan the genesis/ })).toBeInViewport();
      await shot(page, '04-participant-join', 'participant: join');
    }
    await page.getByRole('button', { name: /Scan the genesis/ }).click();
  }
  const everyone = Object.values(P).map((d) => d.page);
  await film(
    C.page,
    everyone,
    async () => (await Promise.all(everyone.map((p) => visible(p, 'participant-enrol')))).every(Boolean),
    { what: 'genesis' },
  );

  // --- Each enrols; the coordinator scans the enrolment; words are read aloud.
  for (const who of Object.keys(PEOPLE) as Who[]) {
    const { page } = P[who];
    await expect(page.getByTestId('genesis-ok')).toBeVisible();
    await page.getByRole('button', { name: 'Sign my enrolment and show it' }).click();
    const words = await page.getByTestId('enrol-words').innerText();
    if (who === 'W1') await shot(page, '05-participant-enrol', 'participant: enrolment QR');
    await film(
      page,
      [C.page],
      async () => (await C.page.getByTestId('participants').allInnerTexts()).join('').includes(PEOPLE[who].name),
      { what: `enrolment of ${who}` },
    );
    await expect(C.page.getByTestId('participants').locator('tr', { hasText: PEOPLE[who].name })).toContainText(words);
    await page.getByRole('button', { name: /scan the statements/ }).click();
  }
  await shot(C.page, '06-coordinator-enrolment', 'coordinator: enrolment');
  await C.page.getByRole('button', { name: /Enrolment complete/ }).click();

  // --- The steps. Someone answers each cross-step check without having answered its source step.
  for (const [id, { source }] of Object.entries(CROSS_STEP_CHECKS)) {
    const at = answering(script.steps.find((s) => s.id === id)!);
    const before = answering(script.steps.find((s) => s.id === source)!);
    if (id === '4.1') expect(at.filter((w) => !before.includes(w))).not.toEqual([]);
  }
  for (const step of script.steps) {
    log(`step ${step.id}: prepare`);
    await expect(C.page.getByTestId('step-prepare')).toHaveAttribute('data-step', step.id);
    for (const [id, value] of Object.entries(inputsFor(step))) await C.page.locator(`#input-${id}`).fill(value);
    for (const e of step.evidence) {
      const file = join(EVIDENCE, EVIDENCE_FILES[e.id]!);
      const section = C.page.getByTestId(`import-${e.id}`);
      const how = EVIDENCE_BY[e.id] ?? 'file';
      if (how === 'file') {
        C.stand.willImport(file);
        await section.getByRole('button', { name: 'Import file…' }).click();
      } else if (how === 'paste') {
        await section.getByRole('button', { name: 'Paste text' }).click();
        await section.locator('textarea').fill(readFileSync(file, 'utf8'));
        await section.getByRole('button', { name: 'Use the pasted text' }).click();
      } else {
        // A plain QR code of the PEM, made by an ordinary tool (qrencode), held up to the camera.
        const png = join(C.stand.dir, `${e.id}.png`);
        execFileSync('qrencode', ['-o', png, '-s', '4', '-l', 'M', '-r', file]);
        await section.getByRole('button', { name: 'Scan a plain QR code' }).click();
        await showStill(
          C.page,
          readFileSync(png),
          async () => (await C.page.getByTestId(`evidence-${e.id}`).count()) > 0,
        );
      }
      await expect(C.page.getByTestId(`fingerprint-${e.id}`)).toBeVisible();
    }
    if (step.irreversible) await C.page.getByLabel(/to confirm this irreversible step/).fill(step.irreversible.confirm);
    await C.page.getByRole('button', { name: 'Run the checks' }).click();
    if (step.id === '4.1')
      await shot(C.page, '07-coordinator-step-checks', 'coordinator: step with checks', 'prepared-checks');
    await expect(C.page.locator('[data-testid="prepared-checks"] tr[data-ok="false"]')).toHaveCount(0);
    await C.page.getByRole('button', { name: 'Sign the statement and show it' }).click();
    await expect(C.page.getByTestId('step-acks')).toHaveAttribute('data-step', step.id);

    const who = answering(step);
    log(`step ${step.id}: statement to ${who.join(', ')}`);
    const pages = who.map((w) => P[w].page);
    await film(
      C.page,
      pages,
      async () =>
        (
          await Promise.all(pages.map((p) => visible(p, 'participant-review', { step: step.id, target: 'statement' })))
        ).every(Boolean),
      { what: `statement ${step.id}` },
    );
    for (const w of who) {
      log(`step ${step.id}: ${w} answers`);
      const objects = step.id === OBJECTION.step && w === OBJECTION.by;
      await answer(P[w].page, step.id, objects ? 'object' : 'confirm', w === 'W2' ? 'word' : 'hex');
      if (step.id === '3.2' && w === 'W1') {
        // Times read the same on every screen and in the report: date, time and zone, in UTC.
        await expect(C.page.getByTestId('step-acks')).toContainText(
          /statement signed \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/,
        );
        await shot(C.page, '09-coordinator-acks', 'coordinator: statement and quorum');
        // Projector mode on the room's 1920×1080 projector.
        await C.page.setViewportSize({ width: 1920, height: 1080 });
        await C.page.getByRole('button', { name: /Projector mode/ }).click();
        // The header stays one row, the QR code is whole and the fingerprint the room compares is in view.
        const header = await C.page.locator('.kw-header-row').boundingBox();
        expect(header!.height).toBeLessThan(90);
        await expect(C.page.getByTestId('message-qr').locator('canvas')).toBeInViewport({ ratio: 1 });
        await expect(C.page.getByTestId('primary-fingerprint-keygen')).toBeInViewport({ ratio: 1 });
        await shot(C.page, '12-coordinator-projector-mode', 'coordinator: projector mode');
        await C.page.getByRole('button', { name: /Projector mode/ }).click();
        await C.page.setViewportSize({ width: 1280, height: 800 });
      }
      await film(P[w].page, [C.page], () => coordinatorHas(w, step.id, 0, objects ? 'OBJECTED' : 'CONFIRMED'), {
        what: `${w}'s answer to ${step.id}`,
      });
      await P[w].page.getByRole('button', { name: /scan the next statement/ }).click();
    }

    if (step.id === OBJECTION.step) {
      await expect(C.page.getByTestId('objection')).toContainText(OBJECTION.reason);
      await C.page.getByLabel(/Exception: what was found/).fill(OBJECTION.resolution);
      await shot(C.page, '10-coordinator-objection', 'coordinator: objection, exception form', 'exception-panel');
      await C.page.getByRole('button', { name: 'Sign the exception and show it' }).click();
      await film(
        C.page,
        pages,
        async () =>
          (
            await Promise.all(
              pages.map((p) => visible(p, 'participant-review', { step: step.id, target: 'exception' })),
            )
          ).every(Boolean),
        { what: 'exception' },
      );
      await expect(P.K2.page.getByTestId('exception-reason')).toContainText(OBJECTION.resolution);
      for (const w of who) {
        await answer(P[w].page, step.id, 'confirm', 'hex');
        await film(P[w].page, [C.page], () => coordinatorHas(w, step.id, 1, 'CONFIRMED'), {
          what: `${w}'s answer to the exception`,
        });
        await P[w].page.getByRole('button', { name: /scan the next statement/ }).click();
      }
      // A witness's device restarts: its session is rebuilt from its journal by replay.
      await P.W1.page.reload();
      await P.W1.page.getByRole('button', { name: /Resume as participant/ }).click();
      await expect(P.W1.page.getByTestId('restore-notice')).toContainText('replayed and checked');
      await expect(P.W1.page.getByTestId('participant-listen')).toBeVisible();
    }
    if (step.id === '2.1') {
      // The coordinator's laptop restarts: the session is restored from its journal.
      await expect(C.page.getByTestId('step-complete')).toContainText('Step 2.1 is complete');
      await C.page.reload();
      await C.page.getByRole('button', { name: /Resume as coordinator/ }).click();
      await expect(C.page.getByTestId('restore-notice')).toContainText('transcript entries re-checked');
    }
  }

  // --- Close, attest, export.
  await C.page.getByRole('button', { name: 'Close the session' }).click();
  await film(
    C.page,
    everyone,
    async () => (await Promise.all(everyone.map((p) => visible(p, 'participant-attest')))).every(Boolean),
    { what: 'close' },
  );
  for (const w of Object.keys(PEOPLE) as Who[]) {
    const { page } = P[w];
    // One choice between agreeing and not, never a disagreement box beside agreement boxes.
    await page.getByRole('radio', { name: /I agree/ }).check();
    if (w === 'W1') await shot(page, '13-participant-attest', 'participant: attestation');
    await page.getByRole('button', { name: 'Sign my closing attestation' }).click();
    await film(
      page,
      [C.page],
      async () =>
        (await C.page.getByTestId('attestations').locator('li', { hasText: PEOPLE[w].name }).allInnerTexts())
          .join('')
          .includes('agrees'),
      { what: `${w}'s attestation` },
    );
    await page.getByRole('button', { name: 'Export my receipt…' }).click();
    await expect(page.getByTestId('receipt-export')).toBeVisible();
    const file = readdirSync(P[w].stand.exportDir).find((f) => f.endsWith('.receipt.json'))!;
    receiptPaths.push(join(P[w].stand.exportDir, file));
  }
  await C.page.getByRole('button', { name: /Export the session bundle/ }).click();
  await expect(C.page.getByTestId('export-result')).toBeVisible();
  await shot(C.page, '14-coordinator-closed-exported', 'coordinator: closed and exported', 'export-result');
  bundlePath = join(
    C.stand.exportDir,
    readdirSync(C.stand.exportDir).find((f) => f.endsWith('.keywitness.json'))!,
  );

  for (const d of [C, ...Object.values(P)]) expect(d.errors, d.name).toEqual([]);

  // --- The command-line audit agrees: zero findings.
  const audit = cli(['audit', bundlePath, ...receiptPaths.flatMap((r) => ['--receipt', r]), '--json']);
  const report = JSON.parse(audit.stdout) as {
    findings: unknown[];
    receipts_missing: unknown[];
    verdict: { text: string };
  };
  expect(report).toMatchObject({ format: 'keywitness-audit/1', findings: [], receipts_missing: [] });
  expect(report.verdict.text).toMatch(/^Consistent: 0 findings\. Receipts from all 5 enrolled participants\./);
  expect(audit.status).toBe(0);
});

/** A participant answers the statement or exception on screen. */
async function answer(page: Page, stepId: string, decision: 'confirm' | 'object', form: 'word' | 'hex'): Promise<void> {
  const review = page.getByTestId('participant-review');
  await expect(review).toHaveAttribute('data-step', stepId);
  await expect(page.getByTestId('own-checks').locator('tr[data-ok="false"]')).toHaveCount(0);
  await expect(page.getByTestId('disagreements')).toHaveCount(0);
  const cross = CROSS_STEP_CHECKS[stepId];
  if (cross) {
    // Recomputed on this device from the earlier evidence the coordinator's statement carried,
    // whether or not this participant answered the step that recorded it.
    await expect(page.getByTestId('own-checks').locator(`tr[data-check="${cross.check}"]`)).toHaveAttribute(
      'data-ok',
      'true',
    );
    await expect(page.getByTestId('referenced-evidence')).toContainText(`(step ${cross.source})`);
  }
  const step = script.steps.find((s) => s.id === stepId)!;
  if (decision === 'object') {
    await page.getByLabel('Or object, saying why').fill(OBJECTION.reason);
    await page.getByRole('button', { name: 'Object' }).click();
  } else {
    if (step.acks.challenge) {
      const challenge = page.getByTestId('challenge');
      await expect(challenge).toBeVisible();
      const fp = independentFingerprint(step.evidence[0]!.id);
      // The hex beside the command is what that command prints: OpenSSL's colon form for the
      // certificate, sha256sum's plain form for the public key.
      const hex = Buffer.from(fp).toString('hex');
      await expect(page.getByTestId(`fingerprint-${step.evidence[0]!.id}-hex`)).toHaveText(
        step.evidence[0]!.id === 'root' ? hex.toUpperCase().replace(/(..)(?!$)/g, '$1:') : hex,
      );
      const positions = (await challenge.getAttribute('data-positions'))!.split(',').map(Number);
      if (stepId === '3.2' && form === 'word' && (await review.getAttribute('data-target')) === 'statement') {
        await shot(
          page,
          '08-participant-review-challenge',
          'participant: review with word challenge',
          'fingerprint-keygen',
        );
      }
      for (const p of positions) await page.getByLabel(`Word ${p} of 32`).fill(challengeAnswer(fp, p, form));
      await page.getByRole('button', { name: /^Check the words/ }).click();
      await expect(challenge).toContainText('Both words match');
    }
    await page.getByRole('button', { name: /^Confirm/ }).click();
  }
  await expect(page.getByTestId('participant-answer')).toHaveAttribute('data-decision', decision);
  if (decision === 'object') await shot(page, '11-participant-objection-qr', 'participant: objection QR');
}

function cli(args: string[]): { status: number | null; stdout: string } {
  if (!existsSync(join(REPO_ROOT, 'dist', 'cli', 'main.js')))
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT });
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'keywitness.js'), ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout };
}

async function audit(files: { bundle: string; receipts: readonly string[] }, name: string): Promise<Device> {
  const A = await app.device(name);
  A.stand.willImport(files.bundle, ...files.receipts);
  await A.page.getByRole('button', { name: /^Auditor/ }).click();
  await A.page.getByRole('button', { name: 'Open session bundle…' }).click();
  for (let i = 0; i < files.receipts.length; i++)
    await A.page.getByRole('button', { name: 'Add a participant receipt…' }).click();
  await expect(A.page.getByTestId('audit-files').locator('li')).toHaveCount(1 + files.receipts.length);
  await A.page.getByRole('button', { name: 'Verify' }).click();
  await expect(A.page.getByTestId('audit-report')).toBeVisible({ timeout: 60_000 });
  return A;
}

test('the auditor screen shows the exported session verified, with its timeline', async () => {
  expect(bundlePath).not.toBe('');
  const A = await audit({ bundle: bundlePath, receipts: receiptPaths }, 'auditor');
  await expect(A.page.getByTestId('verdict')).toHaveText('Consistent: 0 findings.');
  // The verdict says whose receipts it had and what nobody pinned, and leaves the paper to a person.
  await expect(A.page.getByTestId('verdict-notes')).toContainText('Receipts from all 5 enrolled participants.');
  await expect(A.page.getByTestId('verdict-notes')).toContainText(
    'Unpinned roles: admin, witness, custodian, auditor.',
  );
  await expect(A.page.getByTestId('verdict-notes')).toContainText(
    'Compare the script hash and coordinator key with the paper record.',
  );
  await expect(A.page.getByTestId('verdict-scope')).toContainText('What it does not prove');
  await expect(A.page.getByTestId('timeline-step')).toHaveCount(script.steps.length);
  const keygen = A.page.locator('[data-testid="timeline-step"][data-step="3.2"]');
  await expect(keygen).toContainText('by exception');
  await expect(keygen).toContainText(OBJECTION.reason);
  await expect(keygen).toContainText(OBJECTION.resolution);
  await expect(A.page.getByTestId('watermark')).toBeAttached();
  await shot(A.page, '15-auditor-verified', 'auditor: verified', 'verdict');
  await A.page.emulateMedia({ media: 'print' });
  // A printed report starts at the top of the page, whatever the screen had scrolled to.
  await A.page.evaluate(() => window.scrollTo(0, 0));
  await A.page.screenshot({ path: join(SCREENSHOTS, '16-auditor-print.png'), fullPage: false });
  const pdf = await A.page.pdf({ format: 'A4' });
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  expect(A.errors).toEqual([]);
});

test('a tampered bundle: the auditor screen shows the same findings as the CLI', async () => {
  expect(bundlePath).not.toBe('');
  const bundle = decodeBundle(new Uint8Array(readFileSync(bundlePath)));
  // The coordinator silently drops the objection, and one byte of the key generation transcript changes.
  const transcript = bundle.transcript.filter((w) => {
    const m = decodeMessage(w);
    return !(m.envelope.t === 'ack' && (m.envelope.body as { decision: string }).decision === 'object');
  });
  expect(transcript.length).toBe(bundle.transcript.length - 1);
  const evidence = bundle.evidence.map((e, i) =>
    i === 2 ? { sha256: e.sha256, data: Uint8Array.from(e.data, (b, j) => (j === 10 ? b ^ 1 : b)) } : e,
  );
  const tampered = join(C.stand.dir, 'tampered.keywitness.json');
  writeFileSync(tampered, encodeBundle({ script: bundle.script, evidence, transcript }));
  const cliFindings = JSON.parse(
    cli(['audit', tampered, ...receiptPaths.flatMap((r) => ['--receipt', r]), '--json']).stdout,
  ).findings as { code: string }[];
  expect(cliFindings.map((f) => f.code)).toEqual(
    expect.arrayContaining(['EVIDENCE_HASH_MISMATCH', 'RECEIPT_ENTRY_MISSING']),
  );

  const A = await audit({ bundle: tampered, receipts: receiptPaths }, 'auditor-tampered');
  await expect(A.page.getByTestId('verdict')).toHaveText(new RegExp(`^NOT CONSISTENT: ${cliFindings.length} finding`));
  const shown = await A.page
    .getByTestId('findings')
    .locator('li')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-code')));
  expect(shown).toEqual(cliFindings.map((f) => f.code));
  // At 1280×800 the verdict and the first findings are in view without scrolling.
  await expect(A.page.getByTestId('verdict-text')).toBeInViewport({ ratio: 1 });
  await expect(A.page.getByTestId('findings').locator('li').first()).toBeInViewport({ ratio: 1 });
  await shot(A.page, '17-auditor-findings', 'auditor: findings', 'verdict');
  expect(A.errors).toEqual([]);
});
