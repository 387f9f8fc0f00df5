/** The most variables a send may give, and so the most distinct placeholders a template may use. */
export const MAX_VARIABLES = 100
const PLACEHOLDER = /\{\{\s*([a-zA-Z_][a-zA-Z0-9_]{0,63})\s*\}\}/g

/** The distinct `{{var}}` names of a template, in order of first use. */
export function templateVariables(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1] as string))]
}

/** Why a template is malformed (stray or unnamed braces), or undefined when it is fine. */
export function templateProblem(template: string): string | undefined {
  const rest = template.replace(PLACEHOLDER, '')
  if (rest.includes('{{') || rest.includes('}}')) {
    return 'placeholders must look like {{name}} (letters, digits and _, starting with a letter or _)'
  }
  // Assigned as a key, __proto__ sets an object's prototype: it would vanish from the published tool.
  const names = templateVariables(template)
  if (names.includes('__proto__')) return 'a placeholder cannot be named __proto__'
  // A send gives at most MAX_VARIABLES variables: a template with more could never be filled.
  if (names.length > MAX_VARIABLES) return `a template may use at most ${MAX_VARIABLES} different placeholders`
  return undefined
}

/** Fills a template; returns the names of the variables that were not given. */
export function renderTemplate(template: string, vars: Record<string, unknown>): { text: string; missing: string[] } {
  // Own properties only: {{constructor}} is a variable like any other, not Object's constructor.
  const given = (name: string) => (Object.hasOwn(vars, name) ? vars[name] : undefined)
  const missing = templateVariables(template).filter((v) => given(v) === undefined || given(v) === null)
  const text = template.replace(PLACEHOLDER, (_m, name: string) => String(given(name) ?? ''))
  return { text, missing }
}
