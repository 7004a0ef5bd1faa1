import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createPGlite, templatePath } from '../../src/store/pglite-template.ts';

const dir = mkdtempSync(join(tmpdir(), 'ployd-template-test-'));
const log = pino({ level: 'silent' });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('PGlite from a saved initdb template', () => {
  it('saves the template at the first creation, and later creations load it instead of running initdb', async () => {
    const path = templatePath(dir);
    const first = await createPGlite('memory://', PGlite.defaultStartParams, log, dir);
    expect(existsSync(path)).toBe(true);
    await first.close();

    // A template with a marker table: a creation that loads the template sees it, initdb would not.
    const marked = await PGlite.create({ dataDir: 'memory://' });
    await marked.exec('create table template_marker (x int); insert into template_marker values (42)');
    writeFileSync(path, Buffer.from(await (await marked.dumpDataDir('gzip')).arrayBuffer()), { mode: 0o600 });
    await marked.close();

    const loaded = await createPGlite('memory://', PGlite.defaultStartParams, log, dir);
    expect((await loaded.query<{ x: number }>('select x from template_marker')).rows).toEqual([{ x: 42 }]);
    await loaded.close();
  });

  it('a corrupt template falls back to initdb and is written again', async () => {
    const path = templatePath(dir);
    writeFileSync(path, 'not a tarball', { mode: 0o600 });
    const db = await createPGlite('memory://', PGlite.defaultStartParams, log, dir);
    expect((await db.query<{ one: number }>('select 1 as one')).rows).toEqual([{ one: 1 }]);
    await db.close();
    expect(statSync(path).size).toBeGreaterThan(100_000); // a real dump replaced the corrupt file
    const again = await createPGlite('memory://', PGlite.defaultStartParams, log, dir);
    expect((await again.query<{ one: number }>('select 1 as one')).rows).toEqual([{ one: 1 }]);
    await again.close();
  });

  it('a new, empty data directory is made from the template too, and reopening it resumes the database', async () => {
    const path = templatePath(dir);
    const marked = await PGlite.create({ dataDir: 'memory://' });
    await marked.exec('create table template_marker (x int); insert into template_marker values (7)');
    writeFileSync(path, Buffer.from(await (await marked.dumpDataDir('gzip')).arrayBuffer()), { mode: 0o600 });
    await marked.close();

    const dataDir = join(dir, 'data');
    mkdirSync(dataDir);
    const db = await createPGlite(dataDir, PGlite.defaultStartParams, log, dir);
    expect((await db.query<{ x: number }>('select x from template_marker')).rows).toEqual([{ x: 7 }]);
    await db.exec('insert into template_marker values (8)');
    await db.close();
    expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);

    // The directory now holds a database: it is resumed, never replaced by the template.
    writeFileSync(path, 'not a tarball', { mode: 0o600 });
    const reopened = await createPGlite(dataDir, PGlite.defaultStartParams, log, dir);
    expect((await reopened.query<{ x: number }>('select x from template_marker order by x')).rows).toEqual([{ x: 7 }, { x: 8 }]);
    await reopened.close();
    expect(readdirSync(dir)).toContain(path.slice(dir.length + 1)); // the unused corrupt template was not touched
  });

  it('a corrupt template on a new data directory falls back to initdb in a clean directory', async () => {
    const path = templatePath(dir);
    writeFileSync(path, 'not a tarball', { mode: 0o600 });
    const dataDir = join(dir, 'data-2');
    const db = await createPGlite(dataDir, PGlite.defaultStartParams, log, dir);
    expect((await db.query<{ one: number }>('select 1 as one')).rows).toEqual([{ one: 1 }]);
    await db.close();
    expect(statSync(path).size).toBeGreaterThan(100_000);
  });

  it('a directory holding other files and no database is refused, and left as it was', async () => {
    const dataDir = join(dir, 'not-a-store');
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'notes.txt'), 'mine');
    await expect(createPGlite(dataDir, PGlite.defaultStartParams, log, dir)).rejects.toMatchObject({ code: 'E_STORE' });
    expect(readdirSync(dataDir)).toEqual(['notes.txt']);
  });
});
