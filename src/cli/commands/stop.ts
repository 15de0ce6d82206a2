/** `mixcompose stop` (see lifecycle.ts). */
export { registerStop } from './lifecycle.js';
