import Database from 'better-sqlite3'
import { describe, expect, it, vi } from 'vitest'
import { cachePreparedStatements } from '../../src/db/statementCache.js'

describe('prepared statements kept per SQL text', () => {
  it('prepares each text once, binds each use’s own parameters, and drops the oldest past its size', () => {
    const db = new Database(':memory:')
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)')
    const prepare = vi.spyOn(db, 'prepare')
    cachePreparedStatements(db, 2)
    const insert = 'INSERT INTO t (id, name) VALUES (?, ?)'
    db.prepare(insert).bind([1, 'one']).run()
    db.prepare(insert).bind([2, 'two']).run()
    const select = 'SELECT name FROM t WHERE id = ?'
    const read = (id: number) => db.prepare(select).bind([id]).raw().all()
    expect([read(1), read(2), read(3)]).toEqual([[['one']], [['two']], []])
    expect(prepare).toHaveBeenCalledTimes(2)
    expect(
      db
        .prepare(select)
        .bind([1])
        .columns()
        .map((c) => c.name),
    ).toEqual(['name'])
    db.prepare('SELECT 1').run()
    db.prepare(insert).bind([3, 'three']).run()
    expect(prepare).toHaveBeenCalledTimes(4)
    expect(read(3)).toEqual([['three']])
    db.close()
  })
})

describe('a cached statement’s columns', () => {
  it('are read from the driver once per statement, and are those of its own text', () => {
    const db = new Database(':memory:')
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)')
    const statementPrototype = Object.getPrototypeOf(db.prepare('SELECT 1'))
    const driverColumns = vi.spyOn(statementPrototype, 'columns')
    cachePreparedStatements(db)
    const names = (sql: string) =>
      db
        .prepare(sql)
        .bind([])
        .columns()
        .map((c) => c.name)
    expect(names('SELECT id, name FROM t')).toEqual(['id', 'name'])
    expect(names('SELECT id, name FROM t')).toEqual(['id', 'name'])
    expect(names('SELECT name AS n FROM t')).toEqual(['n'])
    expect(names('SELECT name AS n FROM t')).toEqual(['n'])
    expect(driverColumns).toHaveBeenCalledTimes(2)
    driverColumns.mockRestore()
    db.close()
  })
})
