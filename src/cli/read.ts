/**
 * Reading user-named files for CLI commands. The one reader is `readInputFile` in
 * src/node/files.ts (regular files only, opened non-blocking, bounded by fstat before a byte is
 * read); this name is kept for the commands that import it.
 */
export { readInputFile as readFileLimited } from '../node/files.js';
