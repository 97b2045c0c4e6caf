// Stack size for threads that run Lua: 256 MiB holds about 1.5 million Lua frames (deep
// recursion and long tail-call chains work); the memory is committed only as it is used.
export const SCRIPT_STACK_MB = 256;
