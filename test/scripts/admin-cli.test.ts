import { describe, expect, it } from 'vitest'
import { HELP, parseAdminArgs } from '../../scripts/admin-cli.mjs'

describe('npm run admin', () => {
  it('takes a negative delta written either way', () => {
    for (const args of [
      ['grant', 'u_1', '--delta', '-5', '--reason', 'refund'],
      ['grant', 'u_1', '--delta=-5', '--reason', 'refund'],
    ])
      expect(parseAdminArgs(args)).toMatchObject({
        command: 'grant',
        userId: 'u_1',
        values: { delta: '-5', reason: 'refund' },
      })
  })

  it('explains every mistake instead of throwing', () => {
    const cases: [string[], string][] = [
      [['grant', 'u_1', '--delta', '5'], 'grant needs --reason.'],
      [['grant', '--delta', '5', '--reason', 'x'], 'grant needs a user id.'],
      [['grant', 'u_1', '--delta', 'five', '--reason', 'x'], '--delta takes a whole number'],
      [['grant', 'u_1', '--delta'], "Option '--delta <value>' argument missing"],
      [['create-user', '--nmae', 'Ada'], "Unknown option '--nmae'"],
      [['create-user', 'Ada'], 'Unexpected "Ada"'],
      [['show', 'u_1', 'u_2'], 'Unexpected "u_2"'],
      [['frobnicate'], 'There is no command "frobnicate".'],
    ]
    for (const [args, message] of cases) {
      const parsed = parseAdminArgs(args)
      expect(parsed, args.join(' ')).toHaveProperty('error')
      expect((parsed as { error: string }).error).toContain(message)
    }
  })

  it('knows the team commands, with their own checks', () => {
    expect(parseAdminArgs(['list'])).toMatchObject({ command: 'list' })
    expect(parseAdminArgs(['disable', 'u_1'])).toMatchObject({ command: 'disable', userId: 'u_1' })
    expect(parseAdminArgs(['rotate', 'u_1'])).toMatchObject({ command: 'rotate', userId: 'u_1' })
    expect(parseAdminArgs(['allowance', 'u_1', '--monthly', 'none'])).toMatchObject({
      values: { monthly: 'none' },
    })
    expect(parseAdminArgs(['usage', '--from', '2026-11-01', '--csv'])).toMatchObject({
      values: { from: '2026-11-01', csv: true },
    })
    expect(parseAdminArgs(['allowance', 'u_1', '--monthly', 'lots'])).toHaveProperty('error')
    expect(parseAdminArgs(['allowance', 'u_1'])).toEqual({
      error:
        'allowance needs --monthly.\nUsage: npm run admin -- allowance <user-id> --monthly 300',
    })
    expect(parseAdminArgs(['enable'])).toHaveProperty('error')
  })

  it('prints help for no command, help, or --help', () => {
    for (const args of [[], ['help'], ['grant', '--help']])
      expect(parseAdminArgs(args)).toEqual({ help: true })
    expect(HELP).toContain('--delta -5')
  })
})
