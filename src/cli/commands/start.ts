/** `mixcompose start` (see lifecycle.ts). */
export { registerStart } from './lifecycle.js';
