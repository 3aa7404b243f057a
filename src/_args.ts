// Argument checks with Python's wording: TypeError for wrong types,
// RangeError for values out of range (Python's ValueError/OverflowError).

const _encoder = new TextEncoder();

/**
 * Python's name of a JavaScript value's type, for error messages.
 *
 * @param v Any value.
 * @returns `str`, `int`, `float`, `NoneType`, `bool`, `tuple`, `bytes`, `dict` or `function`.
 */
export function _pyType(v: unknown): string {
  if (v === null || v === undefined) return "NoneType";
  if (typeof v === "string") return "str";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "bigint") return "int";
  if (typeof v === "boolean") return "bool";
  if (Array.isArray(v)) return "tuple";
  if (ArrayBuffer.isView(v)) return "bytes";
  if (typeof v === "function") return "function";
  return "dict";
}

/**
 * Checks that `v` is an integer, as Python's `__index__` does.
 *
 * @param v The value.
 * @param _what Unused context (kept for call-site clarity).
 * @returns The integer.
 */
export function _intArg(v: unknown, _what?: string): number {
  if (typeof v === "number" && Number.isInteger(v)) {
    // Python converts to a C long: beyond 64 bits is an OverflowError.
    if (v >= 2 ** 63 || v < -(2 ** 63)) {
      throw new RangeError("Python int too large to convert to C long");
    }
    return v;
  }
  if (typeof v === "boolean") return v ? 1 : 0;
  throw new TypeError(`'${_pyType(v)}' object cannot be interpreted as an integer`);
}

/**
 * Checks an argument Python converts to a C `int` (socket() arguments,
 * `shutdown`), with its OverflowError wording.
 *
 * @param v The value.
 * @returns The integer.
 */
export function _cIntArg(v: unknown): number {
  if (typeof v === "number" && Number.isInteger(v) && (v >= 2 ** 31 || v < -(2 ** 31))) {
    throw new RangeError("Python int too large to convert to C int");
  }
  return _intArg(v);
}

/**
 * Checks an argument Python parses with the `i` format (a C `int`: flags,
 * `listen`'s backlog, option levels and names), with its OverflowError wording.
 *
 * @param v The value.
 * @returns The integer.
 */
export function _intFlagArg(v: unknown): number {
  const n = _intArg(v);
  if (n >= 2 ** 31) throw new RangeError("signed integer is greater than maximum");
  if (n < -(2 ** 31)) throw new RangeError("signed integer is less than minimum");
  return n;
}

/**
 * Python's name of an argument's type in "argument N must be X, not Y"
 * messages, where `None` is spelled `None` (elsewhere it is `NoneType`).
 *
 * @param v Any value.
 * @returns The name.
 */
export function _argType(v: unknown): string {
  return v === null || v === undefined ? "None" : _pyType(v);
}

/**
 * Checks a bytes-like argument (no strings) and views it as bytes.
 *
 * @param v The value.
 * @param _what Unused context.
 * @returns A Uint8Array over the same memory.
 */
export function _bytesArg(v: unknown, _what?: string): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  throw new TypeError(`a bytes-like object is required, not '${_pyType(v)}'`);
}

/**
 * Checks a data argument: any ArrayBufferView, or a string sent as UTF-8.
 *
 * @param v The value.
 * @returns A Uint8Array over the caller's memory (or the encoded string).
 */
export function _dataArg(v: unknown): Uint8Array {
  if (typeof v === "string") return _encoder.encode(v);
  return _bytesArg(v);
}

/**
 * Checks a writable buffer argument (recv_into).
 *
 * @param v The value.
 * @param fn The calling method's name, for the message.
 * @returns A Uint8Array over the caller's memory.
 */
export function _bufferArg(v: unknown, fn: string = "recv_into"): Uint8Array {
  if (ArrayBuffer.isView(v)) return _bytesArg(v);
  throw new TypeError(
    `${fn}() argument 1 must be read-write bytes-like object, not ${_argType(v)}`,
  );
}

/**
 * Checks a timeout: `null`/`undefined` for none, else a finite number >= 0.
 *
 * @param t The value.
 * @returns Seconds, or `null`.
 */
export function _timeoutArg(t: unknown): number | null {
  if (t === null || t === undefined) return null;
  if (typeof t !== "number") {
    throw new TypeError(`'${_pyType(t)}' object cannot be interpreted as an integer`);
  }
  if (Number.isNaN(t)) throw new RangeError("Invalid value NaN (not a number)");
  if (t < 0) throw new RangeError("Timeout value out of range");
  if (!Number.isFinite(t)) throw new RangeError("timestamp out of range for platform time_t");
  // Python keeps timeouts as int64 nanoseconds.
  if (t > 9223372036.854775) {
    throw new RangeError(
      Number.isInteger(t)
        ? "timestamp too large to convert to C _PyTime_t"
        : "timestamp out of range for platform time_t",
    );
  }
  return t;
}
