/**
 * The Postgres wire protocol, the small part the PGlite dialect speaks itself: one extended-query
 * round (Parse? / Bind / Describe / Execute / Sync) encoded as a single message, and its response
 * decoded into rows. Why: PGlite's `query()` enters the WebAssembly backend six times per statement
 * (parse, describe statement, bind, describe portal, execute, sync) and parses every reply with a
 * general protocol parser; one entry and this decoder cost less than half as much per statement
 * (docs/performance.md "1,000 applications"). Pure: no I/O, no PGlite instance.
 */

/** A parameter as sent: text, or null for SQL NULL. */
export type WireParam = string | null;

/** A column of a row description. */
export interface WireField {
  readonly name: string;
  readonly dataTypeID: number;
}

export interface WireResult {
  readonly fields: WireField[];
  /** Data rows as raw text columns (null for NULL), in field order. */
  readonly rows: (string | null)[][];
  /** The command tag, e.g. `INSERT 0 1`; undefined when the statement did not complete. */
  readonly commandTag: string | undefined;
  /** True when the response holds an ErrorResponse (the caller decodes it in full). */
  readonly error: boolean;
  /** True when the response holds ParseComplete: a named statement now exists in the session. */
  readonly parsed: boolean;
}

function cstringLength(s: string): number {
  return Buffer.byteLength(s, 'utf8') + 1;
}

/**
 * Encodes one extended-query round. With `parse`, the statement `statement` ('' = unnamed) is
 * parsed from `sql` first (parameter types left to the server to infer, as node-postgres does);
 * without it, `statement` must already be prepared in the session.
 */
export function encodeExtendedQuery(statement: string, params: readonly WireParam[], parse: { sql: string } | undefined): Buffer {
  const paramBytes = params.map((p) => (p === null ? -1 : Buffer.byteLength(p, 'utf8')));
  const parseLen = parse ? 1 + 4 + cstringLength(statement) + cstringLength(parse.sql) + 2 : 0;
  const bindLen = 1 + 4 + 1 + cstringLength(statement) + 2 + 2 + paramBytes.reduce((n, b) => n + 4 + Math.max(b, 0), 0) + 2;
  const describeLen = 1 + 4 + 1 + 1;
  const executeLen = 1 + 4 + 1 + 4;
  const syncLen = 1 + 4;
  const buf = Buffer.allocUnsafe(parseLen + bindLen + describeLen + executeLen + syncLen);
  let o = 0;
  const cstring = (s: string): void => {
    o += buf.write(s, o, 'utf8');
    buf[o++] = 0;
  };
  if (parse) {
    buf[o++] = 0x50; // 'P'
    o = buf.writeInt32BE(parseLen - 1, o);
    cstring(statement);
    cstring(parse.sql);
    o = buf.writeInt16BE(0, o); // no parameter types: inferred
  }
  buf[o++] = 0x42; // 'B'
  o = buf.writeInt32BE(bindLen - 1, o);
  buf[o++] = 0; // unnamed portal
  cstring(statement);
  o = buf.writeInt16BE(0, o); // all parameters in text format
  o = buf.writeInt16BE(params.length, o);
  params.forEach((p, i) => {
    const n = paramBytes[i] ?? -1;
    o = buf.writeInt32BE(n, o);
    if (p !== null) o += buf.write(p, o, 'utf8');
  });
  o = buf.writeInt16BE(0, o); // all results in text format
  buf[o++] = 0x44; // 'D'
  o = buf.writeInt32BE(describeLen - 1, o);
  buf[o++] = 0x50; // portal
  buf[o++] = 0; // unnamed
  buf[o++] = 0x45; // 'E'
  o = buf.writeInt32BE(executeLen - 1, o);
  buf[o++] = 0; // unnamed portal
  o = buf.writeInt32BE(0, o); // no row limit
  buf[o++] = 0x53; // 'S'
  buf.writeInt32BE(4, o);
  return buf;
}

/** Encodes Close (statement) + Sync: drops a named statement from the session. */
export function encodeCloseStatement(statement: string): Buffer {
  const closeLen = 1 + 4 + 1 + cstringLength(statement);
  const buf = Buffer.allocUnsafe(closeLen + 5);
  let o = 0;
  buf[o++] = 0x43; // 'C'
  o = buf.writeInt32BE(closeLen - 1, o);
  buf[o++] = 0x53; // statement
  o += buf.write(statement, o, 'utf8');
  buf[o++] = 0;
  buf[o++] = 0x53; // 'S'
  buf.writeInt32BE(4, o);
  return buf;
}

/**
 * Decodes the backend's response to one round. Messages other than the ones a round produces
 * (ParameterStatus, NoticeResponse, …) are skipped, as PGlite's query() skips them.
 */
export function decodeResponse(data: Uint8Array): WireResult {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let fields: WireField[] = [];
  const rows: (string | null)[][] = [];
  let commandTag: string | undefined;
  let error = false;
  let parsed = false;
  let o = 0;
  while (o + 5 <= buf.length) {
    const code = buf[o];
    const length = buf.readInt32BE(o + 1);
    const start = o + 5;
    const end = o + 1 + length;
    if (length < 4 || end > buf.length) throw new Error(`malformed Postgres protocol response (message ${String(code)} at ${o})`);
    switch (code) {
      case 0x54: {
        // 'T' RowDescription
        const n = buf.readInt16BE(start);
        let p = start + 2;
        fields = [];
        for (let i = 0; i < n; i++) {
          const z = buf.indexOf(0, p);
          const name = buf.toString('utf8', p, z);
          p = z + 1;
          const dataTypeID = buf.readInt32BE(p + 6);
          p += 18;
          fields.push({ name, dataTypeID });
        }
        break;
      }
      case 0x44: {
        // 'D' DataRow
        const n = buf.readInt16BE(start);
        let p = start + 2;
        const row: (string | null)[] = new Array<string | null>(n);
        for (let i = 0; i < n; i++) {
          const len = buf.readInt32BE(p);
          p += 4;
          if (len < 0) row[i] = null;
          else {
            row[i] = buf.toString('utf8', p, p + len);
            p += len;
          }
        }
        rows.push(row);
        break;
      }
      case 0x43: // 'C' CommandComplete
        commandTag = buf.toString('utf8', start, end - 1);
        break;
      case 0x45: // 'E' ErrorResponse
        error = true;
        break;
      case 0x31: // '1' ParseComplete
        parsed = true;
        break;
      default:
        break;
    }
    o = end;
  }
  return { fields, rows, commandTag, error, parsed };
}

/** Rows affected according to a command tag, as PGlite's query() counts them; 0 for other commands. */
export function affectedRows(commandTag: string | undefined): number {
  if (commandTag === undefined) return 0;
  const parts = commandTag.split(' ');
  const command = parts[0];
  if (command !== 'INSERT' && command !== 'UPDATE' && command !== 'DELETE' && command !== 'COPY' && command !== 'MERGE') return 0;
  const n = parseInt(parts[parts.length - 1] ?? '', 10);
  return Number.isNaN(n) ? 0 : n;
}
