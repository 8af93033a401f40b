import { MODEL_SPECS, type ModelId, PROVIDERS, type Provider } from '../../../shared'
import { type Env, numberSetting, openAiBaseUrl } from '../env'
import type { ImageProvider } from './image-provider'
import { kieProvider } from './kie-provider'
import { openAiProvider } from './openai-provider'
import { previewProvider } from './preview-provider'

const DEFAULT_KIE_BASE_URL = 'https://api.kie.ai'

function hasKey(env: Env, provider: Provider): boolean {
  if (provider === 'openai') return Boolean(env.OPENAI_API_KEY)
  if (provider === 'kie') return Boolean(env.KIE_API_KEY)
  return true
}

/**
 * Which provider serves a model under this configuration, or null when none can. In `auto` mode
 * the first provider with a key wins, and the preview serves only when no key is configured at all,
 * so real and preview images are never mixed.
 */
export function providerFor(env: Env, model: ModelId): Provider | null {
  const supported = MODEL_SPECS[model].providers
  const mode = env.IMAGE_PROVIDER ?? 'auto'
  if ((PROVIDERS as readonly string[]).includes(mode)) {
    const chosen = mode as Provider
    return supported.includes(chosen) && hasKey(env, chosen) ? chosen : null
  }
  const anyKey = hasKey(env, 'openai') || hasKey(env, 'kie')
  if (!anyKey) return 'preview'
  return supported.find((provider) => provider !== 'preview' && hasKey(env, provider)) ?? null
}

export function createProvider(env: Env, provider: Provider): ImageProvider {
  if (provider === 'openai') {
    return openAiProvider({
      apiKey: env.OPENAI_API_KEY ?? '',
      baseUrl: openAiBaseUrl(env),
    })
  }
  if (provider === 'kie') {
    return kieProvider({
      apiKey: env.KIE_API_KEY ?? '',
      baseUrl: env.KIE_BASE_URL || DEFAULT_KIE_BASE_URL,
      pollIntervalMs: numberSetting(env.KIE_POLL_INTERVAL_MS, 3000),
    })
  }
  return previewProvider(numberSetting(env.PREVIEW_DELAY_MS, 0))
}
