/**
 * What every `keywitness` command accepts, with descriptions: the one table the argument parser
 * (`parseCommandArgs`), `--help` and the README test read, so an option cannot be accepted without
 * being documented, or documented without being accepted.
 */
import type { CommandSpec } from './args.js';

/** `--help` is accepted by every command and subcommand; main prints the help and exits 0. */
export const HELP_OPTION = { type: 'boolean', short: 'h', description: 'print this help and exit' } as const;

export const AUDIT_SPEC = {
  name: 'audit',
  usage: [
    'audit BUNDLE [--receipt FILE]... [--expect-script SHA256] [--expect-coordinator FINGERPRINT] [--json] [--pdf F.pdf]',
  ],
  summary:
    "Re-verifies a session bundle and the participants' receipts from their bytes alone, and compares the script hash and coordinator key with the paper record.",
  arguments: [['BUNDLE', 'the session bundle (*.keywitness.json)']],
  options: {
    receipt: {
      type: 'string',
      multiple: true,
      value: 'FILE',
      description: "a participant's receipt (*.receipt.json); repeat for each",
    },
    'expect-script': {
      type: 'string',
      value: 'SHA256',
      description: 'the script hash from the paper record: hex (colons allowed) or 32 PGP words',
    },
    'expect-coordinator': {
      type: 'string',
      value: 'FINGERPRINT',
      description: "the coordinator key's fingerprint from the paper record: hex or 32 PGP words",
    },
    json: { type: 'boolean', description: 'print one JSON object (keywitness-audit/1) instead of the report' },
    pdf: {
      type: 'string',
      value: 'F.pdf',
      description: 'also write the report as a PDF (a new file, never overwritten); says so on standard error',
    },
  },
  exit: '0 no findings, 1 findings, 2 unreadable input or a bad expected value',
} as const satisfies CommandSpec;

export const INSPECT_SPEC = {
  name: 'inspect',
  usage: [
    'inspect FILE... [--json] [--kind certificate|csr|public-key|dnskey|crl|ocsp|hsm-output|file] [--parser NAME]',
  ],
  summary:
    'Prints the facts and fingerprints of certificates, CSRs, CRLs, OCSP responses, public keys, DNSKEYs and HSM transcripts.',
  arguments: [['FILE', 'an evidence file (at most 1 MiB)']],
  options: {
    json: { type: 'boolean', description: 'print one JSON object (keywitness-inspect/1)' },
    kind: { type: 'string', value: 'KIND', description: 'read every FILE as this kind instead of detecting it' },
    parser: {
      type: 'string',
      value: 'NAME',
      description: 'the HSM tool whose output FILE is (pkcs11-tool, softhsm2-util, yubihsm-shell, openssl, luna…)',
    },
  },
  exit: '0 every file read, 1 a file could not be read or parsed, 2 bad arguments',
} as const satisfies CommandSpec;

export const VERIFY_SPEC = {
  name: 'verify',
  usage: ['verify FILE... [--issuer FILE]... [--at TIME] [--json]'],
  summary:
    'Checks every signature the evidence carries (certificates, CSRs, CRLs, OCSP responses, signed DNS zones, YubiHSM 2 attestations) and says what signed each.',
  arguments: [['FILE', 'an evidence file (at most 1 MiB)']],
  options: {
    issuer: {
      type: 'string',
      multiple: true,
      value: 'FILE',
      description: 'a certificate, key or DNSKEY set that may have signed the files; repeat for each',
    },
    at: {
      type: 'string',
      value: 'TIME',
      description: 'check validity at this UTC time (2026-12-01 or 2026-12-01T09:00Z) instead of now',
    },
    json: { type: 'boolean', description: 'print one JSON object (keywitness-verify/1)' },
  },
  exit: '0 every signature verifies, 1 one fails or cannot be checked, 2 unreadable input',
} as const satisfies CommandSpec;

