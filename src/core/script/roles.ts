/**
 * Roles and pinned participants of a ceremony script (docs/architecture.md, "Trust rules", "The
 * ceremony, end to end" and "Formats: the ceremony script").
 */
import { KeywitnessError } from '../errors.js';
import { fromWords } from '../protocol/words.js';
import { fromHex, toHex } from '../util/bytes.js';
import { optional, readCount, readFields, readFlag, readId, readList, readText } from './fields.js';
import type { ScriptProblems } from './problems.js';
import type { PinnedParticipant, RoleSpec, Script } from './types.js';
import type { YNode } from './yaml-reader.js';
import { scriptError } from './yaml-reader.js';

export const ROLE_FIELDS = ['id', 'title', 'coordinator', 'min', 'max'] as const;
export const PARTICIPANT_FIELDS = ['name', 'role', 'fingerprint'] as const;

/** A key fingerprint is SHA-256 of the raw public key: 32 bytes. */
const FINGERPRINT_BYTES = 32;

/**
 * Parse the `roles` list: unique ids, exactly one coordinator role, `min` ≤ `max`.
 * The coordinator role is always exactly one device, so it takes no `min` or `max`.
 */
export function readRoles(node: YNode, problems?: ScriptProblems): RoleSpec[] {
  const roles: RoleSpec[] = [];
  const lines = new Map<string, number>();
  let coordinatorLine: number | undefined;
  for (const item of readList(node, { nonEmpty: true })) {
    if (!problems) {
      readRole(item);
      continue;
    }
    if (problems.attempt(() => readRole(item)) === undefined) {
      // A role that failed still counts as declared, so the steps that name it are checked
      // without a second, misleading "not a role" error (the script is refused anyway).
      const placeholder = rawRole(item);
      if (placeholder && !roles.some((r) => r.id === placeholder.id)) {
        roles.push(placeholder);
        if (placeholder.coordinator) coordinatorLine ??= item.line;
      }
    }
  }
  if (coordinatorLine === undefined) {
    const e = scriptError(node, 'no role has "coordinator: true"; exactly one role must be the coordinator\'s');
    if (!problems) throw e;
    problems.report(e); // the roles read are still what the steps are checked against
  }
  return roles;

  function readRole(item: YNode): true {
    const f = readFields(item, 'a role', ROLE_FIELDS, problems);
    const idNode = f.require('id');
    const id = readId(idNode);
    const first = lines.get(id);
    if (first !== undefined) throw scriptError(idNode, `duplicate role id "${id}" (first at line ${first})`);
    lines.set(id, idNode.line);
    const title = readText(f.require('title'));
    const coordinatorNode = f.get('coordinator');
    if (coordinatorNode !== undefined && readFlag(coordinatorNode)) {
      if (coordinatorLine !== undefined) {
        throw scriptError(
          coordinatorNode,
          `a second coordinator role (the first is at line ${coordinatorLine}); exactly one role is the coordinator's`,
        );
      }
      coordinatorLine = coordinatorNode.line;
      for (const key of ['min', 'max'] as const) {
        const n = f.get(key);
        if (n !== undefined) throw scriptError(n, `the coordinator role is always exactly one device; remove "${key}"`);
      }
      roles.push({ id, title, coordinator: true, min: 1, max: 1 });
      return true;
    }
    const min = optional(f, 'min', (n) => readCount(n, 0), 1);
    const maxNode = f.get('max');
    let max: number | undefined;
    if (maxNode !== undefined) {
      max = readCount(maxNode, 1);
      if (max < min) throw scriptError(maxNode, `is ${max}, less than min (${min})`);
    }
    roles.push({ id, title, coordinator: false, min, max });
    return true;
  }
}

/** A role as written, for one that failed: its id and coordinator flag if they are readable. */
function rawRole(item: YNode): RoleSpec | undefined {
  if (item.kind !== 'map') return undefined;
  const value = (key: string) => {
    const n = item.entries.find((e) => e.key === key)?.node;
    return n?.kind === 'scalar' ? n.value : undefined;
  };
  const id = value('id');
  if (typeof id !== 'string') return undefined;
  const coordinator = value('coordinator') === true;
  return { id, title: id, coordinator, min: coordinator ? 1 : 0, max: coordinator ? 1 : undefined };
}

/**
 * A fingerprint written as 64 hex digits (colons or spaces allowed, as tools print them) or as
 * exactly 32 PGP words (docs/architecture.md, "Formats: identities and signatures").
 */
