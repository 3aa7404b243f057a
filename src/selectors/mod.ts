/**
 * Python's `selectors` module: high-level I/O multiplexing over unisock
 * sockets. As in CPython, one base keeps the registrations and the concrete
 * selectors differ only in the primitive they wait with:
 * {@linkcode SelectSelector} (`select()`), {@linkcode PollSelector}
 * (`poll()`) and {@linkcode EpollSelector} (`epoll()`, the
 * {@linkcode DefaultSelector} on Linux).
 *
 * @module
 */

export type { FileDescriptorLike } from "../select/mod.ts";
export { EVENT_READ, EVENT_WRITE, SelectorKey } from "./key.ts";
export { SelectorMapping } from "./mapping.ts";
export { BaseSelector } from "./base.ts";
export { SelectSelector } from "./select_selector.ts";
export { DefaultSelector, EpollSelector, PollSelector } from "./poll_like.ts";
