/**
 * The Engine API adapter now lives in engine/docker/ (transport, streams, errors, one file per
 * resource). This module keeps the old import path working for existing callers.
 */
export * from './docker/index.js';
