// The TWS socket framing, server side. The client opens with `API\0`, a 4-byte big-endian length
// and its version range ("v100..193"); after that every message either way is a 4-byte big-endian
// length and NUL-terminated text fields. The server's first message is its version and time.
import { assert } from '../../../src/domain';

export type WireField = string | number | boolean | null | undefined;

/** Bounds a message the way the client does (MAX_V100_MESSAGE_LENGTH). */
export const messageBytesMax = 0xffffff;
const handshakePrefix = Buffer.from('API\0', 'latin1');

function fieldText(f: WireField): string {
  if (f === null || f === undefined) return '';
  if (typeof f === 'boolean') return f ? '1' : '0';
  if (typeof f === 'number') {
    assert(Number.isFinite(f), `a wire number must be finite, got ${f}`);
    return String(f);
  }
  return f;
}

/** One framed message: every field NUL-terminated, the whole prefixed by its byte length. */
export function frame(fields: readonly WireField[]): Buffer {
  const body = Buffer.from(fields.map((f) => `${fieldText(f)}\0`).join(''), 'utf8');
  assert(body.length <= messageBytesMax, `message of ${body.length} bytes`);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length);
  return Buffer.concat([head, body]);
}

/** A raw frame with the given body bytes (the malformed-message fault uses it). */
export function rawFrame(body: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length);
  return Buffer.concat([head, body]);
}

export type Incoming =
  | { readonly kind: 'hello'; readonly minVersion: number; readonly maxVersion: number }
  | { readonly kind: 'message'; readonly fields: readonly string[] }
  | { readonly kind: 'garbage'; readonly reason: string };

/** Splits the client's byte stream into its handshake and its messages. */
export class FrameReader {
  private buffer = Buffer.alloc(0);
  private greeted = false;

  push(chunk: Buffer): Incoming[] {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const out: Incoming[] = [];
    if (!this.greeted) {
      const hello = this.readHello();
      if (hello === null) return out;
      out.push(hello);
      if (hello.kind === 'garbage') return out;
    }
    while (this.buffer.length >= 4) {
      const size = this.buffer.readUInt32BE(0);
      if (size > messageBytesMax) {
        out.push({ kind: 'garbage', reason: `message of ${size} bytes` });
        this.buffer = Buffer.alloc(0);
        break;
      }
      if (this.buffer.length < 4 + size) break;
      const text = this.buffer.subarray(4, 4 + size).toString('utf8');
      this.buffer = this.buffer.subarray(4 + size);
      const fields = text.split('\0');
      if (fields[fields.length - 1] === '') fields.pop();
      out.push({ kind: 'message', fields });
    }
    return out;
  }

  private readHello(): Incoming | null {
    if (this.buffer.length < 8) return null;
    if (!this.buffer.subarray(0, 4).equals(handshakePrefix)) {
      this.greeted = true;
      return { kind: 'garbage', reason: 'the client did not open with API\\0' };
    }
    const size = this.buffer.readUInt32BE(4);
    if (this.buffer.length < 8 + size) return null;
    const text = this.buffer.subarray(8, 8 + size).toString('utf8');
    this.buffer = this.buffer.subarray(8 + size);
    this.greeted = true;
    const m = /^v(\d+)(?:\.\.(\d+))?/.exec(text);
    if (!m) return { kind: 'garbage', reason: `version range '${text}'` };
    const minVersion = Number(m[1]);
    return { kind: 'hello', minVersion, maxVersion: Number(m[2] ?? m[1]) };
  }
}

/** Reads the fields of one client message in order; a missing field reads as empty. */
export class FieldReader {
  private at = 0;
  constructor(private readonly fields: readonly string[]) {}

  str(): string {
    return this.fields[this.at++] ?? '';
  }

  int(): number {
    const s = this.str();
    return s === '' ? 0 : parseInt(s, 10);
  }

  /** Empty (the client's unset double) reads as null. */
  num(): number | null {
    const s = this.str();
    return s === '' ? null : Number(s);
  }

  bool(): boolean {
    return this.int() !== 0;
  }

  skip(n: number): void {
    this.at += n;
  }

  get remaining(): number {
    return Math.max(0, this.fields.length - this.at);
  }
}
