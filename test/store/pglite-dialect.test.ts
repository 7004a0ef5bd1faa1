import { PGlite } from '@electric-sql/pglite';
import { Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PGliteDialect } from '../../src/store/pglite-dialect.ts';
import { affectedRows, decodeResponse, encodeExtendedQuery } from '../../src/store/pglite-wire.ts';

interface T {
  id: number;
  name: string;
  doc: unknown;
  at: Date;
  big: string | number;
  flag: boolean;
  extra?: string | null;
}

// The dialect sends statements itself (one protocol round, named prepared statements); PGlite's
// query() is the reference: both must give the same rows, counts and errors.
describe('PGlite dialect', () => {
  let pglite: PGlite;
  let db: Kysely<{ t: T }>;

  beforeEach(async () => {
    pglite = await PGlite.create('memory://');
    await pglite.exec(`create table t (id int primary key, name text not null, doc jsonb, at timestamptz, big int8, flag boolean)`);
    db = new Kysely<{ t: T }>({ dialect: new PGliteDialect(pglite) });
  });
  afterEach(async () => {
    await db.destroy();
    await pglite.close();
  });

  it('returns the rows, types and affected-row counts PGlite query() returns', async () => {
    const at = new Date('2026-01-02T03:04:05.678Z');
    const ins = await db
      .insertInto('t')
      .values([
        { id: 1, name: 'a', doc: JSON.stringify({ x: [1, 'é'] }), at, big: '9007199254740993', flag: true },
        { id: 2, name: 'b', doc: null, at, big: 5, flag: false },
      ])
      .executeTakeFirst();
    expect(ins.numInsertedOrUpdatedRows).toBe(2n);
    const rows = await db.selectFrom('t').selectAll().orderBy('id').execute();
    const reference = await pglite.query('select * from t order by id');
    expect(rows).toEqual(reference.rows);
    expect(rows[0]).toEqual({ id: 1, name: 'a', doc: { x: [1, 'é'] }, at, big: 9007199254740993n, flag: true });
    expect(rows[1]?.big).toBe(5);
    const upd = await db.updateTable('t').set({ name: 'c' }).where('flag', '=', false).executeTakeFirst();
    expect(upd.numUpdatedRows).toBe(1n);
    const del = await db.deleteFrom('t').where('id', '>', 5).executeTakeFirst();
    expect(del.numDeletedRows).toBe(0n);
  });

  it('sends an object parameter the way PGlite query() does (typed by the server)', async () => {
    await db.insertInto('t').values({ id: 1, name: 'a', doc: { k: 'v' }, at: new Date(0), big: 1, flag: true }).execute();
    const row = await db.selectFrom('t').select('doc').where('id', '=', 1).executeTakeFirstOrThrow();
    expect(row.doc).toEqual({ k: 'v' });
  });

  it('throws the DatabaseError PGlite query() throws, and a failed statement can run again', async () => {
    await db.insertInto('t').values({ id: 1, name: 'a', doc: null, at: new Date(0), big: 1, flag: true }).execute();
    const insert = () => db.insertInto('t').values({ id: 1, name: 'dup', doc: null, at: new Date(0), big: 1, flag: true }).execute();
    const err = (await insert().catch((e: unknown) => e)) as { code?: string; constraint?: string; query?: string };
    const ref = (await pglite.query(`insert into t (id, name) values (1, 'x')`).catch((e: unknown) => e)) as { code?: string; constraint?: string };
    expect(err.code).toBe('23505');
    expect(err.constraint).toBe(ref.constraint);
    expect(err.query).toContain('insert into');
    // Same text again: the statement the first attempt prepared is reused, and fails the same way.
    await expect(insert()).rejects.toMatchObject({ code: '23505' });
    await expect(sql`select * from missing_table`.execute(db)).rejects.toMatchObject({ code: '42P01' });
  });

  it('a kept statement still works after its table changes, by DDL through the dialect or beside it', async () => {
    const read = () => db.selectFrom('t').selectAll().where('id', '=', 1).execute();
    await db.insertInto('t').values({ id: 1, name: 'a', doc: null, at: new Date(0), big: 1, flag: true }).execute();
    for (let i = 0; i < 7; i++) await read(); // past Postgres's five custom plans: a generic plan is cached
    await sql`alter table t add column extra text`.execute(db);
    expect((await read())[0]).toHaveProperty('extra', null);
    for (let i = 0; i < 7; i++) await read();
    // Beside the dialect (PGlite used directly): the server refuses the kept `select *` once; it is dropped and run again.
    await pglite.exec(`alter table t drop column extra`);
    expect((await read())[0]).not.toHaveProperty('extra');
  });

  it('keeps working when more distinct statements run than it keeps prepared', async () => {
    await db.insertInto('t').values({ id: 1, name: 'a', doc: null, at: new Date(0), big: 1, flag: true }).execute();
    for (let i = 0; i < 250; i++) {
      const r = await sql<{ n: number }>`select id + ${sql.lit(i)} as n from t where id = ${1}`.execute(db);
      expect(r.rows[0]?.n).toBe(1 + i);
    }
  });

  it('two dialects on one PGlite session do not collide', async () => {
    const other = new Kysely<{ t: T }>({ dialect: new PGliteDialect(pglite) });
    try {
      await db.insertInto('t').values({ id: 1, name: 'a', doc: null, at: new Date(0), big: 1, flag: true }).execute();
      for (let i = 0; i < 3; i++) {
        expect(await db.selectFrom('t').select('name').where('id', '=', 1).execute()).toEqual([{ name: 'a' }]);
        expect(await other.selectFrom('t').select('id').where('id', '=', 1).execute()).toEqual([{ id: 1 }]);
      }
    } finally {
      await other.destroy();
    }
  });

  it('transactions: commit keeps, rollback discards', async () => {
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('t').values({ id: 1, name: 'a', doc: null, at: new Date(0), big: 1, flag: true }).execute();
    });
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('t').values({ id: 2, name: 'b', doc: null, at: new Date(0), big: 1, flag: true }).execute();
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await db.selectFrom('t').select('id').execute()).toEqual([{ id: 1 }]);
  });
});

describe('pglite-wire', () => {
  it('decodes what PGlite answers to an encoded round', async () => {
    const pglite = await PGlite.create('memory://');
    try {
      const data = await pglite.execProtocolRaw(encodeExtendedQuery('', ['x', null, 'ü'], { sql: 'select $1::text as a, $2::int as b, $3::text as c, 7 as d' }));
      const r = decodeResponse(data);
      expect(r.error).toBe(false);
      expect(r.parsed).toBe(true);
      expect(r.fields.map((f) => f.name)).toEqual(['a', 'b', 'c', 'd']);
      expect(r.rows).toEqual([['x', null, 'ü', '7']]);
      expect(r.commandTag).toBe('SELECT 1');
      expect(decodeResponse(await pglite.execProtocolRaw(encodeExtendedQuery('', [], { sql: 'select nope' }))).error).toBe(true);
    } finally {
      await pglite.close();
    }
  });

  it('counts affected rows from the command tag as PGlite does', () => {
    expect(affectedRows('INSERT 0 5')).toBe(5);
    expect(affectedRows('UPDATE 3')).toBe(3);
    expect(affectedRows('SELECT 2')).toBe(0);
    expect(affectedRows('CREATE TABLE')).toBe(0);
    expect(affectedRows(undefined)).toBe(0);
  });
});
