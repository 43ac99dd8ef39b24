/**
 * Bytes of `text` in UTF-8, as `TextEncoder` would write it (a lone surrogate becomes U+FFFD,
 * three bytes), counted without making the encoded copy.
 */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}
