/**
 * The participant's and auditor's screens on a short ceremony of their own (one typed step, two
 * witnesses), faster than the full rehearsal in ceremony.spec.ts:
 * - scanning from files: the genesis read from a WebM video and from an H.264 MP4 recorded off the
 *   coordinator's screen (made here with ffmpeg from the QR frames the screen drew), an MP4 whose
 *   codec Chromium cannot decode named as such, and an enrolment read from PNG files of its frames;
 * - the witness who objected reads what they signed and what happens next;
 * - the close attestation as a choice between agreeing and not (a reason required for not);
 * - the auditor's screen: two bundles compared as `compareSessions` reports them (unexpected first,
 *   expected apart), the verdict verbatim as core words it, and the findings in view at 1280×800.
 * Every new screen is checked with axe-core and photographed at 1280×800 and 1920×1080.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Page } from 'playwright-core';
import { auditBundle } from '../../../src/core/audit/audit.js';
import { compareSessions } from '../../../src/core/audit/compare.js';
import { auditSession } from '../../../src/core/audit/verdict.js';
import { checkEvidence } from '../../../src/core/evidence/checks.js';
import { decodeBundle, decodeReceipt, encodeBundle } from '../../../src/core/session/files.js';
import { installCryptoEngine } from '../../../src/node/crypto-engine.js';
import { runDemo } from '../../../src/cli/demo-command.js';
import { film } from '../../support/app/camera.js';
import { missingTool } from '../../support/tools.js';
import { expectAccessible, SCREENSHOTS, startApp, type AppHarness, type Device } from './fixtures.js';

const NO_FFMPEG = missingTool(spawnSync('ffmpeg', ['-version']).status === 0, 'ffmpeg');
let app: AppHarness;
const work = mkdtempSync(join(tmpdir(), 'kw-screens-'));

test.beforeAll(async () => {
  app = await startApp();
});
test.afterAll(async () => {
  await app?.close();
});

const SCRIPT = `format: keywitness-script/1
id: screens-example
title: One typed step, two witnesses
roles:
  - { id: admin, title: Ceremony Administrator, coordinator: true }
  - { id: witness, title: Witness, min: 2 }
expected:
  bag: "TEB-2026-00001"
steps:
  - id: "1.1"
    title: Check the tamper-evident bag
    actor: admin
    instructions: Read the bag number aloud and type it.
    inputs:
      - { id: bag, label: Bag number, expect: $expected.bag }
    acks: { roles: [witness], min: 2 }
`;
const OBJECTION = 'The bag number I read is TEB-2026-00007, not the one typed.';

/** axe on the screen, then photographs at 1280×800 and in projector mode at 1920×1080. */
async function shoot(page: Page, name: string, where: string, check?: () => Promise<void>): Promise<void> {
  await expectAccessible(page, where);
  await check?.();
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.getByRole('button', { name: /Projector mode/ }).click();
  await check?.();
  await page.screenshot({ path: join(SCREENSHOTS, `${name}-projector.png`) });
  await page.getByRole('button', { name: /Projector mode/ }).click();
  await page.setViewportSize({ width: 1280, height: 800 });
}

/** Every frame of the animated QR code on `page`, as the canvas drew it (PNG files, in order). */
async function qrFrames(page: Page, dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const canvas = page.getByTestId('message-qr').locator('canvas').first();
  const seen = new Map<number, string>();
  const deadline = Date.now() + 30_000;
  let total = Infinity;
  while (seen.size < total) {
    if (Date.now() > deadline) throw new Error(`only ${seen.size} of ${total} QR frames seen`);
    // The frame index and its pixels are read in one task, so they belong together.
    const { index, url, count } = await canvas.evaluate((c: HTMLCanvasElement) => {
      const caption = c.closest('figure')?.querySelector('figcaption')?.textContent ?? '';
      const m = /of (\d+)/.exec(caption);
      return { index: Number(c.dataset.frame), url: c.toDataURL('image/png'), count: m ? Number(m[1]) : 1 };
    });
    total = count;
    if (!seen.has(index)) seen.set(index, url);
    await page.waitForTimeout(30);
  }
  return [...seen.keys()]
    .sort((a, b) => a - b)
    .map((i) => {
      const file = join(dir, `frame-${String(i).padStart(3, '0')}.png`);
      writeFileSync(file, Buffer.from(seen.get(i)!.split(',')[1]!, 'base64'));
      return file;
    });
}

