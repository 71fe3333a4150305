/**
 * The `object` expectation of HSM output: the PKCS#11 attributes of one named key object as
 * `pkcs11-tool --list-objects` shows them (CKA_LOCAL: generated on the token; CKA_SENSITIVE and
 * CKA_ALWAYS_SENSITIVE; CKA_EXTRACTABLE and CKA_NEVER_EXTRACTABLE), tied to that object rather than
 * matched anywhere in the transcript. The object is the one with the label and class (default
 * private-key) the script names; none, or more than one, is a failure saying what the output shows.
 */
import type { CheckResult } from '../checks.js';
import type { CheckContext } from './checks-context.js';
import { ACCESS_ATTRIBUTES, accessFlags, type AccessAttribute } from './hsm/pkcs11-access.js';
import type { HsmFacts, HsmObject } from './hsm/index.js';

type Spec = Readonly<{ label: string; class?: string } & Partial<Record<AccessAttribute, boolean>>>;

/** The attribute names an `object` map may hold, besides `label` and `class`. */
export const OBJECT_ATTRIBUTES = Object.keys(ACCESS_ATTRIBUTES) as AccessAttribute[];

function named(o: HsmObject): string {
  return `${o.class ?? 'object'}${o.label === undefined ? '' : ` "${o.label}"`}${o.id === undefined ? '' : ` (ID ${o.id})`}`;
}

/**
 * Evaluate `object: {label, class, local, sensitive, always_sensitive, extractable,
 * never_extractable}`: one result `object.<attribute>` per attribute declared.
 */
export function checkObject(ctx: CheckContext, hsm: HsmFacts, spec: Spec): CheckResult[] {
  const cls = spec.class ?? 'private-key';
  const wanted = OBJECT_ATTRIBUTES.filter((a) => spec[a] !== undefined);
  const expected = (a: AccessAttribute): string =>
    `${ACCESS_ATTRIBUTES[a].cka} ${spec[a] ? 'true' : 'false'} on the ${cls} labelled "${spec.label}"`;
  const matches = hsm.objects.filter((o) => o.label === spec.label && o.class === cls);
  const fail = (why: string): CheckResult[] => wanted.map((a) => ctx.result(`object.${a}`, false, expected(a), why));
  if (matches.length === 0) {
    const seen = hsm.objects.map(named).join(', ') || 'none';
    return fail(`no ${cls} object labelled "${spec.label}" in the ${hsm.format} output (objects: ${seen})`);
  }
  const [object, second] = matches;
  if (object === undefined || second !== undefined)
    return fail(`${matches.length} ${cls} objects are labelled "${spec.label}": ${matches.map(named).join(', ')}`);
  const flags = accessFlags(object);
  if (!flags) return fail(`the output prints no Access line for ${named(object)}, so its attributes are not shown`);
  const extra = flags.unknown.length ? `; words not known: ${flags.unknown.join(', ')}` : '';
  return wanted.map((a) =>
    ctx.result(
      `object.${a}`,
      flags.values[a] === spec[a],
      expected(a),
      `${ACCESS_ATTRIBUTES[a].cka} ${flags.values[a] ? 'true' : 'false'}: ${named(object)} Access: ${flags.line}${extra}`,
    ),
  );
}
