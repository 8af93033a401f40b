import {
  MODEL_SPECS,
  type ModelId,
  PROVIDER_FEATURES,
  PROVIDERS,
  type Provider,
  type ProviderFeatures,
} from '../../../shared'
import { type Env, numberSetting, openAiBaseUrl } from '../env'
import { ApiError } from '../http/api-error'
import type { ImageProvider } from './image-provider'
import { type KieSettings, kieProvider } from './kie-provider'
import { openAiProvider } from './openai-provider'
import { previewProvider } from './preview-provider'

const DEFAULT_KIE_BASE_URL = 'https://api.kie.ai'
/** Where KIE serves finished images from; KIE_RESULT_HOSTS replaces this list. */
const DEFAULT_KIE_RESULT_HOSTS = ['*.kie.ai', '*.aiquickdraw.com', '*.redpandaai.co']

function hasKey(env: Env, provider: Provider): boolean {
  if (provider === 'openai') return Boolean(env.OPENAI_API_KEY)
  if (provider === 'kie') return Boolean(env.KIE_API_KEY)
  return true
}

/**
 * The providers that can serve a model under this configuration, best first. In `auto` mode every
 * provider with a key qualifies, and the preview serves only when no key is configured at all, so
 * real and preview images are never mixed.
 */
function configuredProviders(env: Env, model: ModelId): Provider[] {
  const supported = MODEL_SPECS[model].providers
  const mode = env.IMAGE_PROVIDER ?? 'auto'
  if ((PROVIDERS as readonly string[]).includes(mode)) {
    const chosen = mode as Provider
    return supported.includes(chosen) && hasKey(env, chosen) ? [chosen] : []
  }
  const anyKey = hasKey(env, 'openai') || hasKey(env, 'kie')
  if (!anyKey) return supported.includes('preview') ? ['preview'] : []
  return supported.filter((provider) => provider !== 'preview' && hasKey(env, provider))
}

/** Which provider serves a model's ordinary requests, or null when none can. */
export function providerFor(env: Env, model: ModelId): Provider | null {
  return configuredProviders(env, model)[0] ?? null
}

/** What this server can do for a model with the providers it has. */
export function featuresFor(env: Env, model: ModelId): ProviderFeatures {
  const providers = configuredProviders(env, model)
  return {
    masks: providers.some((provider) => PROVIDER_FEATURES[provider].masks),
    transparency: providers.some((provider) => PROVIDER_FEATURES[provider].transparency),
  }
}

export function unavailableModel(env: Env, model: string): ApiError {
  const anyKey = Boolean(env.OPENAI_API_KEY || env.KIE_API_KEY)
  return anyKey
    ? new ApiError(
        'model_unavailable',
        `${model} is not available on this server. Choose another model.`,
      )
    : new ApiError(
        'upstream_unconfigured',
        'No image service is configured on this server. Let your team admin know.',
      )
}

/**
 * The provider for one request: the first configured one that can do what it needs, so a masked
 * edit goes to OpenAI when both OpenAI and KIE are set up. Throws, before anything is charged, when
 * none can.
 */
export function providerForJob(
  env: Env,
  model: ModelId,
  needs: Partial<ProviderFeatures>,
): Provider {
  const providers = configuredProviders(env, model)
  if (providers.length === 0) throw unavailableModel(env, model)
  const able = providers.find(
    (provider) =>
      (!needs.masks || PROVIDER_FEATURES[provider].masks) &&
      (!needs.transparency || PROVIDER_FEATURES[provider].transparency),
  )
  if (able) return able
  if (needs.masks)
    throw new ApiError(
      'feature_unavailable',
      'Editing an area needs the OpenAI image service: this server uses KIE, which takes no masks. Nothing was charged. Ask your team admin to set OPENAI_API_KEY on the worker, or edit the whole image instead.',
    )
  throw new ApiError(
    'feature_unavailable',
    'A transparent background needs the OpenAI image service: this server uses KIE, which cannot make transparency. Nothing was charged. Turn off the transparent background, or ask your team admin to set OPENAI_API_KEY on the worker.',
  )
}

export function createProvider(env: Env, provider: Provider): ImageProvider {
  if (provider === 'openai') {
    return openAiProvider({
      apiKey: env.OPENAI_API_KEY ?? '',
      baseUrl: openAiBaseUrl(env),
    })
  }
  if (provider === 'kie') return kieProvider(kieSettings(env))
  return previewProvider(numberSetting(env.PREVIEW_DELAY_MS, 0))
}

export function kieSettings(env: Env): KieSettings {
  const baseUrl = env.KIE_BASE_URL || DEFAULT_KIE_BASE_URL
  const listed = env.KIE_RESULT_HOSTS?.split(',').map((host) => host.trim().toLowerCase())
  return {
    apiKey: env.KIE_API_KEY ?? '',
    baseUrl,
    pollIntervalMs: numberSetting(env.KIE_POLL_INTERVAL_MS, 3000),
    // KIE's own API host is always trusted for its results.
    resultHosts: [
      new URL(baseUrl).hostname,
      ...(listed?.filter(Boolean) ?? DEFAULT_KIE_RESULT_HOSTS),
    ],
  }
}
