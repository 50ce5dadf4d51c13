/**
 * What an operator's `gatewayKey` must not be (docs/gateway-keys.md): the gateway's administrator key
 * or a provider's key. The master key itself is not visible to these stacks (LiteLLM runs elsewhere),
 * so only what a value shows is judged: LiteLLM's documented default master key, a value that calls
 * itself a master or admin key, and the distinctive formats of model providers' keys.
 */
import { providerKeyShapeIn } from "../../policy/lib/providerKeyShapes";

/** The master key LiteLLM's documentation and sample configurations use. */
const LITELLM_DEFAULT_MASTER_KEY = "sk-1234";

/** Why the value is not a virtual key agents may hold, or undefined when nothing shows it. */
export function masterKeyReason(value: string): string | undefined {
  const virtualKey = "give agents a LiteLLM virtual key (POST /key/generate with the master key; docs/gateway-keys.md)";
  if (value.trim() === LITELLM_DEFAULT_MASTER_KEY) {
    return `is LiteLLM's default master key (sk-1234), the gateway's administrator key: ${virtualKey}`;
  }
  if (/master|admin/i.test(value)) {
    return `looks like the gateway's master (administrator) key (the value says "master" or "admin"): ${virtualKey}`;
  }
  const provider = providerKeyShapeIn(value);
  if (provider) return `is in the ${provider} key format, a provider's key (Principle 3): ${virtualKey}`;
  return undefined;
}
