import { writeFileSync } from 'node:fs'
import { printSchema } from 'graphql'

process.env.LOG_LEVEL ??= 'silent'
const { schema } = await import('../src/schema/index.js')
writeFileSync(new URL('../schema.graphql', import.meta.url), `${printSchema(schema)}\n`)
console.log('schema.graphql written')
