/**
 * A small part of Python's `threading` module, for the tutorials' "a thread
 * per client" programs: `Thread` runs its target as an async task, an
 * exception in it is printed by `excepthook` as Python prints it
 * (`Exception in thread Thread-1 (tcplink):` and the stack), and the program
 * goes on.
 *
 * @example A server that starts a thread per client
 * ```ts
 * import { type Address, socket, type Socket } from "@unisock/socket";
 * import { Thread } from "@unisock/socket/threading";
 *
 * async function tcplink(conn: Socket, addr: Address) {
 *   console.log("Accept new connection from", addr);
 *   await conn.sendall("Welcome!");
 *   conn.close();
 * }
 * const s = socket();
 * await s.bind(["127.0.0.1", 0]);
 * s.listen(5);
 * const c = socket();
 * await c.connect(s.getsockname());
 * const [conn, addr] = await s.accept();
 * new Thread({ target: tcplink, args: [conn, addr] }).start();
 * console.log(new TextDecoder().decode(await c.recv(1024))); // Welcome!
 * c.close();
 * s.close();
 * ```
 *
 * @module
 */

import { AsyncLocalStorage } from "node:async_hooks";
import { _set_thread_storage } from "./src/threading/_context.ts";
import type { Thread } from "./src/threading/thread.ts";

// Every runtime unisock supports provides node:async_hooks; it lets
// current_thread() follow a thread's task across its awaits.
_set_thread_storage(new AsyncLocalStorage<Thread>());

export {
  active_count,
  current_thread,
  excepthook,
  type ExceptHookArgs,
  Thread,
  type ThreadOptions,
} from "./src/threading/thread.ts";
