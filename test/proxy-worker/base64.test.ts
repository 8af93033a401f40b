import { describe } from 'vitest'
import { base64Cases } from '../shared/base64-cases'

describe('base64 in workerd', () => base64Cases(true))
