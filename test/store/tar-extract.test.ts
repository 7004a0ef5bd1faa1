import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extractTarGz } from '../../src/store/tar-extract.ts';

/** One ustar header block (checksum left blank: the extractor relies on gzip's CRC). */
function header(name: string, type: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 'utf8');
  h.write('0000600\0', 100);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write(type, 156);
  h.write('ustar\0', 257);
  return h;
}

describe('extractTarGz', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ployd-tar-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('extracts what tar writes: directories, empty and multi-block files', async () => {
    const src = join(dir, 'src');
    mkdirSync(join(src, 'base', '1'), { recursive: true });
    const big = Buffer.alloc(200_000, 7);
    big.write('end', big.length - 3);
    writeFileSync(join(src, 'base', '1', '1259'), big);
    writeFileSync(join(src, 'PG_VERSION'), '17\n');
    writeFileSync(join(src, 'empty'), '');
    execFileSync('tar', ['czf', join(dir, 'a.tar.gz'), '-C', src, '.']);
    const out = join(dir, 'out');
    mkdirSync(out);
    await extractTarGz(join(dir, 'a.tar.gz'), out);
    expect(readFileSync(join(out, 'base', '1', '1259')).equals(big)).toBe(true);
    expect(readFileSync(join(out, 'PG_VERSION'), 'utf8')).toBe('17\n');
    expect(readFileSync(join(out, 'empty')).length).toBe(0);
  });

  it('refuses a member that would land outside the directory, and other member types', async () => {
    const out = join(dir, 'out');
    mkdirSync(out);
    writeFileSync(join(dir, 'evil.tar.gz'), gzipSync(Buffer.concat([header('../escaped', '0', 0), Buffer.alloc(1024)])));
    await expect(extractTarGz(join(dir, 'evil.tar.gz'), out)).rejects.toThrow(/outside the directory/);
    expect(existsSync(join(dir, 'escaped'))).toBe(false);
    writeFileSync(join(dir, 'link.tar.gz'), gzipSync(Buffer.concat([header('l', '2', 0), Buffer.alloc(1024)])));
    await expect(extractTarGz(join(dir, 'link.tar.gz'), out)).rejects.toThrow(/unsupported tar member type/);
  });

  it('an archive cut inside a file is an error', async () => {
    const out = join(dir, 'out');
    mkdirSync(out);
    writeFileSync(join(dir, 'cut.tar.gz'), gzipSync(Buffer.concat([header('f', '0', 2000), Buffer.alloc(700)])));
    await expect(extractTarGz(join(dir, 'cut.tar.gz'), out)).rejects.toThrow(/ends inside a member/);
  });
});
