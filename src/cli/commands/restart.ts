/** `mixcompose restart` (see lifecycle.ts). */
export { registerRestart } from './lifecycle.js';
