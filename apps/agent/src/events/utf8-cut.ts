/**
 * Cutting text to a number of UTF-8 bytes without splitting a character: the channel's limits
 * are in bytes (what the WebSocket and the store count), while `String.prototype.slice` counts
 * UTF-16 code units and can leave half a surrogate pair behind.
 *
 * A lone surrogate in the input has no UTF-8 form; it is counted, and kept, as U+FFFD (3 bytes),
 * which is what it becomes on the wire anyway.
 */

/** True for a UTF-8 continuation byte (`10xxxxxx`): a character cannot start there. */
function isContinuation(byte: number | undefined): boolean {
  return byte !== undefined && (byte & 0xc0) === 0x80;
}

/** The text's UTF-8 length in bytes. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** The longest start of `text` that is at most `maxBytes` of UTF-8, ending on a character boundary. */
export function utf8Head(text: string, maxBytes: number): string {
  // Every code unit is at most 3 bytes: short text needs no encoding at all (the common case).
  if (text.length * 3 <= maxBytes || utf8Bytes(text) <= maxBytes) return text;
  const bytes = Buffer.from(text, 'utf8');
  let end = Math.max(0, Math.floor(maxBytes));
  while (end > 0 && isContinuation(bytes[end])) end -= 1;
  return bytes.subarray(0, end).toString('utf8');
}

/** The longest end of `text` that is at most `maxBytes` of UTF-8, starting on a character boundary. */
export function utf8Tail(text: string, maxBytes: number): string {
  if (text.length * 3 <= maxBytes || utf8Bytes(text) <= maxBytes) return text;
  const bytes = Buffer.from(text, 'utf8');
  let start = bytes.length - Math.max(0, Math.floor(maxBytes));
  while (start < bytes.length && isContinuation(bytes[start])) start += 1;
  return bytes.subarray(start).toString('utf8');
}
