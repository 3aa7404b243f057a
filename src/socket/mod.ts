/**
 * The socket object and its file objects: what `mod.ts` exports of this folder.
 *
 * @module
 */

export {
  type Address,
  type AddressArg,
  type AddressOf,
  type Data,
  type FromAddress,
  type SendfileBlob,
  type SendfileReader,
  type SendfileSource,
  Socket,
  socket,
  SocketType,
} from "./socket.ts";
export { SocketFile, type SocketFileOptions } from "./makefile.ts";
