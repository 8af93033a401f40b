import { PLUGIN_NETWORK } from '../../network'
import { describeAllowedAddresses, isAllowedAddress } from '../../utilities/allowed-address'
import { ApiFailure } from './api-failure'

/** Figma lets the plugin window reach only these (the manifest's networkAccess, from the build). */
export const ALLOWED_ADDRESSES = [
  ...PLUGIN_NETWORK.allowedDomains,
  ...PLUGIN_NETWORK.devAllowedDomains,
]

export function blockedAddressMessage(address: string): string {
  return `Figma lets this copy of Promptframe connect only to ${describeAllowedAddresses(ALLOWED_ADDRESSES)}, not to ${new URL(address).origin}. Open Settings and use that address, or ask your team admin for a copy of the plugin made for your service.`
}

/** Whether Figma would let a request to this address through. */
export function isReachable(address: string): boolean {
  return isAllowedAddress(address, ALLOWED_ADDRESSES)
}

export function assertReachable(address: string) {
  if (!isReachable(address)) throw new ApiFailure('blocked_address', blockedAddressMessage(address))
}

const blockedOrigins = new Set<string>()
if (typeof document !== 'undefined') {
  document.addEventListener('securitypolicyviolation', (event) => {
    try {
      blockedOrigins.add(new URL(event.blockedURI).origin)
    } catch {}
  })
}

/**
 * After a failed fetch: whether the plugin window's content-security policy blocked it. The
 * violation event can arrive just after the fetch fails, hence the short wait.
 */
export async function wasBlockedByFigma(address: string): Promise<boolean> {
  await new Promise((resolve) => setTimeout(resolve, 50))
  return blockedOrigins.has(new URL(address).origin)
}

/** Why Settings cannot take this service address, or null. */
export function addressProblem(address: string): string | null {
  try {
    const url = new URL(address)
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('not http')
  } catch {
    return 'Enter the service address your team admin gave you, starting with https://'
  }
  if (isReachable(`${address.replace(/\/+$/, '')}/v1/models`)) return null
  return `Figma lets this copy of Promptframe connect only to ${describeAllowedAddresses(ALLOWED_ADDRESSES)}. Use that address, or ask your team admin for a copy of the plugin made for your service.`
}
