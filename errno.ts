/**
 * Linux errno numbers and `errorcode`, as Python's `errno` module.
 *
 * @example Name an error
 * ```ts
 * import { ECONNREFUSED, errorcode } from "@unisock/socket/errno";
 * console.log(errorcode[ECONNREFUSED]); // "ECONNREFUSED"
 * ```
 *
 * @module
 */

export * from "./src/errno.ts";
