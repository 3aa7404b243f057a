/**
 * The `socket` module's constants, with their Linux values.
 *
 * @module
 */

/** Unspecified family (getaddrinfo: any). */
export const AF_UNSPEC = 0;
/** Unix-domain sockets. */
export const AF_UNIX = 1;
/** IPv4. */
export const AF_INET = 2;
/** IPv6. */
export const AF_INET6 = 10;
/** Stream sockets (TCP, unix stream). */
export const SOCK_STREAM = 1;
/** Datagram sockets (UDP, unix datagram). */
export const SOCK_DGRAM = 2;
/** Raw sockets: not available in JavaScript runtimes (EPROTONOSUPPORT). */
export const SOCK_RAW = 3;
/** Socket-level options. */
export const SOL_SOCKET = 1;
/** `SO_REUSEADDR`. */
export const SO_REUSEADDR = 2;
/** `SO_TYPE` (read-only). */
export const SO_TYPE = 3;
/** `SO_ERROR` (read-only, cleared on read). */
export const SO_ERROR = 4;
/** `SO_BROADCAST`. */
export const SO_BROADCAST = 6;
/** `SO_SNDBUF`. */
export const SO_SNDBUF = 7;
/** `SO_RCVBUF`; also the receive buffer's cap. */
export const SO_RCVBUF = 8;
/** `SO_KEEPALIVE`. */
export const SO_KEEPALIVE = 9;
/** `SO_LINGER`: `[onoff, seconds]` packed as two native ints; linger 0 closes with RST. */
export const SO_LINGER = 13;
/** `SO_REUSEPORT`. */
export const SO_REUSEPORT = 15;
/** Protocol number of IP. */
export const IPPROTO_IP = 0;
/** Protocol number of TCP; also the option level of TCP options. */
export const IPPROTO_TCP = 6;
/** Protocol number of UDP. */
export const IPPROTO_UDP = 17;
/** Option level of IPv6 options. */
export const IPPROTO_IPV6 = 41;
/** `TCP_NODELAY`. */
export const TCP_NODELAY = 1;
/** `IPV6_V6ONLY`. */
export const IPV6_V6ONLY = 26;
/** Shut down the receiving side. */
export const SHUT_RD = 0;
/** Shut down the sending side (send FIN). */
export const SHUT_WR = 1;
/** Shut down both sides. */
export const SHUT_RDWR = 2;
/** `recv` flag: leave the bytes buffered. */
export const MSG_PEEK = 2;
/** `recv`/`send` flag: do not wait, for this call only. */
export const MSG_DONTWAIT = 64;
/** `recv` flag: wait for the full count or EOF. */
export const MSG_WAITALL = 256;
/** Largest listen backlog. */
export const SOMAXCONN = 4096;
/** getaddrinfo flag: addresses for binding. */
export const AI_PASSIVE = 1;
/** getaddrinfo flag: ask for the canonical name. */
export const AI_CANONNAME = 2;
/** getaddrinfo flag: the host must be numeric. */
export const AI_NUMERICHOST = 4;
/** getnameinfo flag: the host as a number, no reverse look-up. */
export const NI_NUMERICHOST = 1;
/** getnameinfo flag: the port as a number, no service name. */
export const NI_NUMERICSERV = 2;
/** getnameinfo flag: a local host's name without its domain. */
export const NI_NOFQDN = 4;
/** getnameinfo flag: fail (gaierror -2) when the host has no name. */
export const NI_NAMEREQD = 8;
/** getnameinfo flag: the service name of the UDP port. */
export const NI_DGRAM = 16;
/** The longest host name getnameinfo returns, with its NUL. */
export const NI_MAXHOST = 1025;
/** The longest service name getnameinfo returns, with its NUL. */
export const NI_MAXSERV = 32;
/** The IPv4 wildcard address, as an integer. */
export const INADDR_ANY = 0;
/** The IPv4 loopback address, as an integer. */
export const INADDR_LOOPBACK = 0x7f000001;
/** The IPv4 broadcast address, as an integer. */
export const INADDR_BROADCAST = 0xffffffff;
/** IPv6 is available (always true on the supported runtimes). */
export const has_ipv6 = true;
