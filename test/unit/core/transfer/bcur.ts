/** The @ngraveio/bc-ur reference implementation, loaded through its CommonJS entry points. */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface BcurEncoderPart {
  seqNum: number;
  seqLength: number;
  messageLength: number;
  checksum: number;
  fragment: Buffer;
}
export interface BcurFountainEncoder {
  nextPart(): BcurEncoderPart;
  fragmentLength: number;
  fragmentsLength: number;
}
export interface BcurFountainDecoder {
  receivePart(p: BcurEncoderPart): boolean;
  isComplete(): boolean;
  isSuccess(): boolean;
  resultMessage(): Buffer;
}

const enc = require('@ngraveio/bc-ur/dist/fountainEncoder.js') as {
  default: {
    new (
      message: Buffer,
      maxFragmentLength?: number,
      firstSeqNum?: number,
      minFragmentLength?: number,
    ): BcurFountainEncoder;
    findNominalFragmentLength(len: number, min: number, max: number): number;
  };
  FountainEncoderPart: new (
    seqNum: number,
    seqLen: number,
    msgLen: number,
    checksum: number,
    fragment: Buffer,
  ) => BcurEncoderPart;
};
const dec = require('@ngraveio/bc-ur/dist/fountainDecoder.js') as { default: new () => BcurFountainDecoder };
const utils = require('@ngraveio/bc-ur/dist/fountainUtils.js') as {
  chooseFragments(seqNum: number, seqLen: number, checksum: number): number[];
};
const xo = require('@ngraveio/bc-ur/dist/xoshiro.js') as {
  default: new (seed: Buffer) => { next(): { toString(base?: number): string }; nextDouble(): { toNumber(): number } };
};
const u = require('@ngraveio/bc-ur/dist/utils.js') as { getCRC(b: Buffer): number };

export const BcurFountainEncoderClass = enc.default;
export const BcurEncoderPartClass = enc.FountainEncoderPart;
export const BcurFountainDecoderClass = dec.default;
export const bcurChooseFragments = utils.chooseFragments;
export const BcurXoshiro = xo.default;
export const bcurCrc = u.getCRC;
