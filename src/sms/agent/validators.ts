import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import { argumentsSchema, type ToolAction, toolParameters } from './tools.js'

/**
 * The validators of actions' tool arguments, compiled once per distinct schema, the least recently
 * compiled dropped past `limit`: from our map and from Ajv's own cache, which keeps every schema it
 * compiled unless told to forget it.
 */
export class ArgumentValidators {
  private readonly ajv = new Ajv({ allErrors: true, strict: true })
  private readonly byKey = new Map<string, ValidateFunction>()

  constructor(private readonly limit = 1000) {}

  /** The validator of an action's arguments: the schema agentTools published for it (non-strict form, nulls allowed). */
  for(action: ToolAction): ValidateFunction {
    const schema = argumentsSchema(toolParameters(action), false)
    // Strict-mode LLMs send null for an optional parameter they leave out.
    for (const p of Object.values(schema.properties as Record<string, { type: unknown }>)) p.type = [p.type, 'null']
    const key = JSON.stringify(schema)
    let validate = this.byKey.get(key)
    if (!validate) {
      validate = this.ajv.compile(schema)
      if (this.byKey.size >= this.limit) {
        const [oldest, dropped] = this.byKey.entries().next().value as [string, ValidateFunction]
        this.byKey.delete(oldest)
        this.ajv.removeSchema(dropped.schema as object)
      }
      this.byKey.set(key, validate)
    }
    return validate
  }

  /** A validator's errors in words. */
  errorsText(errors: ErrorObject[] | null | undefined): string {
    return this.ajv.errorsText(errors)
  }

  /** How many schemas Ajv holds compiled (its meta-schema among them). */
  get compiled(): number {
    return (this.ajv as unknown as { _cache: Map<unknown, unknown> })._cache.size
  }
}
