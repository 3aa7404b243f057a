/**
 * Python's `select` module over unisock sockets: `select()`, `poll()` and
 * `epoll()`, with Linux's constants and readiness rules.
 *
 * Waiting is event-driven: every call subscribes to the sockets' readiness
 * changes and settles on the first relevant change or at the timeout, so an
 * idle wait costs no CPU however many sockets it watches.
 *
 * @module
 */

export * from "./constants.ts";
export type { FileDescriptorLike, HasFileno } from "./common.ts";
export { select } from "./select.ts";
export { Poll, poll } from "./poll.ts";
export { Epoll, epoll } from "./epoll.ts";
