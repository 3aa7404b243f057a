/**
 * The constants of Python's `select` module, with Linux's values.
 *
 * @module
 */

/** There is data to read (or EOF, a connection to accept, a datagram). */
export const POLLIN = 0x001;
/** There is urgent (out-of-band) data to read; never reported here. */
export const POLLPRI = 0x002;
/** Writing will not block. */
export const POLLOUT = 0x004;
/** An error is pending (reported even when not asked for). */
export const POLLERR = 0x008;
/** Hung up: both directions closed or the connection failed (reported even when not asked for). */
export const POLLHUP = 0x010;
/** The descriptor is not open (reported even when not asked for). */
export const POLLNVAL = 0x020;
/** Normal data readable (as POLLIN). */
export const POLLRDNORM = 0x040;
/** Priority data readable; never reported here. */
export const POLLRDBAND = 0x080;
/** Normal data writable (as POLLOUT). */
export const POLLWRNORM = 0x100;
/** Priority data writable; never reported here. */
export const POLLWRBAND = 0x200;
/** Linux `POLLMSG`; never reported. */
export const POLLMSG = 0x400;
/** The peer closed its writing side (stream sockets). */
export const POLLRDHUP = 0x2000;

/** epoll: readable. */
export const EPOLLIN = 0x001;
/** epoll: urgent data; never reported here. */
export const EPOLLPRI = 0x002;
/** epoll: writable. */
export const EPOLLOUT = 0x004;
/** epoll: error pending (always reported). */
export const EPOLLERR = 0x008;
/** epoll: hung up (always reported). */
export const EPOLLHUP = 0x010;
/** epoll: normal data readable. */
export const EPOLLRDNORM = 0x040;
/** epoll: priority data readable; never reported here. */
export const EPOLLRDBAND = 0x080;
/** epoll: normal data writable. */
export const EPOLLWRNORM = 0x100;
/** epoll: priority data writable; never reported here. */
export const EPOLLWRBAND = 0x200;
/** epoll: `EPOLLMSG`; never reported. */
export const EPOLLMSG = 0x400;
/** epoll: the peer closed its writing side. */
export const EPOLLRDHUP = 0x2000;
/** epoll flag: wake one waiter only (accepted; one process has one waiter anyway). */
export const EPOLLEXCLUSIVE = 0x10000000;
/** epoll flag: report once, then disable until `modify()`. */
export const EPOLLONESHOT = 0x40000000;
/** epoll flag: edge-triggered, report only after a change. */
export const EPOLLET = 0x80000000;
/** `select.PIPE_BUF` as on Linux. */
export const PIPE_BUF = 4096;
