/** Exit codes: 0 ok, 1 invalid input or a failed operation the user can act on, 2 usage, 70 internal. */
export const EXIT_OK = 0;
export const EXIT_INVALID = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 70;
