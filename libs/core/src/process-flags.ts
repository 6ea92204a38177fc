// Process flags, one small integer per process (`Proc.flags`).
export const F_STARTED = 1;
export const F_BUSY = 2;
export const F_ASYNC = 4;
export const F_TRAP = 8;
export const F_MONNODES = 16;
export const F_MONHIDDEN = 32;
export const F_DYING = 64;
export const F_EXITED = 128;
/** init completed (terminate only runs for processes that got this far). */
export const F_READY = 256;
export const F_DEAD = F_DYING | F_EXITED;
