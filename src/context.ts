import type { Auth } from './auth.js'

export interface Context {
  auth: Auth | null
  requestId: string
}