export const SCRIPT_LINT_SPEC = {
  name: 'script lint',
  usage: ['script lint FILE [--production]'],
  summary:
    'Strict parse of a ceremony script: every error it finds, each with its YAML path and line; names the roles the script pins nobody to.',
  arguments: [['FILE', 'a ceremony script (keywitness-script/1 YAML)']],
  options: {
    production: {
      type: 'boolean',
      description: 'also require what a production session requires: every role pinned (exit 1 when not)',
    },
  },
  exit: '0 valid, 1 with --production when a role is unpinned, 2 invalid',
} as const satisfies CommandSpec;

export const SCRIPT_HASH_SPEC = {
  name: 'script hash',
  usage: ['script hash FILE'],
  summary:
    'SHA-256 of the exact file bytes as hex, 32 PGP words and the short form; refuses every script `script lint` refuses.',
  arguments: [['FILE', 'a ceremony script']],
  options: {},
  exit: '0, 2 invalid',
} as const satisfies CommandSpec;

export const WORDS_SPEC = {
  name: 'words',
  usage: ['words HEX'],
  summary: 'PGP words for a fingerprint or hash, to compare with what is read aloud.',
  arguments: [['HEX', '1 to 64 bytes of hex digits; colons and spaces allowed']],
  options: {},
  exit: '0, 2 on bad hex',
} as const satisfies CommandSpec;

export const QR_ENCODE_SPEC = {
  name: 'qr encode',
  usage: ['qr encode FILE --out DIR [--entry N|last] [--scale N]'],
  summary: 'A signed message as numbered QR frames (DIR/frame-01.png…), to be shown in order at about 10 frames/s.',
  arguments: [['FILE', 'a wire message, or a session bundle or receipt with --entry']],
  options: {
    out: {
      type: 'string',
      value: 'DIR',
      description: 'the folder for the frames; created if its parent exists; no frame is written if any exists',
    },
    entry: {
      type: 'string',
      value: 'N|last',
      description:
        "which message of a bundle's transcript or a receipt: its entry number as the audit report gives it (from 0, the genesis), or last",
    },
    scale: { type: 'string', value: 'N', description: 'pixels per QR module, 1 to 32 (default 8)' },
  },
  exit: '0, 2 bad input',
} as const satisfies CommandSpec;

export const QR_DECODE_SPEC = {
  name: 'qr decode',
  usage: [
    'qr decode IMAGE... [--bundle BUNDLE [--signer-fingerprint FINGERPRINT]] [--out FILE]',
    'qr decode IMAGE... --signer HEX [--alg ed25519|p256] [--out FILE]',
    'qr decode IMAGE --raw [--out FILE]',
  ],
  summary:
    "Reassembles a message from QR frames and releases it only if its signature verifies: against a key of a bundle named by its fingerprint, the bundle's genesis (coordinator) key, a raw public key, or, for a genesis or enrolment, the key it declares itself.",
  arguments: [['IMAGE', 'a PNG or JPEG image of QR codes (a screenshot or a photograph)']],
  options: {
    bundle: {
      type: 'string',
      value: 'BUNDLE',
      description:
        'a session bundle whose keys the message is checked against: its genesis (coordinator) key, or the key --signer-fingerprint names',
    },
    'signer-fingerprint': {
      type: 'string',
      value: 'FINGERPRINT',
      description: "the signer's key fingerprint (hex, colons allowed, or 32 PGP words), looked up in --bundle",
    },
    signer: { type: 'string', value: 'HEX', description: "the signer's raw public key in hex (not its fingerprint)" },
    alg: { type: 'string', value: 'ed25519|p256', description: 'the algorithm of --signer (default ed25519)' },
    raw: { type: 'boolean', description: "print exactly one plain QR code's bytes (a PEM, a hash), nothing else" },
    out: { type: 'string', value: 'FILE', description: 'write the message (or the raw bytes) to this new file' },
  },
  exit: '0, 1 nothing verified, 2 bad input',
} as const satisfies CommandSpec;

