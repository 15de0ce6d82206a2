/** What the program says about itself; imported by the entry's fast paths, so it imports nothing. */
export const VERSION = '0.1.0';
export const DESCRIPTION = 'One compose stack across a Windows and a Linux Docker daemon';
