import { useEffect, useState } from 'preact/hooks'

/** A blob URL for image bytes, revoked when the bytes change or the component goes. */
export function useObjectUrl(bytes: Uint8Array | null, type = 'image/png'): string | null {
  const [url, setUrl] = useState<string | null>(null)
  useEffect(() => {
    if (!bytes) return setUrl(null)
    const next = URL.createObjectURL(new Blob([bytes as BlobPart], { type }))
    setUrl(next)
    return () => URL.revokeObjectURL(next)
  }, [bytes, type])
  return url
}
