// NODE_OPTIONS="--import <this file>": installs hooks.mjs, so a test sees which heavy libraries a command loads.
import { register } from 'node:module';

register(new URL('./hooks.mjs', import.meta.url));
