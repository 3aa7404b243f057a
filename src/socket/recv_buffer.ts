// The receive buffer of a stream socket: a queue of chunks owned by the core,
// read with at most one copy (none when one whole chunk satisfies a recv).

const _EMPTY = new Uint8Array(0);
/** Parts of a chunk at least this long are handed over as views, not copies. */
const _VIEW_MIN = 8192;

/** A FIFO of byte chunks with a running length. */
export class _RecvBuffer {
  #chunks: Uint8Array[] = [];
  #head = 0;
  #offset = 0;
  #length = 0;
  /** How many leading bytes `lineEnd` found without a newline (reset when bytes are taken). */
  #scanned = 0;

  /** Bytes buffered. */
  get length(): number {
    return this.#length;
  }

  /**
   * Appends a chunk (now owned by the buffer).
   *
   * @param chunk The bytes.
   */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const chunks = this.#chunks;
    // Empty, the array is `[]` or one cleared slot (see #advance).
    if (this.#length === 0 && chunks.length === 1) chunks[0] = chunk;
    else chunks.push(chunk);
    this.#length += chunk.length;
  }

  /**
   * Removes and returns up to `n` bytes.
   *
   * @param n The most to take.
   * @returns The bytes (the caller's own).
   */
  take(n: number): Uint8Array {
    const out = this.#read(Math.min(n, this.#length), true);
    return out;
  }

  /**
   * Returns up to `n` bytes without removing them.
   *
   * @param n The most to peek.
   * @returns A copy of the bytes.
   */
  peek(n: number): Uint8Array {
    return this.#read(Math.min(n, this.#length), false);
  }

  /**
   * Moves up to `dst.length` bytes into `dst`.
   *
   * @param dst Where to copy.
   * @param consume Whether to remove them.
   * @returns The count copied.
   */
  copyInto(dst: Uint8Array, consume: boolean): number {
    const n = Math.min(dst.length, this.#length);
    let copied = 0, i = this.#head, off = this.#offset;
    while (copied < n) {
      const c = this.#chunks[i];
      const k = Math.min(c.length - off, n - copied);
      dst.set(c.subarray(off, off + k), copied);
      copied += k;
      off += k;
      if (off === c.length) {
        i++;
        off = 0;
      }
    }
    if (consume) this.#advance(i, off, n);
    return n;
  }

  /**
   * Index of the first `byte` within the first `limit` bytes, or -1.
   *
   * @param byte The byte value to find.
   * @param limit How far to look.
   * @param from Where to start (bytes before it are skipped chunk by chunk, not searched).
   * @returns The index.
   */
  indexOf(byte: number, limit: number, from: number = 0): number {
    let base = 0, i = this.#head, off = this.#offset;
    while (i < this.#chunks.length && base + this.#chunks[i].length - off <= from) {
      base += this.#chunks[i].length - off;
      i++;
      off = 0;
    }
    if (i < this.#chunks.length && from > base) {
      off += from - base;
      base = from;
    }
    while (i < this.#chunks.length && base < limit) {
      const c = this.#chunks[i];
      const end = Math.min(c.length, off + (limit - base));
      // Searching the chunk itself (no view: a view of a small array costs more than the search).
      const found = end === c.length
        ? c.indexOf(byte, off)
        : c.subarray(off, end).indexOf(byte) + off;
      if (found >= off && found < end) return base + found - off;
      base += end - off;
      i++;
      off = 0;
    }
    return -1;
  }

  /**
   * Where the first line ends (the index after its `\n`) within the first
   * `limit` bytes, or -1. Bytes found without a newline are not searched
   * again: a long line arriving in many chunks costs one pass, not one per chunk.
   *
   * @param limit How far to look.
   * @returns The line's length, or -1.
   */
  lineEnd(limit: number): number {
    const n = Math.min(limit, this.#length);
    const from = Math.min(this.#scanned, n);
    const at = this.indexOf(0x0a, n, from);
    if (at >= 0) return at + 1;
    this.#scanned = n;
    return -1;
  }

  /** Drops everything. */
  clear(): void {
    this.#scanned = 0;
    this.#chunks = [];
    this.#head = 0;
    this.#offset = 0;
    this.#length = 0;
  }

  #read(n: number, consume: boolean): Uint8Array {
    if (n === 0) return _EMPTY;
    const first = this.#chunks[this.#head];
    const off = this.#offset;
    const end = off + n;
    if (end <= first.length) {
      // A whole chunk is handed over as is (no view: a view of a small on-heap
      // array makes V8 move it off-heap, ~1 us). A large part is handed over as
      // a view: its bytes are never written again (copying 64 KiB out of Bun's
      // 512 KiB reads took 40% of a bulk transfer). A small part is copied, so
      // that it does not pin a large chunk.
      const out = consume && off === 0 && end === first.length
        ? first
        : consume && n >= _VIEW_MIN
        ? first.subarray(off, end)
        : first.slice(off, end);
      if (consume) {
        if (end === first.length) this.#advance(this.#head + 1, 0, n);
        else this.#advance(this.#head, end, n);
      }
      return out;
    }
    const out = new Uint8Array(n);
    this.copyInto(out, consume);
    return out;
  }

  #advance(index: number, offset: number, n: number): void {
    this.#scanned = 0;
    this.#head = index;
    this.#offset = offset;
    this.#length -= n;
    if (this.#length === 0) {
      // Emptied: the slots are cleared, not the array, whose backing store
      // (dropped by `length = 0`) the next push would allocate again.
      const chunks = this.#chunks;
      if (chunks.length === 1) chunks[0] = _EMPTY;
      else chunks.length = 0;
      this.#head = 0;
      this.#offset = 0;
    } else if (this.#head > 64 && this.#head * 2 > this.#chunks.length) {
      this.#chunks = this.#chunks.slice(this.#head);
      this.#head = 0;
    }
  }
}
