/**
 * The demo ceremony as `keywitness demo` plays it: the sample root-CA script, its SoftHSM2
 * evidence, six simulated participants, every device recomputing with checkEvidence. Tests that
 * need real signed messages of a whole session start here.
 */
import { readFile } from 'node:fs/promises';
import { checkEvidence } from '../../src/core/evidence/checks.js';
import { parseScript } from '../../src/core/script/parse.js';
import { simulateCeremony, type SimulationResult } from '../../src/core/session/simulate.js';
import { installCryptoEngine } from '../../src/node/crypto-engine.js';
import { DEMO_PARTICIPANTS, DEMO_SCRIPT, loadDemoSteps, type DemoScenario } from '../../src/cli/demo-plan.js';

/** Play the demo once, in the given scenario (an honest room with one objection by default). */
export async function playDemo(scenario: DemoScenario = 'objection'): Promise<SimulationResult> {
  installCryptoEngine();
  const scriptBytes = new Uint8Array(await readFile(DEMO_SCRIPT));
  const script = parseScript(scriptBytes);
  return simulateCeremony({
    script,
    scriptBytes,
    coordinatorName: 'Ada Lovelace',
    participants: DEMO_PARTICIPANTS,
    steps: await loadDemoSteps(script, scenario),
    checker: checkEvidence,
  });
}
