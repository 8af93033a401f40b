import { describe } from 'vitest'
import { base64Cases } from './base64-cases'

describe('base64 in Node 22', () => base64Cases(false))