export const DEMO_SPEC = {
  name: 'demo',
  usage: ['demo [--scenario objection|dropped-objection|retry|late-join|suspend|abort] --out DIR'],
  summary:
    'A complete simulated rehearsal of the sample root-CA ceremony: writes the session bundle and every receipt, then audits them.',
  arguments: [],
  options: {
    out: { type: 'string', value: 'DIR', description: 'the folder to write into (created; never overwritten)' },
    scenario: {
      type: 'string',
      value: 'NAME',
      description:
        'objection (default: an objection resolved by an exception), dropped-objection (a dishonest coordinator the audit must catch), retry (a step redone), late-join (a witness joins late, a custodian’s device is replaced), suspend (resumed the next day) or abort (closed as aborted)',
    },
  },
  exit: 'as audit',
} as const satisfies CommandSpec;

export const REHEARSE_SPEC = {
  name: 'rehearse',
  usage: ['rehearse SCRIPT --evidence DIR [--inputs FILE] [--out DIR]'],
  summary:
    "Plays your own script with simulated participants from your rehearsal's evidence files; every check is shown before anything is signed.",
  arguments: [['SCRIPT', 'the ceremony script']],
  options: {
    evidence: {
      type: 'string',
      value: 'DIR',
      description: 'the evidence folder, laid out as DIR/<step id>/<evidence id>.<extension>',
    },
    inputs: { type: 'string', value: 'FILE', description: 'an answers file: the values typed at each step' },
    out: {
      type: 'string',
      value: 'DIR',
      description: 'write the rehearsal bundle and every receipt here (without it, the audit runs in memory)',
    },
  },
  exit: 'as audit; 2 with any failed check, anything missing or bad input, and then nothing is written',
} as const satisfies CommandSpec;

export const COMPARE_SPEC = {
  name: 'compare',
  usage: ['compare BUNDLE_A BUNDLE_B [--json]'],
  summary:
    'Audits two sessions of the same script (a rehearsal and its production run) and lists step by step what differs and needs explaining.',
  arguments: [
    ['BUNDLE_A', 'a session bundle'],
    ['BUNDLE_B', 'a session bundle of the same script'],
  ],
  options: { json: { type: 'boolean', description: 'print one JSON object (keywitness-compare/1)' } },
  exit: '0 nothing unexpected differs, 1 something does, 2 unreadable input or bundles of different scripts',
} as const satisfies CommandSpec;

/** A command with subcommands: `script lint|hash`, `qr encode|decode`. */
export interface CommandGroup {
  readonly name: string;
  readonly summary: string;
  readonly subcommands: readonly CommandSpec[];
}

export const SCRIPT_PRINT_SPEC = {
  name: 'script print',
  usage: ['script print FILE --out F.pdf'],
  summary:
    'Writes the printable ceremony worksheet as a PDF: the script hash as hex and 32 numbered PGP words, the roles, and per step its instructions, expected values, boxes for initials and times, and space for exceptions.',
  arguments: [['FILE', 'a ceremony script; refused as `script lint` refuses it']],
  options: {
    out: { type: 'string', value: 'F.pdf', description: 'the PDF to write (a new file: never overwritten)' },
  },
  exit: '0, 2 an invalid script, a character the embedded fonts lack, or an existing F.pdf',
} as const satisfies CommandSpec;

export const SCRIPT_GROUP: CommandGroup = {
  name: 'script',
  summary: 'Check a ceremony script, print the hash that is published on paper, or write its printable worksheet.',
  subcommands: [SCRIPT_LINT_SPEC, SCRIPT_HASH_SPEC, SCRIPT_PRINT_SPEC],
};

export const QR_GROUP: CommandGroup = {
  name: 'qr',
  summary: 'Messages as QR frames, and back, verified.',
  subcommands: [QR_ENCODE_SPEC, QR_DECODE_SPEC],
};

/** Usage lines of a spec, each starting `keywitness `, joined for a usage error. */
export function usageOf(spec: CommandSpec): string {
  return spec.usage.map((u) => `keywitness ${u}`).join(' | ');
}
