import { fileURLToPath } from 'node:url';
import { requireWithCodeCache } from './util/code-cache.js';

// dist/launch.cjs, what bin/foundation.js requires: the command line (dist/cli.cjs) through
// V8's code cache too. Help, a run and completion compile other code, so each keeps its own cache.
const help = process.argv.length <= 2 || process.argv.some((arg) => arg === '-h' || arg === '--help' || arg === 'help');
const variant = process.argv[2] === '__complete' ? 'complete' : help ? 'help' : 'run';
requireWithCodeCache(fileURLToPath(new URL('./cli.cjs', import.meta.url)), variant);