export function readFingerprint(node: YNode): Uint8Array {
  const text = readText(node);
  const tokens = text.split(/[\s:]+/).filter((t) => t.length > 0);
  if (tokens.every((t) => /^[0-9A-Fa-f]+$/.test(t))) {
    const digits = tokens.join('').length;
    if (digits !== 2 * FINGERPRINT_BYTES) {
      throw scriptError(
        node,
        `a hex fingerprint has ${2 * FINGERPRINT_BYTES} hex digits (SHA-256), this one has ${digits}`,
      );
    }
    return fromHex(text);
  }
  let bytes: Uint8Array;
  try {
    bytes = fromWords(text);
  } catch (e) {
    const why = e instanceof KeywitnessError ? e.message : String(e);
    throw scriptError(
      node,
      `is neither ${2 * FINGERPRINT_BYTES} hex digits nor ${FINGERPRINT_BYTES} PGP words: ${why}`,
      e,
    );
  }
  if (bytes.length !== FINGERPRINT_BYTES) {
    throw scriptError(
      node,
      `has ${bytes.length} PGP words; a fingerprint is exactly ${FINGERPRINT_BYTES} words (SHA-256)`,
    );
  }
  return bytes;
}

/**
 * Parse `participants`: each names an existing role; names and fingerprints are unique; no role
 * has more pinned participants than its `max`.
 */
export function readParticipants(
  node: YNode,
  roles: readonly RoleSpec[],
  problems?: ScriptProblems,
): PinnedParticipant[] {
  const out: PinnedParticipant[] = [];
  const names = new Map<string, number>();
  const fingerprints = new Map<string, number>();
  const perRole = new Map<string, number>();
  for (const item of readList(node, { emptyValueIsEmptyList: true })) {
    if (problems) problems.attempt(() => readParticipant(item));
    else readParticipant(item);
  }
  return out;

  function readParticipant(item: YNode): true {
    const f = readFields(item, 'a pinned participant', PARTICIPANT_FIELDS, problems);
    const nameNode = f.require('name');
    const name = readText(nameNode);
    const firstName = names.get(name);
    if (firstName !== undefined)
      throw scriptError(nameNode, `participant "${name}" is pinned twice (first at line ${firstName})`);
    names.set(name, nameNode.line);
    const roleNode = f.require('role');
    const roleId = readId(roleNode);
    const role = roles.find((r) => r.id === roleId);
    if (role === undefined)
      throw scriptError(
        roleNode,
        `"${roleId}" is not a role of this script (roles: ${roles.map((r) => r.id).join(', ')})`,
      );
    const count = (perRole.get(roleId) ?? 0) + 1;
    if (role.max !== undefined && count > role.max) {
      throw scriptError(roleNode, `pins participant number ${count} for role "${roleId}", whose max is ${role.max}`);
    }
    perRole.set(roleId, count);
    const fpNode = f.require('fingerprint');
    const fingerprint = readFingerprint(fpNode);
    const hex = toHex(fingerprint);
    const firstFp = fingerprints.get(hex);
    if (firstFp !== undefined)
      throw scriptError(fpNode, `the same fingerprint is pinned for another participant (line ${firstFp})`);
    fingerprints.set(hex, fpNode.line);
    out.push({ name, role: roleId, fingerprint });
    return true;
  }
}

/**
 * Roles of the script for which it pins no participant, the coordinator's included, in script
 * order. Anyone may enrol in such a role under a fresh key and any name, so nothing but a paper
 * record of fingerprints ties its participants to people; a production session needs none.
 */
export function unpinnedRoles(script: Pick<Script, 'roles' | 'participants'>): RoleSpec[] {
  return script.roles.filter((role) => !script.participants.some((p) => p.role === role.id));
}

/** Why a production session cannot be created from this script, or undefined when it can. */
export function productionRefusal(script: Pick<Script, 'id' | 'roles' | 'participants'>): string | undefined {
  const unpinned = unpinnedRoles(script);
  if (unpinned.length === 0) return undefined;
  return (
    `script ${script.id} pins no participant for role${unpinned.length === 1 ? '' : 's'} ` +
    `${unpinned.map((r) => `"${r.id}" (${r.title})`).join(', ')}: a production session needs every role pinned. ` +
    'List each participant with their key fingerprint under "participants", or create a rehearsal'
  );
}
