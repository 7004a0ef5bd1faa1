import { createReadStream } from 'node:fs';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { join, normalize, sep } from 'node:path';
import { createGunzip } from 'node:zlib';

const BLOCK = 512;

function field(header: Buffer, offset: number, length: number): string {
  const raw = header.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return raw.toString('utf8', 0, end === -1 ? length : end);
}

function octal(header: Buffer, offset: number, length: number): number {
  const s = field(header, offset, length).trim();
  const n = s === '' ? 0 : parseInt(s, 8);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`bad tar number ${JSON.stringify(s)}`);
  return n;
}

async function writeAll(file: FileHandle, data: Buffer): Promise<void> {
  for (let o = 0; o < data.length; ) o += (await file.write(data, o, data.length - o)).bytesWritten;
}

/** The member's path inside `dir`; a name that would leave it (`..`, odd characters) is refused. */
function target(dir: string, name: string): string {
  const rel = normalize(name.replace(/^\/+/, ''));
  if (rel === '.' || rel === '') return dir;
  if (rel.startsWith('..') || rel.split(sep).includes('..') || rel.includes('\0')) throw new Error(`tar member outside the directory: ${JSON.stringify(name)}`);
  return join(dir, rel);
}

/**
 * Extracts a gzip'd tar of directories and regular files (what PGlite's dumpDataDir writes) into
 * `dir`, streaming: a few chunks in memory at a time, where PGlite's own loadDataDir holds the
 * whole uncompressed archive (~38 MB for a new database) plus copies, garbage that keeps the
 * process ~130 MB larger until a full collection. Any other member type is an error: the caller
 * falls back to creating the database from scratch.
 */
export async function extractTarGz(path: string, dir: string): Promise<void> {
  let pending: Buffer = Buffer.alloc(0);
  let file: FileHandle | undefined;
  let remaining = 0; // bytes of the current file still to come
  let padding = 0; // bytes after it up to the block boundary
  let zeroBlocks = 0;
  try {
    for await (const chunk of createReadStream(path).pipe(createGunzip())) {
      pending = pending.length === 0 ? (chunk as Buffer) : Buffer.concat([pending, chunk as Buffer]);
      let o = 0;
      for (;;) {
        if (remaining > 0) {
          const n = Math.min(remaining, pending.length - o);
          if (n === 0) break;
          if (file) await writeAll(file, pending.subarray(o, o + n));
          o += n;
          remaining -= n;
          if (remaining > 0) break;
          await file?.close();
          file = undefined;
          continue;
        }
        if (padding > 0) {
          const n = Math.min(padding, pending.length - o);
          o += n;
          padding -= n;
          if (padding > 0) break;
          continue;
        }
        if (pending.length - o < BLOCK) break;
        const header = pending.subarray(o, o + BLOCK);
        o += BLOCK;
        if (header.every((b) => b === 0)) {
          zeroBlocks++;
          continue;
        }
        if (zeroBlocks > 0) throw new Error('tar data after the end-of-archive marker');
        const prefix = field(header, 345, 155);
        const name = prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100);
        const mode = octal(header, 100, 8) & 0o777;
        const size = octal(header, 124, 12);
        const type = String.fromCharCode(header[156] ?? 0);
        const dest = target(dir, name);
        if (type === '5') {
          await mkdir(dest, { recursive: true, mode: mode || 0o700 });
        } else if (type === '0' || type === '\0') {
          file = await open(dest, 'wx', mode || 0o600);
          remaining = size;
          padding = (BLOCK - (size % BLOCK)) % BLOCK;
          if (size === 0) {
            await file.close();
            file = undefined;
          }
        } else {
          throw new Error(`unsupported tar member type ${JSON.stringify(type)} for ${JSON.stringify(name)}`);
        }
      }
      pending = pending.subarray(o);
    }
    if (remaining > 0 || padding > 0) throw new Error('tar archive ends inside a member');
  } finally {
    await file?.close();
  }
}
