import { describe, expect, it } from 'vitest'
import {
  describeAllowedAddresses,
  isAllowedAddress,
} from '../../../plugin/utilities/allowed-address'
import { pluginNetwork } from '../../../scripts/plugin-network.mjs'

describe("Figma's network allow-list", () => {
  const release = ['https://promptframe.acme.workers.dev', 'http://localhost:*']

  it('lets through the listed worker and localhost on any port, nothing else', () => {
    expect(isAllowedAddress('https://promptframe.acme.workers.dev/v1/models', release)).toBe(true)
    expect(isAllowedAddress('http://localhost:8787/v1/models', release)).toBe(true)
    expect(isAllowedAddress('http://localhost:49152/v1/images/abc', release)).toBe(true)
    expect(isAllowedAddress('http://127.0.0.1:8787/v1/models', release)).toBe(false)
    expect(isAllowedAddress('http://promptframe.acme.workers.dev/v1', release)).toBe(false)
    expect(isAllowedAddress('https://promptframe-proxy.workers.dev/v1', release)).toBe(false)
    expect(isAllowedAddress('https://acme.workers.dev.evil.example/v1', release)).toBe(false)
    expect(isAllowedAddress('not an address', release)).toBe(false)
  })

  it('reads wildcards, paths, ports and the special entries as Figma documents them', () => {
    expect(isAllowedAddress('https://img.example.com/a', ['*.example.com'])).toBe(true)
    expect(isAllowedAddress('https://example.com/a', ['*.example.com'])).toBe(false)
    expect(isAllowedAddress('http://img.example.com/a', ['*.example.com'])).toBe(false)
    expect(isAllowedAddress('https://example.com/api/v1', ['example.com/api/'])).toBe(true)
    expect(isAllowedAddress('https://example.com/other', ['example.com/api/'])).toBe(false)
    expect(isAllowedAddress('https://exact-path.com/content', ['exact-path.com/content'])).toBe(
      true,
    )
    expect(isAllowedAddress('https://exact-path.com/content/x', ['exact-path.com/content'])).toBe(
      false,
    )
    expect(isAllowedAddress('https://example.com:8443/', ['https://example.com'])).toBe(false)
    expect(isAllowedAddress('https://anything.example/', ['none'])).toBe(false)
    expect(isAllowedAddress('https://anything.example/', ['*'])).toBe(true)
  })

  it('names the allowed addresses in words', () => {
    expect(describeAllowedAddresses(release)).toBe(
      'https://promptframe.acme.workers.dev or http://localhost',
    )
    expect(describeAllowedAddresses(['none'])).toBe('no address')
  })
})

describe('the network settings a build writes', () => {
  it('allows only localhost, in development, when no worker address is given', () => {
    expect(pluginNetwork({})).toEqual({
      defaultWorkerUrl: 'http://localhost:8787',
      allowedDomains: ['none'],
      devAllowedDomains: ['http://localhost:*'],
    })
  })

  it('writes the deployed worker into allowedDomains and makes it the default address', () => {
    const network = pluginNetwork({
      PROMPTFRAME_WORKER_URL: ' https://promptframe.acme.workers.dev/ ',
    })
    expect(network.allowedDomains).toEqual(['https://promptframe.acme.workers.dev'])
    expect(network.defaultWorkerUrl).toBe('https://promptframe.acme.workers.dev')
  })

  it('refuses an address a published plugin could not use, saying why', () => {
    expect(() => pluginNetwork({ PROMPTFRAME_WORKER_URL: 'http://x.example' })).toThrow(
      'must start with https://',
    )
    expect(() => pluginNetwork({ PROMPTFRAME_WORKER_URL: 'https://x.example/v1' })).toThrow(
      "the worker's address alone",
    )
    expect(() => pluginNetwork({ PROMPTFRAME_WORKER_URL: 'x.example' })).toThrow('not an address')
  })
})
