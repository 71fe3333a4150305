/** `node --import` entry: puts the recording Electron stand-in in place of `electron` (hooks.mjs). */
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
