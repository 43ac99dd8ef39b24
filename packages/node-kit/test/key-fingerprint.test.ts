import { describe, expect, it } from 'vitest';
import { keyFingerprint } from '../src/index.js';

describe('keyFingerprint', () => {
  it('is SHA256: and the unpadded base64 of the SHA-256 of the raw public key', () => {
    // RFC 8032 test 1 public key; the digest was computed independently (Python hashlib).
    expect(keyFingerprint('11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=')).toBe(
      'SHA256:If4x36FUomFia/hUBG/SJxt77UtqvkWqWId+9H+XIbk',
    );
  });
});
