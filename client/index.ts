export * from './generated/graphql.js'
export { default as possibleTypes } from './generated/possible-types.js'
export * from './runtime.js'
export * from './toolCalls.js'