/**
 * A video of the frames as another camera filming the screen would record it: each frame held a
 * tenth of a second at 30 frames/s, scaled with smoothing onto a grey 640×480 picture, the loop
 * played twice.
 */
function video(frames: string[], out: string, codec: string[]): string {
  const list = join(work, `${out}.txt`);
  const lines = [...frames, ...frames].map((f) => `file '${f}'\nduration 0.1`);
  writeFileSync(list, `${lines.join('\n')}\nfile '${frames[frames.length - 1]}'\n`);
  const file = join(work, out);
  execFileSync('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list],
    ...['-vf', 'scale=440:440:flags=bilinear,pad=640:480:100:20:color=gray,fps=30,format=yuv420p', ...codec, file],
  ]);
  return file;
}

let C: Device;
let W1: Device;
let W2: Device;

test('scanning from files, the objection screen and the close as a choice', async () => {
  test.skip(NO_FFMPEG, 'ffmpeg is not installed');
  test.setTimeout(8 * 60_000);
  const scriptPath = join(work, 'screens.yaml');
  writeFileSync(scriptPath, SCRIPT);
  C = await app.device('coordinator');
  W1 = await app.device('W1');
  W2 = await app.device('W2');
  C.stand.willImport(scriptPath);
  await C.page.getByRole('button', { name: /^Coordinator/ }).click();
  await C.page.getByRole('button', { name: 'Open script file…' }).click();
  await C.page.getByLabel('Your name (the ceremony administrator)').fill('Alex Admin');
  await C.page.getByLabel(/compared the script hash/).check();
  await C.page.getByRole('button', { name: /Create rehearsal session/ }).click();
  await expect(C.page.getByRole('heading', { name: /^Enrolment/ })).toBeVisible();

  // --- The genesis, recorded off the coordinator's screen by another camera.
  const genesis = await qrFrames(C.page, join(work, 'genesis'));
  const webm = video(genesis, 'genesis.webm', ['-c:v', 'libvpx', '-b:v', '2M']);
  const mp4 = video(genesis, 'genesis.mp4', ['-c:v', 'libx264']);
  const part2 = video(genesis, 'genesis-mpeg4-part2.mp4', ['-c:v', 'mpeg4']);

  const join_ = async (d: Device, name: string): Promise<void> => {
    d.stand.willImport(scriptPath);
    await d.page.getByRole('button', { name: /^Witness or custodian/ }).click();
    await d.page.getByLabel('Your name').fill(name);
    await d.page.getByRole('button', { name: 'Open script file…' }).click();
    await d.page.getByRole('button', { name: /Scan the genesis/ }).click();
  };
  await join_(W1, 'Wanda Okafor');
  await join_(W2, 'Walter Lindqvist');
  // Files that hold no message: each said for what it is, and nothing else happens.
  const blank = join(work, 'blank.png');
  execFileSync('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'color=white:s=320x240', '-frames:v', '1', blank]);
  const notImage = join(work, 'notes.png');
  writeFileSync(notImage, 'bag TEB-2026-00001, seen by both witnesses\n');
  await W2.page.getByTestId('scan-file-input').setInputFiles([blank, notImage]);
  await expect(W2.page.getByTestId('scan-files')).toContainText('blank.png: no QR code found');
  await expect(W2.page.getByTestId('scan-file-error')).toHaveText(
    '"notes.png" (image/png) is not an image this app can decode (PNG, JPEG, WebP, GIF and BMP are)',
  );
  // A format Chromium cannot decode is named as such, and nothing else happens.
  await W2.page.getByTestId('scan-file-input').setInputFiles(part2);
  await expect(W2.page.getByTestId('scan-file-error')).toContainText(
    'genesis-mpeg4-part2.mp4" (video/mp4) is in a format this app\'s video decoder cannot play',
  );
  await expect(W2.page.getByTestId('participant-enrol')).toHaveCount(0);
  await W1.page.getByTestId('scan-file-input').setInputFiles(webm);
  await W2.page.getByTestId('scan-file-input').setInputFiles(mp4);
  for (const d of [W1, W2]) await expect(d.page.getByTestId('genesis-ok')).toBeVisible({ timeout: 60_000 });

  // --- W1's enrolment reaches the coordinator as PNG files of its frames; W2's over the camera.
  await W1.page.getByRole('button', { name: 'Sign my enrolment and show it' }).click();
  const enrolment = await qrFrames(W1.page, join(work, 'enrolment-w1'));
  await C.page.getByTestId('scan-file-input').setInputFiles(enrolment);
  await expect(C.page.getByTestId('participants')).toContainText('Wanda Okafor', { timeout: 30_000 });
  await expect(C.page.getByTestId('scan-files')).toContainText(/frame-000\.png: 1 QR code/);
  await W2.page.getByRole('button', { name: 'Sign my enrolment and show it' }).click();
  await film(W2.page, [C.page], async () =>
    (await C.page.getByTestId('participants').innerText()).includes('Walter Lindqvist'),
  );
  for (const d of [W1, W2]) await d.page.getByRole('button', { name: /scan the statements/ }).click();
  await C.page.getByRole('button', { name: /Enrolment complete/ }).click();

  // --- Step 1.1: W1 objects, W2 confirms; an exception resolves it.
  await C.page.locator('#input-bag').fill('TEB-2026-00001');
  await C.page.getByRole('button', { name: 'Run the checks' }).click();
  await C.page.getByRole('button', { name: 'Sign the statement and show it' }).click();
  const reviewing = (target: string) => async (): Promise<boolean> =>
    (
      await Promise.all(
        [W1, W2].map(
          async (d) =>
            (await d.page.locator(`[data-testid="participant-review"][data-target="${target}"]`).count()) > 0,
        ),
      )
    ).every(Boolean);
  await film(C.page, [W1.page, W2.page], reviewing('statement'));
  await W1.page.getByLabel('Or object, saying why').fill(OBJECTION);
  await W1.page.getByRole('button', { name: 'Object' }).click();
  const answer = W1.page.getByTestId('participant-answer');
  await expect(answer).toHaveAttribute('data-decision', 'object');
  await expect(W1.page.getByRole('heading', { level: 1 })).toHaveText('Your objection to step 1.1, signed');
  await expect(W1.page.getByTestId('answer-summary')).toContainText(OBJECTION);
  await expect(W1.page.getByTestId('answer-summary')).toContainText('cannot complete while your objection stands');
  await expect(answer).not.toContainText('Carries: ack');
  await shoot(W1.page, '18-participant-objection-signed', 'participant: objection signed', async () => {
    await expect(W1.page.getByRole('heading', { level: 1 })).toBeInViewport();
    await expect(W1.page.getByTestId('message-qr').locator('canvas')).toBeInViewport({ ratio: 1 });
  });
  const quorumSays = (name: string, column: number, what: string) => async (): Promise<boolean> =>
    (await C.page.locator(`[data-testid="quorum"] tr[data-participant="${name}"] td`).allInnerTexts())[
      column
    ]?.includes(what) === true ||
    (await C.page.getByTestId('step-complete').count()) > 0 ||
    (await C.page.getByTestId('close-screen').count()) > 0;
  await film(W1.page, [C.page], quorumSays('Wanda Okafor', 0, 'OBJECTED'));
  await W2.page.getByRole('button', { name: /^Confirm/ }).click();
  await expect(W2.page.getByRole('heading', { level: 1 })).toHaveText('Your confirmation of step 1.1, signed');
  await film(W2.page, [C.page], quorumSays('Walter Lindqvist', 0, 'CONFIRMED'));
  for (const d of [W1, W2]) await d.page.getByRole('button', { name: /scan the next statement/ }).click();
  await C.page.getByLabel(/Exception: what was found/).fill('The bag was read again by all: TEB-2026-00001.');
  await C.page.getByRole('button', { name: 'Sign the exception and show it' }).click();
  await film(C.page, [W1.page, W2.page], reviewing('exception'));
  for (const [d, name] of [
    [W1, 'Wanda Okafor'],
    [W2, 'Walter Lindqvist'],
  ] as const) {
    await d.page.getByRole('button', { name: /^Confirm/ }).click();
    await expect(d.page.getByRole('heading', { level: 1 })).toHaveText(
      'Your confirmation of the exception at step 1.1, signed',
    );
    await film(d.page, [C.page], quorumSays(name, 1, 'CONFIRMED'));
    await d.page.getByRole('button', { name: /scan the next statement/ }).click();
  }

  // --- The close: agree or not, as one choice; "I do not agree" needs a reason.
  await C.page.getByRole('button', { name: 'Close the session' }).click();
  await film(C.page, [W1.page, W2.page], async () =>
    (await Promise.all([W1, W2].map(async (d) => (await d.page.getByTestId('participant-attest').count()) > 0))).every(
      Boolean,
    ),
  );
  for (const d of [W1, W2]) {
    await expect(d.page.getByTestId('participant-attest').getByRole('checkbox')).toHaveCount(0);
    await expect(d.page.getByRole('radio')).toHaveCount(2);
    await expect(d.page.getByRole('button', { name: /^Sign/ })).toBeDisabled();
  }
  await W1.page.getByRole('radio', { name: /I agree/ }).check();
  await shoot(W1.page, '19-participant-attest-choice', 'participant: attestation choice', async () => {
    await expect(W1.page.getByRole('button', { name: 'Sign my closing attestation' })).toBeInViewport();
    await expect(W1.page.getByRole('radio', { name: /I do not agree/ })).toBeInViewport();
  });
  await W1.page.getByRole('button', { name: 'Sign my closing attestation' }).click();
  await W2.page.getByRole('radio', { name: /I do not agree/ }).check();
  await expect(W2.page.getByRole('button', { name: 'Sign that I do not agree' })).toBeDisabled();
  await W2.page.getByLabel(/Why you do not agree/).fill('The exception was signed before I saw the bag myself.');
  await shoot(W2.page, '19-participant-attest-disagree', 'participant: not agreeing, with a reason', async () => {
    await expect(W2.page.getByLabel(/Why you do not agree/)).toBeInViewport();
    await expect(W2.page.getByRole('button', { name: 'Sign that I do not agree' })).toBeInViewport();
  });
  await W2.page.getByRole('button', { name: 'Sign that I do not agree' }).click();
  await expect(W2.page.getByTestId('participant-attest')).toContainText('You do not agree');
  for (const [d, name, says] of [
    [W1, 'Wanda Okafor', 'agrees'],
    [W2, 'Walter Lindqvist', 'not agree'],
  ] as const)
    await film(d.page, [C.page], async () =>
      (await C.page.getByTestId('attestations').locator('li', { hasText: name }).allInnerTexts())
        .join('')
        .toLowerCase()
        .includes(says),
    );
  for (const d of [C, W1, W2]) expect(d.errors, d.name).toEqual([]);
});

/** Bundles and receipts of the sample rehearsal, played by `keywitness demo` (in process). */
async function demo(scenario: string): Promise<{ bundle: string; receipts: string[] }> {
  const out = join(work, `demo-${scenario}-${Date.now()}`);
  const quiet = { stdout: () => undefined, stderr: () => undefined, stdoutBytes: () => undefined };
  await runDemo(['--scenario', scenario, '--out', out], quiet);
  const files = readdirSync(out);
  return {
    bundle: join(out, 'session.keywitness.json'),
    receipts: files.filter((f) => f.endsWith('.receipt.json')).map((f) => join(out, f)),
  };
}

async function auditor(name: string, a: { bundle: string; receipts: string[] }, b: string): Promise<Device> {
  const A = await app.device(name);
  A.stand.willImport(a.bundle, ...a.receipts, b);
  await A.page.getByRole('button', { name: /^Auditor/ }).click();
  await A.page.getByRole('button', { name: 'Open session bundle…' }).click();
  for (let i = 0; i < a.receipts.length; i++)
    await A.page.getByRole('button', { name: 'Add a participant receipt…' }).click();
  await A.page.getByRole('button', { name: 'Compare with another bundle…' }).click();
  await expect(A.page.getByTestId('audit-files').locator('li')).toHaveCount(2 + a.receipts.length);
  await A.page.getByRole('button', { name: 'Verify and compare' }).click();
  await expect(A.page.getByTestId('audit-report')).toBeVisible({ timeout: 90_000 });
  return A;
}

/** What core says of the two sessions: the audit's verdict of A and the comparison of A with B. */
async function coreSays(a: { bundle: string; receipts: string[] }, b: string) {
  installCryptoEngine();
  const read = (p: string) => new Uint8Array(readFileSync(p));
  const result = await auditSession(
    decodeBundle(read(a.bundle)),
    a.receipts.map((r) => decodeReceipt(read(r))),
    {
      checker: checkEvidence,
    },
  );
  const other = await auditBundle(decodeBundle(read(b)), [], { checker: checkEvidence });
  return { result, comparison: await compareSessions(result.report, other) };
}

test('the auditor compares two sessions of one script, findings and differences above the fold', async () => {
  test.setTimeout(6 * 60_000);
  const rehearsal = await demo('objection');
  const production = await demo('objection');
  const dishonest = await demo('dropped-objection');

  // Two honest runs: nothing unexpected; what every run changes is listed apart.
  const clean = await auditor('auditor-compare', production, rehearsal.bundle);
  const said = await coreSays(production, rehearsal.bundle);
  expect(said.comparison.unexpected).toBe(0);
  await expect(clean.page.getByTestId('comparison')).toHaveAttribute('data-unexpected', '0');
  await expect(clean.page.getByTestId('comparison-headline')).toHaveText(/^Nothing unexpected differs between A/);
  await expect(clean.page.getByTestId('comparison-unexpected')).toHaveCount(0);
  const expectedShown = await clean.page.getByTestId('comparison-expected').locator('li li').allTextContents();
  expect(expectedShown).toEqual(said.comparison.steps.flatMap((s) => s.expected));
  await expect(clean.page.getByTestId('verdict-text')).toHaveText(said.result.verdict.text);
  // Each receipt file is named with the participant core accepted it as.
  const owners = await clean.page.getByTestId('audit-receipt').allInnerTexts();
  expect(owners).toHaveLength(production.receipts.length);
  for (const [i, text] of owners.entries())
    expect(text).toContain(said.result.receipts.given.find((o) => o.receipts.includes(i + 1))!.label);
  await shoot(clean.page, '20-auditor-compare-clean', 'auditor: comparison, clean', async () => {
    await expect(clean.page.getByTestId('verdict-text')).toBeInViewport({ ratio: 1 });
    await expect(clean.page.getByTestId('comparison-headline')).toBeInViewport();
  });
  expect(clean.errors).toEqual([]);

  // A dishonest coordinator's session against its rehearsal: findings, then what differs, first.
  const bad = await auditor('auditor-compare-findings', dishonest, rehearsal.bundle);
  const badSaid = await coreSays(dishonest, rehearsal.bundle);
  expect(badSaid.result.findings.length).toBeGreaterThan(0);
  expect(badSaid.comparison.unexpected).toBeGreaterThan(0);
  await expect(bad.page.getByTestId('verdict-text')).toHaveText(badSaid.result.verdict.text);
  const codes = await bad.page
    .getByTestId('findings')
    .locator('li')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-code')));
  expect(codes).toEqual(badSaid.result.findings.map((f) => f.code));
  const unexpectedShown = await bad.page.getByTestId('comparison-unexpected').locator('li li').allTextContents();
  expect(unexpectedShown).toEqual(badSaid.comparison.steps.flatMap((s) => s.unexpected));
  // Unexpected differences come before the expected ones.
  const order = await bad.page
    .getByTestId('comparison')
    .evaluate(
      (el) =>
        [...el.querySelectorAll('[data-testid]')].map((e) => e.getAttribute('data-testid')).filter(Boolean) as string[],
    );
  expect(order.indexOf('comparison-unexpected')).toBeLessThan(order.indexOf('comparison-expected'));
  await shoot(bad.page, '21-auditor-compare-findings', 'auditor: findings and comparison', async () => {
    // Above the fold: the verdict whole, and the findings begin.
    await expect(bad.page.getByTestId('verdict-text')).toBeInViewport({ ratio: 1 });
    await expect(bad.page.getByTestId('findings').locator('li').first()).toBeInViewport({ ratio: 1 });
  });
  expect(bad.errors).toEqual([]);

  // A session of another script is not compared (as `keywitness compare` exits 2): the audit stands, the comparison is refused.
  const bundle = decodeBundle(new Uint8Array(readFileSync(rehearsal.bundle)));
  const otherScript = join(work, 'other-script.keywitness.json');
  writeFileSync(
    otherScript,
    encodeBundle({ ...bundle, script: new Uint8Array([...bundle.script, ...Buffer.from('# another script\n')]) }),
  );
  const refused = await auditor('auditor-compare-other-script', production, otherScript);
  await expect(refused.page.getByTestId('verdict')).toHaveText('Consistent: 0 findings.');
  await expect(refused.page.getByTestId('comparison')).toHaveCount(0);
  const error = refused.page.getByTestId('audit-report').getByTestId('error');
  await expect(error).toHaveAttribute('data-code', 'INPUT_INVALID');
  await expect(error).toContainText('the bundles are sessions of different scripts');
  await expect(error).toContainText('other-script.keywitness.json');
});
