/**
 * Address types that follow a socket's family, so that code using a socket
 * made with a literal family needs no casts.
 *
 * They are indexed object types rather than conditional types: TypeScript
 * then sees that a `Socket<typeof AF_INET>` is also a `Socket` of any family.
 *
 * @module
 */

import type { Address } from "../_address.ts";

/**
 * The address a socket of family `F` returns: AF_INET (2) `[host, port]`,
 * AF_INET6 (10) `[host, port, flowinfo, scope_id]`, AF_UNIX (1) a path; any
 * {@linkcode Address} when the family is not known as a literal.
 *
 * @typeParam F The family, e.g. `typeof AF_INET`.
 *
 * @example Name a helper's parameter
 * ```ts
 * import type { AddressOf } from "@unisock/socket";
 * import { AF_INET } from "@unisock/socket";
 * const show = ([host, port]: AddressOf<typeof AF_INET>) => `${host}:${port}`;
 * console.log(show(["127.0.0.1", 80]));
 * ```
 */
export type AddressOf<F extends number> = {
  [family: number]: Address;
  1: string;
  2: [string, number];
  10: [string, number, number, number];
}[F];

/**
 * The address a socket of family `F` accepts: AF_INET `[host, port]`,
 * AF_INET6 2 to 4 items, AF_UNIX a path.
 *
 * @typeParam F The family.
 *
 * @example A function that connects any IPv4 socket
 * ```ts
 * import type { AddressArg, Socket } from "@unisock/socket";
 * import { AF_INET } from "@unisock/socket";
 * const dial = (s: Socket<typeof AF_INET>, to: AddressArg<typeof AF_INET>) => s.connect(to);
 * ```
 */
export type AddressArg<F extends number> = {
  [family: number]: Address;
  1: string;
  2: readonly [string, number];
  10:
    | readonly [string, number]
    | readonly [string, number, number]
    | readonly [string, number, number, number];
}[F];

/**
 * The sender's address `recvfrom` returns on a socket of family `F` and
 * type `T`: never `null` on an IPv4 or IPv6 datagram socket (SOCK_DGRAM, 2);
 * `null` on a stream socket and for an unnamed unix sender.
 *
 * @typeParam F The family.
 * @typeParam T The socket type.
 *
 * @example Reply to the sender
 * ```ts
 * import { AF_INET, SOCK_DGRAM, socket } from "@unisock/socket";
 * const s = socket(AF_INET, SOCK_DGRAM);
 * await s.bind(["127.0.0.1", 0]);
 * await s.sendto("ping", s.getsockname());
 * const [data, addr] = await s.recvfrom(1024);
 * await s.sendto(data, addr); // addr: [string, number]
 * await s.recvfrom(1024);
 * s.close();
 * ```
 */
export type FromAddress<F extends number, T extends number> = {
  [type: number]: AddressOf<F> | null;
  2: {
    [family: number]: Address | null;
    1: string | null;
    2: [string, number];
    10: [string, number, number, number];
  }[F];
}[T];
