import { useState } from 'preact/hooks'

async function copy(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text)
    return true
  } catch {
    return false
  }
}

/** A token shown once, with Copy: only its hash is kept, so it cannot be shown again. */
export function TokenReveal(props: { name: string; token: string; onDone: () => void }) {
  const [copied, setCopied] = useState<boolean | null>(null)
  return (
    <section class="reveal" aria-label={`New token for ${props.name}`}>
      <p>
        <strong>{props.name}’s token.</strong> It is shown only now: copy it and send it to{' '}
        {props.name}, who pastes it in the plugin’s Settings.
      </p>
      <div class="row">
        <input
          readOnly
          value={props.token}
          aria-label="Token"
          data-testid="revealed-token"
          onFocus={(event) => event.currentTarget.select()}
        />
        <button type="button" onClick={async () => setCopied(await copy(props.token))}>
          Copy
        </button>
        <button type="button" onClick={props.onDone}>
          Done
        </button>
      </div>
      {copied === true && <p role="status">Copied.</p>}
      {copied === false && (
        <p role="status">The browser did not allow copying: select the token and copy it.</p>
      )}
    </section>
  )
}
