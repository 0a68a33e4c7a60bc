/**
 * A UUID v4 for a help record's clientId: made once when the form opens, so that every retry of the
 * same record carries it. Uses the platform's random source where there is one.
 */
export function newClientId(): string {
  const bytes = new Uint8Array(16);
  // Browsers have crypto; WeChat's engine does not (and older ones lack globalThis too).
  const cryptoSource = typeof crypto === 'undefined' ? undefined : (crypto as { getRandomValues?: (array: Uint8Array) => Uint8Array });
  if (cryptoSource?.getRandomValues) cryptoSource.getRandomValues(bytes);
  else for (let index = 0; index < bytes.length; index += 1) bytes[index] = Math.floor(Math.random() * 256);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
